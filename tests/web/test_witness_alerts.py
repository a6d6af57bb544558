"""Dashboard alerts about witnesses (issue 16 with issue 11's witnesses): a cosignature
missing, a quorum not met, and a split view reported by a witness through the API (a
checkpoint the log signed with another root for a size it holds, which the service keeps as
evidence). Real servers over HTTP, real C2SP cosignatures (cvid.ledger.witness)."""

from __future__ import annotations

from pathlib import Path

from cvid.ledger import Checkpoint, Ledger, read_private_key
from cvid.ledger.note import sign_checkpoint
from cvid.ledger.witness import WitnessState, cosign_checkpoint, generate_witness_key
from cvid.web import Service
from cvid.web.dashboard import build, version, witness_alerts
from tests.web.conftest import PARTY_NAMES, Deployment, start_deployment
from tests.web.records import record


def _append(d: Deployment, n: int) -> None:
    with d.client("inspectorate") as c:
        batch = [d.sign("inspectorate", record("finding")) for _ in range(n)]
        assert c.post("/api/v1/ledger/records", json={"records": batch}).status_code == 201


def _messages(svc: Service) -> list[str]:
    return [f"{a.kind} {a.severity}: {a.message}" for a in witness_alerts(svc)]


def test_missing_cosignatures_quorum_and_a_split_view(tmp_path: Path) -> None:
    keys = {n: generate_witness_key(f"{n}.example/witness") for n in ("a", "b", "c")}
    db = str(tmp_path / "w.db")
    server, d = start_deployment(db, None, witnesses=[k.vkey for k in keys.values()], quorum=3)
    svc: Service = server.server.config.app.state.service  # type: ignore[union-attr]
    try:
        _append(d, 3)
        # a policy and no cosignature at all: the quorum is not met anywhere
        assert _messages(svc) == [
            "witness fail: quorum not met: no checkpoint is cosigned by 3 of the 3 witnesses "
            "of the policy"
        ]
        # witnesses a and b cosign the current checkpoint and bring it through the API
        states = {n: WitnessState.create(tmp_path / f"{n}.json", keys[n]) for n in keys}
        with d.client("observer") as c:
            note = c.get("/api/v1/ledger/checkpoint").json()["note"]
            for n in ("a", "b"):
                done = cosign_checkpoint(states[n], keys[n], note, log_vkey=svc.verifier_key)
                r = c.post(
                    "/api/v1/ledger/cosignatures",
                    json={"checkpoint": done.note, "witness_key": keys[n].vkey},
                )
                assert r.status_code == 201, r.text
                assert r.json() == {"tree_size": 3, "witness": f"{n}.example/witness"}
        assert _messages(svc) == [
            "witness warn: quorum not met: the largest cosigned checkpoint (3 records) carries "
            "2 of the 3 cosignatures the policy needs (3 of 3)",
            "witness warn: cosignature missing: c.example/witness has not cosigned the "
            "checkpoint of 3 records that other witnesses cosigned",
        ]
        before = version(svc)
        _append(d, 2)  # the log grows past what the witnesses saw
        assert version(svc) != before
        assert (
            "witness warn: cosignature missing: the latest checkpoint (5 records) is not "
            "cosigned yet; witnesses cosigned up to 3 records, so the last 2 are not yet "
            "protected against a rewrite by the operator"
        ) in _messages(svc)

        # the log (its key) signs another tree of size 4 and shows it to witness c, who has
        # seen nothing else and cosigns it; c brings it to the service: a split view
        log_key = read_private_key(Path(db + ".logkey"), log=True)
        forged = sign_checkpoint(
            Checkpoint(svc.origin, 4, bytes(32)), svc.origin, log_key.private_key
        )
        done = cosign_checkpoint(states["c"], keys["c"], forged, log_vkey=svc.verifier_key)
        before = version(svc)
        with d.client("observer") as c:
            r = c.post(
                "/api/v1/ledger/cosignatures",
                json={"checkpoint": done.note, "witness_key": keys["c"].vkey},
            )
        assert r.status_code == 409, r.text
        assert "split view" in r.json()["detail"]
        with Ledger.open(db) as led:
            held = led.root_hash(4).hex()
        [split] = svc.store.split_views()
        assert (split["tree_size"], split["stored_root"]) == (4, held)
        assert (
            split["presented_root"] == "00" * 32 and split["reported_by"] == PARTY_NAMES["observer"]
        )
        assert version(svc) != before  # the dashboard's poll sees it
        alerts = [a for a in build(svc).alerts if a.kind == "split-view"]
        assert [a.severity for a in alerts] == ["fail"]
        assert f"holds root {held[:16]}" in alerts[0].message
        assert "cosigned by c.example/witness" in alerts[0].message
        # a cosignature that is not one (bad key) is a 422, not a split view
        with d.client("observer") as c:
            bad = c.post(
                "/api/v1/ledger/cosignatures",
                json={"checkpoint": done.note, "witness_key": "nobody+00000000+AAAA"},
            )
        assert bad.status_code == 422
        assert len(svc.store.split_views()) == 1
    finally:
        server.__exit__()


def test_without_a_policy_the_witnesses_that_cosigned_are_followed(tmp_path: Path) -> None:
    server, d = start_deployment(str(tmp_path / "n.db"), None)
    svc: Service = server.server.config.app.state.service  # type: ignore[union-attr]
    try:
        _append(d, 2)
        assert _messages(svc) == []  # no witness, no policy: nothing to say
        key = generate_witness_key("a.example/witness")
        state = WitnessState.create(tmp_path / "a.json", key)
        with Ledger.open(d.db) as led:
            done = cosign_checkpoint(state, key, led.checkpoint(), log_vkey=svc.verifier_key)
        with d.client("state") as c:
            r = c.post(
                "/api/v1/ledger/cosignatures",
                json={"checkpoint": done.note, "witness_key": key.vkey},
            )
            assert r.status_code == 201, r.text
        assert _messages(svc) == []  # cosigned up to the head
        _append(d, 1)
        [msg] = _messages(svc)
        assert msg.startswith("witness warn: cosignature missing: the latest checkpoint (3")
    finally:
        server.__exit__()


def test_a_bad_witness_policy_is_refused(tmp_path: Path) -> None:
    import pytest

    from cvid.errors import InputError

    key = generate_witness_key("a.example/witness")
    with pytest.raises(InputError, match="quorum 2 is not between 1 and the 1"):
        Service(str(tmp_path / "p.db"), witnesses=[key.vkey], quorum=2)
    with pytest.raises(InputError) as exc:
        Service(str(tmp_path / "q.db"), witnesses=["not-a-key"])
    assert exc.value.field == "witnesses[0]"
