"""The web's refusals are cvid errors that carry their HTTP status and headers (issue 17): one
handler answers them all, the API with JSON, the pages with a page or the login form."""

from __future__ import annotations

import httpx
import pytest

from cvid.errors import CvidError
from cvid.web.service import (
    Busy,
    CrossSite,
    Forbidden,
    NotFound,
    NotReady,
    ServiceError,
    SplitViewFound,
    Unauthenticated,
)
from tests.web.conftest import Deployment


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Unauthenticated, 401),
        (Forbidden, 403),
        (CrossSite, 403),
        (NotFound, 404),
        (NotReady, 409),
        (SplitViewFound, 409),
        (Busy, 429),
    ],
)
def test_each_web_error_is_a_cvid_error_with_its_status(
    error: type[ServiceError], status: int
) -> None:
    exc = error("why")
    assert isinstance(exc, CvidError)
    assert exc.http_status == status
    assert str(exc) == "why"
    if status in (409, 429) and error is not SplitViewFound:
        assert int(exc.headers["Retry-After"]) >= 1


def test_refusals_over_http_carry_status_and_headers(sqlite_dep: Deployment) -> None:
    d = sqlite_dep
    r = httpx.get(d.url + "/api/v1/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["detail"].startswith("missing API token")
    r = httpx.get(d.url + "/api/v1/me", headers={"Authorization": "Basic x"})
    assert r.status_code == 401
    assert "malformed Authorization header" in r.json()["detail"]
    r = httpx.get(d.url + "/ledger", follow_redirects=False)  # a page: to the login form
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    with d.client("observer") as c:
        r = c.post("/api/v1/parties", json={"name": "x", "role": "observer"})
        assert r.status_code == 403
        assert "a observer may not" in r.json()["detail"] or "observer" in r.json()["detail"]
        assert c.get("/api/v1/scenarios/999999").status_code == 404
