"""The FastAPI application: authentication, limits, error handling, audit log, routes.

Middleware, outermost first: security headers (and, when the process holds a secret such as a
database password, a last check that no response body carries it); the client address (the
peer, or what a *trusted* proxy forwarded); the audit log of writes and refusals (with a rate
limit on unauthenticated traffic); the body size limit; the cross-site guard of writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import cvid
from cvid.errors import CheckFailed, InputError
from cvid.web.security import (
    SECRETS,
    AuditLimiter,
    Caller,
    FailedLoginLimiter,
    forwarded_client,
    parse_trusted,
)
from cvid.web.service import Busy, Service, ServiceError, Unauthenticated
from cvid.web.session import cross_site, session_of

log = logging.getLogger("cvid.web")

#: Largest request body accepted, in bytes (a scenario file or a batch of records).
DEFAULT_MAX_BODY = 1_048_576
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Statuses that refuse a request; such reads are audited as well as every write.
REFUSALS = frozenset({400, 401, 403, 405, 413, 429})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse a request body larger than ``max_body`` bytes with 413, whether
    announced by Content-Length or streamed; the application never sees a partial body."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                scope.setdefault("state", {})["error"] = "Content-Length is not a number"
                await _plain_error(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await self._refuse(scope, send, f"request body larger than {self.max_body} bytes")
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._refuse(scope, send, f"request body larger than {self.max_body} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, message: str) -> None:
        scope.setdefault("state", {})["error"] = message
        await _plain_error(send, 413, message)


class ClientAddress:
    """ASGI middleware: the client address and scheme of each request. Without trusted
    proxies (the default) they are the TCP peer's and ``X-Forwarded-For`` is ignored; from a
    trusted proxy, the forwarded client and ``X-Forwarded-Proto`` are used
    (:func:`cvid.web.security.forwarded_client`). The login lockout, the audit log and the
    ``Secure`` cookie flag all see the result."""

    def __init__(self, app: ASGIApp, trusted: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted = parse_trusted(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted:
            peer = scope.get("client")
            headers = dict(scope.get("headers", []))
            host, proto = forwarded_client(
                peer[0] if peer else "unknown",
                _header(headers, b"x-forwarded-for"),
                _header(headers, b"x-forwarded-proto"),
                self.trusted,
            )
            scope["client"] = (host, peer[1] if peer else 0)
            if proto is not None:
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


class CrossSiteGuard:
    """ASGI middleware: refuse a write (POST, PUT, PATCH, DELETE) that says it comes from
    another origin (:func:`cvid.web.session.cross_site`) with 403, before any handler runs;
    the refusal is audited like every write."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _WRITE_METHODS:
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in scope.get("headers", [])
            }
            why = cross_site(headers, scope.get("scheme", "http"))
            if why is not None:
                message = f"cross-site request refused ({why})"
                scope.setdefault("state", {})["error"] = message
                await _plain_error(send, 403, message)
                return
        await self.app(scope, receive, send)


