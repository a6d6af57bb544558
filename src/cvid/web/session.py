"""Browser sessions and anti-forgery tokens of the pages.

The page cookie ``cvid_session`` holds a random session id, never an API token: the token is
pasted once into the login form, checked, and exchanged for a server-side session
(:class:`cvid.web.security.Sessions`) that ends after 30 minutes idle, 12 hours after login,
at logout, or when the party's token is replaced. The cookie is HttpOnly, SameSite=Strict and
``Secure`` when the request came over TLS (directly, or through a trusted proxy that says so).

Every state-changing form carries an anti-forgery value checked on POST: the session's own
random value, or, on the login form (no session yet), an HMAC of a random login cookie under a
key of this process. Requests that say they come from another origin (``Origin``,
``Referer``, ``Sec-Fetch-Site``) are refused before any handler runs (:func:`cross_site`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from typing import Any

from fastapi import Request, Response

from cvid.web.security import Caller, Session, same_secret
from cvid.web.service import CrossSite, Service, Unauthenticated

SESSION_COOKIE = "cvid_session"
LOGIN_COOKIE = "cvid_login"
#: How long a login form stays valid (seconds).
LOGIN_FORM_SECONDS = 3600
#: How much longer the session cookie lives than the session itself (seconds). Clients count
#: a cookie's Max-Age from the whole second (Python's cookie jar from ``int(time.time())``),
#: so a cookie of exactly the session's length can vanish up to a second before the session
#: ends; the server, not the client's rounding, ends sessions (and can then say so).
COOKIE_MARGIN_SECONDS = 60
_FORM_KEY = secrets.token_bytes(32)


def _svc(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def secure(request: Request) -> bool:
    """True if the request came over TLS (the scheme a trusted proxy reported counts)."""
    return request.url.scheme == "https"


def session_of(request: Request) -> Session | None:
    """The live browser session of this request, or None."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    s = _svc(request).sessions.get(sid)
    if s is not None:
        request.state.session = s
    return s


def page_caller(request: Request) -> Caller:
    """The party of the page session (HTTP 401, sent to the login page, if none)."""
    s = session_of(request)
    if s is None:
        expired = SESSION_COOKIE in request.cookies
        raise Unauthenticated(
            "your session has ended; log in again" if expired else "please log in"
        )
    request.state.caller = s.caller
    return s.caller


def _login_value(nonce: str) -> str:
    return hmac.new(_FORM_KEY, b"cvid-login\n" + nonce.encode(), hashlib.sha256).hexdigest()


def form_token(request: Request) -> str:
    """The anti-forgery value for forms rendered in this request: the session's, or (before
    login) the login form's, whose cookie :func:`finish_form` sets."""
    s = session_of(request)
    if s is not None:
        return s.csrf
    nonce = request.cookies.get(LOGIN_COOKIE) or getattr(request.state, "login_nonce", None)
    if not nonce or len(nonce) > 100:
        nonce = secrets.token_urlsafe(32)
    request.state.login_nonce = nonce
    return _login_value(nonce)


def finish_form(request: Request, response: Response) -> Response:
    """Set the login form's cookie if :func:`form_token` made one for this page."""
    nonce = getattr(request.state, "login_nonce", None)
    if nonce and request.cookies.get(LOGIN_COOKIE) != nonce:
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=LOGIN_FORM_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure(request),
        )
    return response


def check_form(request: Request, value: str | None) -> None:
    """Refuse (:class:`CrossSite`, HTTP 403) a form whose anti-forgery value is missing or
    not this session's (or this login form's)."""
    s = session_of(request)
    if s is not None:
        expected = s.csrf
    else:
        nonce = request.cookies.get(LOGIN_COOKIE)
        expected = _login_value(nonce) if nonce and len(nonce) <= 100 else ""
    if not value or not expected or not same_secret(value, expected):
        raise CrossSite("the form is stale or from another site; reload the page")


def start_session(request: Request, response: Response, who: Caller) -> None:
    """Log ``who`` in: a new session (any previous one of this browser ends) in the cookie."""
    svc = _svc(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        svc.sessions.revoke(old)
    sid, s = svc.sessions.create(who)
    request.state.session = s
    response.set_cookie(
        SESSION_COOKIE,
        sid,
        max_age=math.ceil(svc.sessions.absolute) + COOKIE_MARGIN_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(request: Request, response: Response) -> bool:
    """Log out: the session is revoked on the server and its cookie removed. True if there
    was a live session."""
    sid = request.cookies.get(SESSION_COOKIE)
    live = bool(sid) and _svc(request).sessions.revoke(sid or "")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return live


def cross_site(headers: Any, scheme: str) -> str | None:
    """Why a state-changing request with these headers comes from another site, or None.

    ``Sec-Fetch-Site`` other than ``same-origin``/``none`` is refused; so is an ``Origin``
    (or, without it, a ``Referer``) other than this server's scheme and host. A request with
    none of these headers (an API client) passes: forms still need their anti-forgery value.
    """
    host = headers.get("host")
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"a {site} request"
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if referer is None:
            return None
        parts = referer.split("/", 3)
        origin = "/".join(parts[:3]) if len(parts) >= 3 else referer
    if origin == "null" or host is None:
        return f"origin {origin!r}"
    if origin.lower() != f"{scheme}://{host}".lower():
        return f"origin {origin[:100]!r}"
    return None
