"""The report as PDF: its HTML rendered by WeasyPrint, with nothing fetched."""

from __future__ import annotations

from typing import Any

from cvid.errors import CvidError


def html_to_pdf(html: str) -> bytes:
    """Render report HTML to PDF with WeasyPrint (no base URL: nothing can be fetched)."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz system libraries missing
        raise CvidError(
            "PDF output needs WeasyPrint and its system libraries (Pango); run "
            f"scripts/setup-system.sh and pip install 'cvid[pdf]' ({exc})"
        ) from None

    def no_fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        raise ValueError(f"the report may not load {url}")

    try:
        pdf = HTML(string=html, base_url=None, url_fetcher=no_fetch).write_pdf()
    except Exception as exc:  # WeasyPrint's own failures (fonts, layout): one line, no trace
        raise CvidError(f"WeasyPrint could not render the PDF: {exc}") from None
    return bytes(pdf) if pdf is not None else b""