#: Pages load only their own scripts and styles (no CDN); the report's inline styles and SVG
#: images are allowed; nothing may frame the pages but themselves.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: add :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start: Message | None = None

        async def add(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
                if SECRETS.active:  # hold it: the body may need redacting (length changes)
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body = message.get("body", b"")
                clean = SECRETS.text(body.decode("utf-8", "surrogateescape")).encode(
                    "utf-8", "surrogateescape"
                )
                if clean != body:
                    if message.get("more_body"):  # streamed: the length is not known
                        start["headers"] = [
                            (k, v) for k, v in start["headers"] if k.lower() != b"content-length"
                        ]
                    else:
                        start["headers"] = [
                            (k, str(len(clean)).encode() if k.lower() == b"content-length" else v)
                            for k, v in start["headers"]
                        ]
                    message = {**message, "body": clean}
                await send(start)
                start = None
            await send(message)

        await self.app(scope, receive, add)


class AuditWrites:
    """ASGI middleware: for each write request (POST, PUT, PATCH, DELETE, including logins)
    and each refused request (401, 403, 413, 429, ...; bodies refused by the size limit and
    cross-site forms included) append a line to the audit log before the response goes out:
    when, which party and role (if authenticated), client address, request, response status
    and what was done or why it was refused.

    Lines of unauthenticated requests are rate-limited per client address
    (:class:`cvid.web.security.AuditLimiter`): beyond the limit they are counted, and one
    summary line per window says how many were not logged one by one (:meth:`flush`)."""

    def __init__(self, app: ASGIApp, service: Service, limiter: AuditLimiter) -> None:
        self.app = app
        self.service = service
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        write = scope["method"] in _WRITE_METHODS
        logged = False

        async def log_then_send(message: Message) -> None:
            # the audit line is durable before the client sees the answer, so every
            # acknowledged write is in the log even if the server dies right after
            nonlocal logged
            if message["type"] == "http.response.start" and not logged:
                logged = True
                status = int(message["status"])
                refused = status in REFUSALS or scope.get("state", {}).get("refused")
                if write or refused:
                    await self._log(scope, status)
            await send(message)

        try:
            await self.app(scope, receive, log_then_send)
        finally:
            if not logged and write:  # no response was started (the client went away, a crash)
                await self._log(scope, 500)

    async def _log(self, scope: Scope, status: int) -> None:
        state = scope.get("state", {})
        who: Caller | None = state.get("caller")
        peer = scope.get("client")
        client = str(peer[0]) if peer else "unknown"
        if who is None and not self.limiter.allow(client, scope["path"]):
            return
        try:
            await run_in_threadpool(
                self.service.store.log,
                party=who.name if who else None,
                role=who.role if who else None,
                client=client,
                method=scope["method"],
                path=SECRETS.text(scope["path"]),
                status=status,
                detail=SECRETS.text(str(state.get("audit") or state.get("error") or "")),
            )
        except Exception:  # the write itself is done; do not turn it into an error
            log.exception("could not write the audit log")

    def flush(self, *, all_: bool = False) -> int:
        """Write the summary lines of rate-limit windows that have ended (all, at shutdown);
        how many were written."""
        due = self.limiter.due(all_=all_)
        for client, count, seconds, path in due:
            try:
                self.service.store.log(
                    party=None,
                    role=None,
                    client=client,
                    method="SUMMARY",
                    path=SECRETS.text(path),
                    status=429,
                    detail=(
                        f"rate limit: {count} more unauthenticated request"
                        f"{'s' if count != 1 else ''} from {client} in {seconds:.0f} s "
                        "not logged one by one"
                    ),
                )
            except Exception:
                log.exception("could not write the audit log")
        return len(due)


async def _plain_error(send: Send, status: int, message: str) -> None:
    import json

    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _client(request: Request) -> str:
    """The client address (the peer's, or a trusted proxy's forwarded one)."""
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("malformed Authorization header; use 'Bearer <token>'")
    return value.strip()


#: Declares the token scheme in the OpenAPI document (the header is parsed by `authenticate`).
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="The party's API token: `Authorization: Bearer cvid_...`",
)


