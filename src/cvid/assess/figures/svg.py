"""A drawn figure as accessible inline SVG: ``role="img"``, a ``<title>`` and a ``<desc>``
first (read by screen readers, WAI-ARIA ``aria-labelledby``), element ids prefixed with the
figure id so several SVGs can share one page, no metadata, deterministic ids, and no
reference to anything outside the element."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from html import escape
from typing import Any, cast

from cvid.assess.figures.model import FigureData
from cvid.assess.figures.palette import RC

_RENDER_LOCK = threading.Lock()
_ID_REF = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def draw_svg(fd: FigureData, draw: Callable[[FigureData], Any]) -> str:
    """``draw(fd)`` (a matplotlib figure) saved as SVG in the report's style, then made
    accessible (:func:`accessible`)."""
    import matplotlib

    # rcParams are process-global: one figure at a time (the web service renders in threads).
    with _RENDER_LOCK, matplotlib.rc_context(cast(Any, RC)):
        fig = draw(fd)
        buf = io.StringIO()
        fig.savefig(
            buf,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    return accessible(buf.getvalue(), fd)


def accessible(svg: str, fd: FigureData) -> str:
    """matplotlib's SVG document ``svg`` as one inline element for the page: XML prologue
    and ``<metadata>`` dropped, ids prefixed with ``fd.id``, and ``role="img"``,
    ``aria-labelledby`` with the figure's title and description (escaped) as its first
    children."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    prefix = fd.id + "-"
    svg = _ID_REF.sub(lambda m: m.group(1) + prefix + m.group(2), svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = head.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{prefix}title {prefix}desc" class="figure" ',
        1,
    )
    alt = (
        f'<title id="{prefix}title">{escape(fd.title)}</title>'
        f'<desc id="{prefix}desc">{escape(fd.description)}</desc>'
    )
    return head + alt + svg[head_end:]
