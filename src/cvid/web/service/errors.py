"""The service's refusals: :class:`cvid.errors.CvidError` subclasses that carry the HTTP status
(and headers) they are answered with, and the checks shared by every part of the service."""

from __future__ import annotations

from collections.abc import Mapping

from cvid.errors import CvidError
from cvid.web.security import Caller

#: Largest row id the database can hold (SQLite and PostgreSQL BIGINT); larger is "not found".
MAX_ROW_ID = 2**63 - 1


class ServiceError(CvidError):
    """A request the service refuses; ``http_status`` is the HTTP status it answers with and
    ``headers`` the response headers that go with it (``WWW-Authenticate``, ``Retry-After``)."""

    http_status = 400

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers: dict[str, str] = dict(headers or {})


class Unauthenticated(ServiceError):
    """No valid credentials: no token, a malformed or unknown one, or an ended page session
    (HTTP 401; the pages send the browser to the login form)."""

    http_status = 401


class Forbidden(ServiceError):
    """The caller's role may not do this (HTTP 403)."""

    http_status = 403


class CrossSite(Forbidden):
    """A state-changing request from another site or without its form's anti-forgery token
    (HTTP 403)."""


class Busy(ServiceError):
    """Too much work queued, or too many failed logins (HTTP 429, with ``Retry-After``)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(max(int(retry_after), 1))})


class NotReady(ServiceError):
    """The result exists but is still being made, e.g. a report being rendered (HTTP 409,
    with ``Retry-After``)."""

    http_status = 409

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message, headers={"Retry-After": str(max(int(retry_after), 1))})


class NotFound(ServiceError):
    """No such scenario, assessment, job or record (HTTP 404)."""

    http_status = 404


class SplitViewFound(ServiceError):
    """A witness presented a checkpoint this log signed for a tree it does not hold (HTTP
    409): the evidence is kept (:meth:`Store.split_views`) and shown as an alert."""

    http_status = 409


def is_row_id(value: int) -> bool:
    """True if ``value`` can be a row id (1 .. :data:`MAX_ROW_ID`); others are not found."""
    return 1 <= value <= MAX_ROW_ID


def require(caller: Caller, right: str, what: str) -> None:
    if not caller.may(right):
        raise Forbidden(f"a {caller.role} may not {what}")


__all__ = [
    "MAX_ROW_ID",
    "Busy",
    "CrossSite",
    "Forbidden",
    "NotFound",
    "NotReady",
    "ServiceError",
    "SplitViewFound",
    "Unauthenticated",
    "is_row_id",
    "require",
]