def make_authenticate(limiter: FailedLoginLimiter, *, allow_cookie: bool) -> Any:
    """The dependency that identifies the caller from its token (or, for reads, the page
    session cookie) and enforces the failed-login limit: a client with too many failed
    token checks gets 429 for further wrong tokens; a valid token always works."""

    async def authenticate(
        request: Request,
        _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
    ) -> Caller:
        token = _bearer(request)
        if token is None and allow_cookie and request.method in {"GET", "HEAD"}:
            s = session_of(request)
            if s is not None:
                request.state.caller = s.caller
                return s.caller
        if token is None:
            raise Unauthenticated(
                "missing API token: send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        client = _client(request)
        svc: Service = request.app.state.service
        who = None
        if len(token) <= 200:
            who = svc.cached_caller(token) or await run_in_threadpool(svc.authenticate, token)
        if who is None:
            wait = limiter.retry_after(client)
            limiter.fail(client)
            if wait > 0:
                raise Busy(
                    f"too many failed logins from {client}; retry in {wait:.0f} s",
                    retry_after=int(wait + 0.999),
                )
            raise Unauthenticated("invalid API token", headers={"WWW-Authenticate": "Bearer"})
        request.state.caller = who
        return who

    return authenticate


def create_app(
    db_url: str | Path,
    *,
    log_key: Path | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    login_limit: int = 10,
    login_window: float = 60.0,
    pages: bool = True,
    service: Service | None = None,
    trusted_proxies: Sequence[str] = (),
    audit_rate: float = 1.0,
    audit_burst: float = 20.0,
    audit_window: float = 60.0,
    session_idle: float | None = None,
    session_absolute: float | None = None,
    witnesses: Sequence[str] = (),
    quorum: int | None = None,
) -> FastAPI:
    """The cvid web application over the database ``db_url`` (SQLite path or URL, or
    ``postgresql://...``); the ledger and the service tables are created there if missing.

    ``log_key`` is the ledger's checkpoint signing key (default beside a SQLite file;
    required for PostgreSQL). ``max_body`` caps request bodies (bytes); ``login_limit``
    failed token checks per client within ``login_window`` seconds lead to HTTP 429 for
    further wrong tokens (valid tokens still work).

    ``witnesses`` (C2SP cosignature/v1 verifier keys) and ``quorum`` (default: all of them)
    are the witness policy the dashboard checks the log's cosignatures against.

    ``trusted_proxies`` (addresses or networks; none by default) are the reverse proxies whose
    ``X-Forwarded-For``/``-Proto`` count. Unauthenticated requests add audit lines at
    ``audit_rate`` a second per client after a burst of ``audit_burst``; beyond that one
    summary line per ``audit_window`` seconds. Browser sessions end after ``session_idle``
    seconds unused and ``session_absolute`` seconds after login (defaults of
    :class:`cvid.web.security.Sessions`).
    """
    svc = service or Service(db_url, log_key=log_key)
    if witnesses:
        svc.set_witness_policy(witnesses, quorum)
    if session_idle is not None:
        svc.sessions.idle = session_idle
    if session_absolute is not None:
        svc.sessions.absolute = session_absolute
    limiter = FailedLoginLimiter(login_limit, login_window)
    audit_limiter = AuditLimiter(audit_rate, audit_burst, audit_window)
    parse_trusted(trusted_proxies)  # bad input fails here, before serving
    auditor: list[AuditWrites] = []

    async def summaries() -> None:
        while True:
            await asyncio.sleep(min(max(audit_window / 4, 0.05), 5.0))
            for a in auditor:
                await run_in_threadpool(a.flush)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(summaries())
        try:
            yield
        finally:
            task.cancel()
            for a in auditor:
                a.flush(all_=True)
            svc.close()

    app = FastAPI(
        title="cvid",
        version=cvid.__version__,
        description=(
            "Verify denuclearization together: scenarios, assessments, simulations, a signed "
            "evidence ledger and compliance. Authenticate with `Authorization: Bearer <token>`; "
            "roles inspectorate, state, observer, admin."
        ),
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = svc
    app.state.limiter = limiter
    authenticate = make_authenticate(limiter, allow_cookie=True)
    app.state.authenticate = authenticate

    from cvid.web.routes import build_router

    app.include_router(build_router(authenticate))
    if pages:
        from cvid.web.pages import mount_pages

        mount_pages(app, authenticate)
    _errors(app)

    app.add_middleware(CrossSiteGuard)
    app.add_middleware(BodyLimit, max_body=max_body)

    def audit_layer(inner: ASGIApp) -> ASGIApp:
        a = AuditWrites(inner, svc, audit_limiter)
        auditor.append(a)
        return a

    app.add_middleware(_Factory, make=audit_layer)
    app.add_middleware(ClientAddress, trusted=tuple(trusted_proxies))
    app.add_middleware(SecurityHeaders)
    app.state.audit_limiter = audit_limiter
    app.state.auditor = auditor
    return app


class _Factory:
    """ASGI middleware built by a function (so the app can keep a handle on the instance)."""

    def __init__(self, app: ASGIApp, make: Callable[[ASGIApp], ASGIApp]) -> None:
        self.inner = make(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


def _errors(app: FastAPI) -> None:
    def reply(request: Request, status: int, message: str, **extra: Any) -> Response:
        message = SECRETS.text(message)
        extra = SECRETS.json(extra)
        request.state.error = message
        if not request.url.path.startswith(("/api/", "/static/")):
            from cvid.web.pages import templates

            who = getattr(request.state, "caller", None)
            s = session_of(request)
            return templates.TemplateResponse(
                request,
                "error.html",
                {"who": who, "status": status, "message": message, "csrf": s.csrf if s else ""},
                status_code=status,
            )
        return JSONResponse({"detail": message, **extra}, status_code=status)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        problems = getattr(exc, "problems", None)
        extra: dict[str, Any] = {"field": exc.field}
        if problems:
            extra["problems"] = [{"field": f, "reason": r} for f, r in problems]
        return reply(request, 422, exc.describe(), **extra)

    @app.exception_handler(CheckFailed)
    async def check_failed(request: Request, exc: CheckFailed) -> Response:
        return reply(request, 409, str(exc))

    @app.exception_handler(ServiceError)
    async def refused(request: Request, exc: ServiceError) -> Response:
        if isinstance(exc, Unauthenticated) and not request.url.path.startswith("/api/"):
            from cvid.web.pages import login_redirect

            request.state.refused = True  # the redirect to the login page is a refusal
            request.state.error = str(exc)
            return login_redirect(request, str(exc))
        response = reply(request, exc.http_status, str(exc))
        for k, v in exc.headers.items():
            response.headers[k] = v
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}")
        errs = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in errors[:20]
        ]
        return reply(request, 422, "; ".join(parts) or "invalid request", errors=errs)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code not in (401, 403):
            response = reply(request, exc.status_code, str(exc.detail))
            for k, v in (exc.headers or {}).items():
                response.headers[k] = v
            return response
        from cvid.web.pages import login_redirect

        request.state.refused = True  # the redirect to the login page is audited as a refusal
        request.state.error = str(exc.detail)
        return login_redirect(request, str(exc.detail))

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> Response:
        return reply(request, 422, "the request is nested too deeply")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return reply(request, 500, f"internal error ({type(exc).__name__})")
