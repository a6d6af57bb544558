"""``cvid serve``: run the web service (REST API and pages) with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cvid.cli.common import err_console
from cvid.errors import InputError


def register(app: typer.Typer) -> None:
    """Attach ``cvid serve`` to the root application."""

    @app.command("serve")
    def serve(
        db: str = typer.Option(
            "cvid.db", "--db", help="SQLite file (or sqlite:///PATH) or postgresql://URL."
        ),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
        log_key: Path | None = typer.Option(
            None,
            "--log-key",
            help="The ledger's checkpoint signing key (default beside a "
            "SQLite file; required for PostgreSQL).",
        ),
        admin_token_file: Path | None = typer.Option(
            None,
            "--admin-token-file",
            help="On first start, write the new admin's token here (mode 0600) instead of "
            "printing it (default: printed).",
        ),
        max_body: int = typer.Option(
            1_048_576, "--max-body", min=1024, help="Largest request body accepted (bytes)."
        ),
        trusted_proxy: list[str] = typer.Option(
            [],
            "--trusted-proxy",
            help="Address or network of a reverse proxy whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (repeatable; none by default: the headers are "
            "ignored).",
        ),
        witness: list[str] = typer.Option(
            [],
            "--witness",
            help="A witness whose cosignatures count: its C2SP cosignature/v1 verifier key, or "
            "a file holding it (repeatable; none by default: the dashboard follows the "
            "witnesses that have cosigned, without a quorum).",
        ),
        quorum: int | None = typer.Option(
            None,
            "--quorum",
            min=1,
            help="How many of the --witness keys must cosign (default: all of them).",
        ),
        ssl_certfile: Path | None = typer.Option(
            None,
            "--ssl-certfile",
            help="Serve HTTPS with this certificate (PEM; default: plain HTTP).",
        ),
        ssl_keyfile: Path | None = typer.Option(
            None, "--ssl-keyfile", help="The private key of --ssl-certfile (PEM; no default)."
        ),
    ) -> None:
        """Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json) and the web pages.

        On the first start the database gets a ledger, the service tables and an admin party
        whose token is shown once (or written to --admin-token-file).
        """
        from cvid._optional import require

        for module in ("fastapi", "uvicorn", "multipart"):
            require(module, "web", "cvid serve")
        import uvicorn

        from cvid.web import Service, create_app
        from cvid.web.security import parse_trusted, redact_url

        parse_trusted(trusted_proxy)
        if (ssl_certfile is None) != (ssl_keyfile is None):
            raise InputError("give both or neither", field="--ssl-certfile/--ssl-keyfile")
        for f in (ssl_certfile, ssl_keyfile):
            if f is not None and not f.is_file():
                raise InputError("no such file", source=str(f))
        from cvid.ledger.witness import read_vkey_file

        keys = [read_vkey_file(Path(w)) for w in witness]
        svc = Service(db, log_key=log_key, witnesses=keys, quorum=quorum)
        if not svc.store.count_role("admin"):
            fd = None
            if admin_token_file is not None:
                try:
                    fd = os.open(admin_token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except OSError as exc:
                    svc.close()
                    raise InputError(
                        f"cannot create: {exc.strerror}", source=str(admin_token_file)
                    ) from None
            token = svc.ensure_admin() or ""
            if fd is not None:
                with os.fdopen(fd, "w") as fh:
                    fh.write(token + "\n")
                err_console.print(f"admin token written to {admin_token_file}")
            else:
                err_console.print(f"admin token (shown once, keep it): {token}", soft_wrap=True)
        application = create_app(
            db, log_key=log_key, max_body=max_body, service=svc, trusted_proxies=trusted_proxy
        )
        scheme = "https" if ssl_certfile else "http"
        proxies = f" (trusted proxies: {', '.join(trusted_proxy)})" if trusted_proxy else ""
        err_console.print(
            f"cvid serving {redact_url(db)} on {scheme}://{host}:{port}/{proxies}", soft_wrap=True
        )
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            # forwarded headers are decided by the app's --trusted-proxy, never by uvicorn
            # (which by default believes X-Forwarded-For from 127.0.0.1)
            proxy_headers=False,
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        )
