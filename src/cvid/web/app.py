"""The FastAPI application: authentication, limits, error handling, audit log, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import cvid
from cvid.errors import CheckFailed, InputError
from cvid.web.security import Caller, FailedLoginLimiter
from cvid.web.service import Busy, Forbidden, NotFound, Service

log = logging.getLogger("cvid.web")

#: Largest request body accepted, in bytes (a scenario file or a batch of records).
DEFAULT_MAX_BODY = 1_048_576
COOKIE = "cvid_token"
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

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
                await _plain_error(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await _plain_error(send, 413, f"request body larger than {self.max_body} bytes")
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
                await _plain_error(send, 413, f"request body larger than {self.max_body} bytes")
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

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, add)


class AuditWrites:
    """ASGI middleware: for each write request (POST, PUT, PATCH, DELETE, including logins)
    append a line to the audit log before the response goes out: when, which party and role
    (if authenticated), client address, request, response status and what was done or why it
    was refused."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        logged = False

        async def log_then_send(message: Message) -> None:
            # the audit line is durable before the client sees the answer, so every
            # acknowledged write is in the log even if the server dies right after
            nonlocal logged
            if message["type"] == "http.response.start" and not logged:
                logged = True
                await self._log(scope, int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, log_then_send)
        finally:
            if not logged:  # no response was started (the client went away, or a crash)
                await self._log(scope, 500)

    async def _log(self, scope: Scope, status: int) -> None:
        state = scope.get("state", {})
        who: Caller | None = state.get("caller")
        client = scope.get("client")
        try:
            await run_in_threadpool(
                self.service.store.log,
                party=who.name if who else None,
                role=who.role if who else None,
                client=client[0] if client else "unknown",
                method=scope["method"],
                path=scope["path"],
                status=status,
                detail=str(state.get("audit") or state.get("error") or ""),
            )
        except Exception:  # the write itself is done; do not turn it into an error
            log.exception("could not write the audit log")


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
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise HTTPException(401, "malformed Authorization header; use 'Bearer <token>'")
    return value.strip()


#: Declares the token scheme in the OpenAPI document (the header is parsed by `authenticate`).
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="The party's API token: `Authorization: Bearer cvid_...`",
)


def make_authenticate(limiter: FailedLoginLimiter, *, allow_cookie: bool) -> Any:
    """The dependency that identifies the caller from its token (or the page session cookie
    for reads) and enforces the failed-login limit."""

    async def authenticate(
        request: Request,
        _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
    ) -> Caller:
        token = _bearer(request)
        if token is None and allow_cookie and request.method in {"GET", "HEAD"}:
            token = request.cookies.get(COOKIE)
        if token is None:
            raise HTTPException(
                401,
                "missing API token: send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        client = _client(request)
        wait = limiter.retry_after(client)
        if wait > 0:
            raise HTTPException(
                429,
                f"too many failed logins from {client}; retry in {wait:.0f} s",
                headers={"Retry-After": str(max(int(wait + 0.999), 1))},
            )
        svc: Service = request.app.state.service
        who = None
        if len(token) <= 200:
            who = svc.cached_caller(token) or await run_in_threadpool(svc.authenticate, token)
        if who is None:
            limiter.fail(client)
            raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
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
) -> FastAPI:
    """The cvid web application over the database ``db_url`` (SQLite path or URL, or
    ``postgresql://...``); the ledger and the service tables are created there if missing.

    ``log_key`` is the ledger's checkpoint signing key (default beside a SQLite file;
    required for PostgreSQL). ``max_body`` caps request bodies (bytes); ``login_limit``
    failed token checks per client within ``login_window`` seconds lead to HTTP 429.
    """
    svc = service or Service(db_url, log_key=log_key)
    limiter = FailedLoginLimiter(login_limit, login_window)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
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

    from cvid.web.api import build_router

    app.include_router(build_router(authenticate))
    if pages:
        from cvid.web.pages import mount_pages

        mount_pages(app, authenticate)
    _errors(app)

    app.add_middleware(AuditWrites, service=svc)
    app.add_middleware(BodyLimit, max_body=max_body)
    app.add_middleware(SecurityHeaders)
    return app


def _errors(app: FastAPI) -> None:
    def reply(request: Request, status: int, message: str, **extra: Any) -> Response:
        request.state.error = message
        if not request.url.path.startswith(("/api/", "/static/")):
            from cvid.web.pages import templates

            who = getattr(request.state, "caller", None)
            return templates.TemplateResponse(
                request,
                "error.html",
                {"who": who, "status": status, "message": message, "csrf": ""},
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

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return reply(request, 403, str(exc))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        response = reply(request, 429, str(exc))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return reply(request, 404, str(exc))

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

        return login_redirect(request, str(exc.detail))

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> Response:
        return reply(request, 422, "the request is nested too deeply")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return reply(request, 500, f"internal error ({type(exc).__name__})")
