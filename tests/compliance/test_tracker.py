"""The incremental tracker, access timed by the inspectorate's own records, moratoria that
hold, ambiguous observations, and the kind of source on every finding."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.compliance import ComplianceTracker, Evidence, evaluate, replay_stream
from cvid.ledger import Ledger
from cvid.scenario import load_scenario

LIBYA = load_scenario("libya-2003")
SIX = load_scenario("six-party-2007")
HERE = Path(__file__).parent
FREEZE = load_scenario(HERE / "data" / "dprk-freeze-2018.toml")


def ev(
    i: int,
    kind: str,
    when: str,
    role: str,
    payload: dict[str, Any],
    commitments: tuple[str, ...] = (),
    items: tuple[str, ...] = (),
    basis: dict[str, Any] | None = None,
) -> Evidence:
    t = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return Evidence(i, kind, t, f"p-{role}", role, commitments, items, payload, basis)


# ---------------------------------------------------------------- access timeliness


def test_backdated_grant_cannot_hide_a_54_hour_delay() -> None:
    """Libya's agreement: anywhere-anytime access on 2 h notice (libya-2003.toml
    provisions.challenge_notice_hours). The state signs a grant dated one hour after the
    request; the inspectorate's own inspection record says it got in 54 h after the request.
    Timeliness is the 54 h, measured against the agreed 2 h."""
    notice = LIBYA.agreement.provisions.challenge_notice_hours
    assert notice == 2
    req = ev(
        0,
        "access-request",
        "2004-01-05T08:00:00",
        "inspectorate",
        {"request_id": "r1", "site": "tajura", "access": "site"},
    )
    grant = ev(
        1,
        "access-granted",
        "2004-01-05T09:00:00",
        "state",
        {"request_id": "r1", "scope": "full"},
    )
    entry = ev(
        2,
        "inspection",
        "2004-01-07T14:00:00",
        "inspectorate",
        {
            "site": "tajura",
            "started": "2004-01-07T14:00:00Z",
            "access": "full",
            "activities": [],
        },
    )
    state = evaluate(LIBYA, [req, grant, entry], "2004-01-10")
    (a,) = state.access
    assert a.delay_hours == 54.0
    assert a.measured_by == "inspectorate-entry"
    assert a.entered == entry.time and a.answered == grant.time
    assert a.within_notice is False
    (f,) = [f for f in state.findings if f.kind == "access-delayed"]
    assert f.severity == "fail"  # anywhere-anytime
    assert "54 h after the request" in f.message and "agreed notice is 2 h" in f.message
    assert "grant is dated 1 h after the request, 53 h before" in f.message
    assert any(i.kind == "access-delayed-or-denied" for i in state.indicators)
    # without the inspectorate's record of entry the grant alone shows nothing timely
    only_grant = evaluate(LIBYA, [req, grant], "2004-01-10")
    (b,) = only_grant.access
    assert b.outcome == "not-entered" and b.within_notice is False
    assert any(
        f.kind == "access-unanswered" and "has not recorded getting in" in f.message
        for f in only_grant.findings
    )
    # entry within the notice: timely
    quick = ev(
        3,
        "inspection",
        "2004-01-05T09:30:00",
        "inspectorate",
        {"site": "tajura", "started": "2004-01-05T09:30:00Z", "access": "full"},
    )
    (c,) = evaluate(LIBYA, [req, grant, quick], "2004-01-10").access
    assert (c.outcome, c.delay_hours, c.within_notice) == ("granted", 1.5, True)


def test_a_state_signed_inspection_is_no_record_of_entry() -> None:
    req = ev(
        0,
        "access-request",
        "2004-01-05T08:00:00",
        "inspectorate",
        {"request_id": "r1", "site": "s", "access": "site"},
    )
    fake = ev(
        1,
        "inspection",
        "2004-01-05T09:00:00",
        "state",
        {"site": "s", "started": "2004-01-05T09:00:00Z", "access": "full"},
    )
    (a,) = evaluate(LIBYA, [req, fake], "2004-01-10").access
    assert a.outcome == "unanswered" and a.entered is None


# ---------------------------------------------------------------- moratoria and ambiguity


def test_a_moratorium_that_holds_is_holding_not_overdue() -> None:
    # nothing on the ledger a year into the 2018 freeze: both moratoria hold
    state = evaluate(FREEZE, [], "2019-04-21")
    assert {c.id: c.status for c in state.commitments} == {
        "no-icbm-launches": "holding",
        "no-nuclear-tests": "holding",
    }
    assert [(ch.before, ch.after) for ch in state.timeline] == [("pending", "holding")] * 2
    assert not [f for f in state.findings if f.kind == "overdue"]
    # a facility freeze still needs its verification: Six-Party's shutdown is overdue
    six = evaluate(SIX, [], "2008-01-01")
    assert six.commitment("shutdown-and-seal").status == "overdue"


def test_an_unresolved_launch_is_a_finding_never_a_violation() -> None:
    basis = {
        "kind": "press",
        "document": "CNS record 300",
        "time_zone": "UTC",
        "unresolved": {
            "question": "possible ICBM test",
            "targets": ["icbm-testing", "long-range-launch"],
        },
    }
    launch = ev(
        0,
        "observation",
        "2022-05-24T21:00:00",
        "observer",
        {"description": "a launch of unknown type"},
        items=("missile-testing",),
        basis=basis,
    )
    state = evaluate(FREEZE, [launch], "2022-06-01")
    assert state.commitment("no-icbm-launches").status == "holding"
    (f,) = [f for f in state.findings if f.kind == "unresolved"]
    assert f.message.startswith("unresolved: possible ICBM test on 2022-05-24")
    assert f.severity == "warn" and f.figures["commitments"] == ["no-icbm-launches"]
    assert f.sources == ("press",)


def test_findings_carry_the_kind_of_source_of_their_records() -> None:
    est = {
        "kind": "estimate",
        "document": "IHT 2008-06-01",
        "time_zone": "KST date",
        "method": "reconstruction from operating records",
        "uncertainty": {"low": 28, "high": 60, "central": 37, "unit": "kg", "meaning": "range"},
    }
    decl = ev(
        0,
        "declaration",
        "2008-06-26",
        "state",
        {
            "declared": [{"item": "plutonium", "category": "material", "quantity": 30.8}],
            "complete": True,
        },
        ("declaration",),
        basis={"kind": "state-claim", "document": "declaration", "time_zone": "KST"},
    )
    recon = ev(
        1,
        "finding",
        "2008-06-26",
        "inspectorate",
        {
            "result": "discrepancy",
            "item": "plutonium",
            "measured_quantity": 37.0,
            "unit": "kg",
            "description": "records reading",
        },
        basis=est,
    )
    state = evaluate(SIX, [decl, recon], "2008-07-01")
    by_kind = {f.kind: f for f in state.findings}
    assert by_kind["discrepancy"].sources == ("estimate",)
    q = [f for f in state.findings if f.kind == "declaration-vs-finding"]
    assert {f.sources for f in q} == {
        ("state-claim", "estimate"),
        ("state-claim", "estimate (scenario)"),
    }
    # the estimate is never tested as a measurement, even though it is an inspectorate finding
    assert all(f.figures["test"] == "estimate-range" for f in q)
    assert by_kind["overdue"].sources[-1] == "scenario deadline"


# ---------------------------------------------------------------- the tracker


def _mixed(n: int, seed: int) -> list[Evidence]:
    """A Libya-like evidence stream of ``n`` records with every kind the engine reads."""
    rng = random.Random(seed)
    cids = [c.id for c in LIBYA.agreement.commitments]
    items = ["centrifuge-program", "uranium-conversion", "scud-c", "uf6", "heu-fuel"]
    start = datetime(2003, 12, 19, tzinfo=UTC)
    out = []
    for i in range(n):
        t = start + timedelta(hours=rng.randrange(0, 24 * 400))
        kind = rng.choice(
            [
                "inspection",
                "statement",
                "removal",
                "seal-check",
                "access-request",
                "access-granted",
                "finding",
                "concession",
                "observation",
                "declaration",
                "dismantlement",
                "disclosure",
            ]
        )
        role = {
            "statement": "state",
            "access-granted": "state",
            "declaration": "state",
            "disclosure": "state",
            "concession": "admin",
            "observation": "observer",
        }.get(kind, "inspectorate")
        payload: dict[str, Any] = {
            "site": rng.choice(items),
            "started": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "access": rng.choice(["full", "partial", "none"]),
            "activities": rng.sample(
                ["on-site-inspection", "challenge-inspection", "interviews", "document-review"],
                2,
            ),
            "claim": "fulfilled",
            "item": rng.choice(items),
            "destination": "US",
            "seal_id": "s1",
            "intact": rng.random() > 0.1,
            "request_id": f"r{rng.randrange(5)}",
            "scope": "full",
            "result": rng.choice(["consistent", "discrepancy", "undeclared"]),
            "description": "x",
            "concession_id": rng.choice(["travel-ban-lifted", "sanctions-eased", "unknown-one"]),
            "action": "released",
            "declared": [],
            "complete": True,
            "voluntary": True,
            "subject": "s",
            "method": "m",
            "irreversible": rng.random() > 0.5,
            "text": "t",
        }
        refs = tuple(rng.sample(cids, rng.randrange(0, 3)))
        if rng.random() < 0.02:
            refs = (*refs, "no-such-commitment")
        if rng.random() < 0.02:
            t = datetime(2003, 1, 1, tzinfo=UTC)
        out.append(Evidence(i, kind, t, "p", role, refs, tuple(rng.sample(items, 1)), payload))
    return out


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7), st.sampled_from(["2004-02-01", "2004-12-31"]))
def test_tracker_absorbing_in_chunks_and_any_order_equals_one_evaluation(
    seed: int, chunks: int, at: str
) -> None:
    """Invariant: the state does not depend on how or in which order the records arrive."""
    recs = _mixed(120, seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    want = evaluate(LIBYA, recs, at, now=now).to_dict()
    shuffled = recs[:]
    random.Random(seed).shuffle(shuffled)
    tracker = ComplianceTracker(LIBYA)
    step = max(1, len(shuffled) // chunks)
    for k in range(0, len(shuffled), step):
        tracker.absorb(shuffled[k : k + step])
        tracker.state(at, now=now)  # reading in between changes nothing
    assert tracker.state(at, now=now).to_dict() == want


def test_tracker_reads_only_new_records_and_starts_over_on_another_history(
    tmp_path: Path,
) -> None:
    replay_stream("libya-2003", tmp_path / "a.db")
    tracker = ComplianceTracker(LIBYA)
    with Ledger.open(tmp_path / "a.db") as led:
        n = tracker.absorb_ledger(led)
        assert n == led.size == tracker.size
        assert tracker.absorb_ledger(led) == 0  # nothing new
        first = tracker.state("2004-04-19")
        assert tracker.state("2004-04-19") is first  # cached until a record arrives
    replay_stream("six-party-2007", tmp_path / "a.db")  # another agreement's records
    with Ledger.open(tmp_path / "a.db") as led:
        assert tracker.absorb_ledger(led) == 0
        assert tracker.size == led.size
        assert tracker.state("2004-04-19").to_dict() == first.to_dict()
    # a different ledger of the same size or larger: the tracker starts over
    replay_stream("six-party-2007", tmp_path / "b.db")
    replay_stream("libya-2003", tmp_path / "b.db")
    with Ledger.open(tmp_path / "b.db") as led:
        assert tracker.absorb_ledger(led) == n
        again = tracker.state("2004-04-19").to_dict()
    # same Libya records at other indices: same statuses, other record numbers
    assert [c["status"] for c in again["commitments"]] == [c.status for c in first.commitments]
