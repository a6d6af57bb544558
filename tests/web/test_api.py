"""The REST API over real HTTP against a running server, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from cvid.assess import assess
from cvid.ledger import (
    leaf_hash,
    sign_record,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from cvid.scenario import example_path, loads_scenario
from tests.web.conftest import Deployment, declaration, inspection, login, start_deployment

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")


def test_health_needs_no_token(dep: Deployment) -> None:
    with dep.client() as c:
        r = c.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["ok"] is True


def test_me_reports_role_and_rights(dep: Deployment) -> None:
    with dep.client("state") as c:
        me = c.get("/api/v1/me").json()
    assert me["name"] == "dprk"
    assert me["role"] == "state"
    assert "declaration" in me["may_sign"]
    assert "inspection" not in me["may_sign"]


def test_scenario_upload_list_get_and_assess_same_result_as_library(dep: Deployment) -> None:
    with dep.client("inspectorate") as c:
        r = c.post("/api/v1/scenarios", json={"toml": LIBYA})
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert r.json()["name"] == "libya-2003"
        listed = c.get("/api/v1/scenarios").json()
        assert sid in [s["id"] for s in listed]
        got = c.get(f"/api/v1/scenarios/{sid}").json()
        assert got["toml"] == LIBYA
        r = c.post(f"/api/v1/scenarios/{sid}/assessments", params={"ledger": False})
        assert r.status_code == 201, r.text
        aid = r.json()["id"]
        r = c.post(f"/api/v1/scenarios/{sid}/assessments")
        assert r.status_code == 201, r.text
        with_ledger = r.json()
    with dep.client("observer") as c:
        fetched = c.get(f"/api/v1/assessments/{aid}").json()
    source = f"scenario {sid} (libya-2003)"
    expected = assess(loads_scenario(LIBYA), source=source).to_dict()
    assert fetched["result"] == json.loads(json.dumps(expected))
    assert fetched["overall"] == expected["overall"]
    # with the service's ledger: the same, plus the compliance of the agreement as of now
    direct = assess(loads_scenario(LIBYA), source=source, ledger=dep.db).to_dict()
    got_compliance = with_ledger["result"].pop("compliance")
    want_compliance = direct.pop("compliance")
    assert with_ledger["result"] == json.loads(json.dumps(direct))
    assert got_compliance["agreement"] == "libya-2003"
    assert {k: v for k, v in got_compliance.items() if k != "at"} == json.loads(
        json.dumps({k: v for k, v in want_compliance.items() if k != "at"})
    )


def test_assessment_report_is_rendered_in_the_background_on_first_request(dep: Deployment) -> None:
    import time

    import httpx

    with dep.client("admin") as c:
        sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
        aid = c.post(f"/api/v1/scenarios/{sid}/assessments").json()["id"]
        assert c.get(f"/api/v1/assessments/{aid}").json()["report_ready"] is False
        first = c.get(f"/api/v1/assessments/{aid}/report")  # starts the rendering
        assert first.status_code == 409
        assert first.headers["retry-after"] == "2"
        deadline = time.monotonic() + 60
        while not c.get(f"/api/v1/assessments/{aid}").json()["report_ready"]:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    with httpx.Client(base_url=dep.url) as page:
        login(page, dep.tokens["state"])
        html = page.get(f"/assessments/{aid}/report").text
    with dep.client("observer") as c:
        r = c.get(f"/api/v1/assessments/{aid}/report")
        assert r.headers["content-type"].startswith("text/html")
        assert r.text == html
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<svg" in html
    assert "Libya" in html


def test_invalid_scenario_is_422_with_problems_and_validate_does_not_store(dep: Deployment) -> None:
    broken = LIBYA.replace('name = "libya-2003"', "name = 12", 1)
    with dep.client("admin") as c:
        before = len(c.get("/api/v1/scenarios").json())
        v = c.post("/api/v1/scenarios/validate", json={"toml": broken})
        assert v.status_code == 200
        assert v.json()["valid"] is False
        assert any("meta.name" in p["field"] for p in v.json()["problems"])
        ok = c.post("/api/v1/scenarios/validate", json={"toml": LIBYA}).json()
        assert ok == {"valid": True, "name": "libya-2003", "title": ok["title"], "problems": []}
        r = c.post("/api/v1/scenarios", json={"toml": broken})
        assert r.status_code == 422
        assert "meta.name" in r.json()["detail"]
        r = c.post("/api/v1/scenarios", json={"toml": "not = [toml"})
        assert r.status_code == 422
        assert "invalid TOML" in r.json()["detail"]
        assert len(c.get("/api/v1/scenarios").json()) == before


def test_append_then_read_record_and_verify_proofs_and_checkpoint(dep: Deployment) -> None:
    with dep.client("inspectorate") as c:
        info = c.get("/api/v1/ledger").json()
        size0 = info["tree_size"]
        signed = [dep.sign("inspectorate", inspection(f"site-{i}")) for i in range(3)]
        r = c.post("/api/v1/ledger/records", json={"records": signed})
        assert r.status_code == 201, r.text
        indices = r.json()["indices"]
        assert indices == [size0, size0 + 1, size0 + 2]
        rec = c.get(f"/api/v1/ledger/records/{indices[1]}").json()
        assert rec["record"] == signed[1]
        assert rec["signer"] == "inspectors"
        data = base64.b64decode(rec["data"])
        assert leaf_hash(data).hex() == rec["leaf_hash"]
        cp = c.get("/api/v1/ledger/checkpoint").json()
        checked = verify_checkpoint(cp["note"], info["verifier_key"], origin=info["origin"])
        assert checked.size == cp["tree_size"] >= size0 + 3
        proof = c.get(
            f"/api/v1/ledger/records/{indices[1]}/inclusion", params={"tree_size": checked.size}
        ).json()
        verify_inclusion(
            leaf_hash(data),
            indices[1],
            checked.size,
            [bytes.fromhex(p) for p in proof["proof"]],
            checked.root_hash,
        )
        cons = c.get("/api/v1/ledger/consistency", params={"old": size0 + 1}).json()
        verify_consistency(
            cons["old_size"],
            cons["new_size"],
            [bytes.fromhex(p) for p in cons["proof"]],
            bytes.fromhex(cons["old_root"]),
            bytes.fromhex(cons["new_root"]),
        )
        page = c.get("/api/v1/ledger/records", params={"start": indices[0], "limit": 2}).json()
        assert [e["index"] for e in page["records"]] == indices[:2]


def _size(dep: Deployment) -> int:
    with dep.client("observer") as c:
        return int(c.get("/api/v1/ledger").json()["tree_size"])


def test_ledger_role_rules_hold_over_http(dep: Deployment) -> None:
    size = _size(dep)
    # the state may not sign an inspection, nor append one signed by the inspectorate
    with dep.client("state") as c:
        r = c.post(
            "/api/v1/ledger/records", json={"records": [dep.sign("inspectorate", inspection())]}
        )
        assert r.status_code == 403
        assert "own key" in r.json()["detail"]
        # its own declaration is fine
        r = c.post("/api/v1/ledger/records", json={"records": [dep.sign("state", declaration())]})
        assert r.status_code == 201, r.text
    with dep.client("observer") as c:
        # an observer signing an inspection: the role rule refuses it
        bogus = inspection()
        bogus["signer"] = {"name": "obs", "role": "observer", "public_key": "A" * 43 + "="}
        bogus["signature"] = "A" * 86 + "=="
        r = c.post("/api/v1/ledger/records", json={"records": [bogus]})
        assert r.status_code == 403
        assert "may not append 'inspection'" in r.json()["detail"]
    # a forged signature under the inspectorate's name: refused, 422
    forged = dep.sign("inspectorate", inspection())
    forged["payload"] = {**forged["payload"], "access": "partial"}
    with dep.client("inspectorate") as c:
        r = c.post("/api/v1/ledger/records", json={"records": [forged]})
        assert r.status_code == 422
        assert "signature" in r.json()["detail"]
        # one bad record in a batch: nothing is written
        good = dep.sign("inspectorate", inspection("batch"))
        r = c.post("/api/v1/ledger/records", json={"records": [good, forged]})
        assert r.status_code == 422
    assert _size(dep) == size + 1


@pytest.mark.parametrize(
    ("body", "headers", "status", "words"),
    [
        (b"{not json", {"content-type": "application/json"}, 422, "JSON"),
        (b'{"records": []}', {"content-type": "application/json"}, 422, "records"),
        (b'{"records": [1]}', {"content-type": "application/json"}, 422, "records"),
        (
            b'{"records": [{"kind": "x"}], "extra": 1}',
            {"content-type": "application/json"},
            422,
            "extra",
        ),
        (b"[]", {"content-type": "application/json"}, 422, "body"),
        (b'{"records": [{"kind": "nope"}]}', {"content-type": "application/json"}, 403, "own key"),
    ],
)
def test_malformed_appends_are_4xx_and_change_nothing(
    dep: Deployment, body: bytes, headers: dict[str, str], status: int, words: str
) -> None:
    size = _size(dep)
    with dep.client("inspectorate") as c:
        r = c.post("/api/v1/ledger/records", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert _size(dep) == size


def test_oversized_body_is_413(dep: Deployment) -> None:
    size = _size(dep)
    big = b'{"records": [' + b'{"a": "' + b"x" * 1_100_000 + b'"}]}'
    with dep.client("inspectorate") as c:
        r = c.post(
            "/api/v1/ledger/records", content=big, headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
        assert "larger than" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # streamed without Content-Length
            for _ in range(20):
                yield b"x" * 100_000

        r = c.post(
            "/api/v1/ledger/records", content=chunks(), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413
    assert _size(dep) == size


def test_tokens_missing_bad_or_malformed_are_401(dep: Deployment) -> None:
    with dep.client() as c:
        r = c.get("/api/v1/scenarios")
        assert r.status_code == 401
        assert "missing API token" in r.json()["detail"]
        r = c.get("/api/v1/scenarios", headers={"Authorization": "Basic abc"})
        assert r.status_code == 401
        assert "Bearer" in r.json()["detail"]
    with dep.client(token="cvid_not-a-real-token") as c:
        r = c.get("/api/v1/scenarios")
        assert r.status_code == 401
        assert r.json()["detail"] == "invalid API token"


def test_rotated_token_replaces_the_old_one(dep: Deployment) -> None:
    from cvid.ledger import generate_party_key

    key = generate_party_key(f"tmp-{len(dep.url) % 7}-{_size(dep)}", "observer")
    with dep.client("admin") as c:
        r = c.post("/api/v1/parties", json={"name": key.name, "role": "observer"})
        assert r.status_code == 201, r.text
        old = r.json()["token"]
        assert "token" not in str(c.get("/api/v1/parties").json())
        new = c.post(f"/api/v1/parties/{key.name}/token").json()["token"]
    with dep.client(token=old) as c:
        assert c.get("/api/v1/me").status_code == 401
    with dep.client(token=new) as c:
        assert c.get("/api/v1/me").json()["name"] == key.name


def test_every_write_is_in_the_audit_log_with_who_and_when(dep: Deployment) -> None:
    with dep.client("inspectorate") as c:
        r = c.post(
            "/api/v1/ledger/records",
            json={"records": [dep.sign("inspectorate", inspection("audited"))]},
        )
        assert r.status_code == 201
        idx = r.json()["indices"][0]
        refused = c.post("/api/v1/parties", json={"name": "nobody", "role": "admin"})
        assert refused.status_code == 403
    with dep.client("observer") as c:
        lines = c.get("/api/v1/audit").json()
    mine = [x for x in lines if x["detail"] == f"appended records {idx}..{idx}"]
    assert len(mine) == 1
    assert mine[0]["party"] == "inspectors"
    assert mine[0]["role"] == "inspectorate"
    assert mine[0]["status"] == 201
    assert mine[0]["time"].endswith("Z")
    denied = [x for x in lines if x["path"] == "/api/v1/parties" and x["status"] == 403]
    assert denied
    assert denied[0]["party"] == "inspectors"
    assert "may not create parties" in denied[0]["detail"]


def test_not_found_and_out_of_range_are_4xx(dep: Deployment) -> None:
    with dep.client("observer") as c:
        assert c.get("/api/v1/scenarios/999999").status_code == 404
        assert c.get("/api/v1/assessments/999999").status_code == 404
        r = c.get("/api/v1/ledger/records/999999")
        assert r.status_code == 422
        assert "no record 999999" in r.json()["detail"]
        assert c.get("/api/v1/ledger/records/-1").status_code == 422
        r = c.get("/api/v1/ledger/records/0/inclusion", params={"tree_size": 10**9})
        assert r.status_code == 422
        assert c.get("/api/v1/ledger/consistency", params={"old": 0}).status_code == 422


def test_failed_logins_are_rate_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, d = start_deployment(str(tmp_path / "rl.db"), None, login_limit=3, login_window=30)
    try:
        with d.client(token="cvid_wrong") as bad:
            codes = [bad.get("/api/v1/me").status_code for _ in range(5)]
            r = bad.get("/api/v1/me")
        assert codes == [401, 401, 401, 429, 429]
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        with d.client("observer") as good:  # a valid token from that address still works
            assert good.get("/api/v1/me").status_code == 200
        with d.client() as anon:
            assert anon.get("/api/v1/health").status_code == 200
    finally:
        server.__exit__()


def test_admin_registers_a_key_later_and_signs_a_concession(dep: Deployment) -> None:
    from cvid.ledger import generate_party_key
    from tests.web.records import record

    name = f"root-{_size(dep)}"
    key = generate_party_key(name, "admin")
    with dep.client(token=dep.admin_token) as c:
        token = c.post("/api/v1/parties", json={"name": name, "role": "admin"}).json()["token"]
    with dep.client(token=token) as c:
        signed = sign_record(record("concession"), key)
        r = c.post("/api/v1/ledger/records", json={"records": [signed]})
        assert r.status_code == 422  # no key registered yet
        assert "not a registered party" in r.json()["detail"]
        r = c.post(f"/api/v1/parties/{name}/key", json={"public_key": key.public.public_key_b64})
        assert r.status_code == 200, r.text
        assert c.get("/api/v1/me").json()["public_key"] == key.public.public_key_b64
        r = c.post("/api/v1/ledger/records", json={"records": [signed]})
        assert r.status_code == 201, r.text
        again = c.post(
            f"/api/v1/parties/{name}/key", json={"public_key": key.public.public_key_b64}
        )
        assert again.status_code == 422
        assert "already has a key" in again.json()["detail"]
