"""Status transitions and findings on small hand-built evidence (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.compliance import METHOD_SIGNERS, Evidence, evaluate, satisfies_method
from cvid.errors import InputError
from cvid.scenario import load_scenario

LIBYA = load_scenario("libya-2003")
SIX = load_scenario("six-party-2007")


def ev(
    i: int,
    kind: str,
    day: str,
    role: str,
    commitments: list[str],
    payload: dict[str, Any],
    items: list[str] | None = None,
) -> Evidence:
    t = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Evidence(i, kind, t, f"p-{role}", role, tuple(commitments), tuple(items or ()), payload)


def inspection(i: int, day: str, c: str, acts: list[str], role: str = "inspectorate") -> Evidence:
    return ev(
        i,
        "inspection",
        day,
        role,
        [c],
        {"site": "x", "started": f"{day}T00:00:00Z", "access": "full", "activities": acts},
    )


def test_pending_claimed_verified_in_order() -> None:
    c = "access-all"  # needs on-site-inspection, challenge-inspection, interviews
    claim = ev(
        0, "statement", "2003-12-19", "state", [c], {"text": "we will", "claim": "fulfilled"}
    )
    insp = inspection(1, "2003-12-29", c, ["challenge-inspection", "interviews"])
    assert evaluate(LIBYA, [], "2003-12-19").commitment(c).status == "pending"
    assert evaluate(LIBYA, [claim], "2003-12-20").commitment(c).status == "claimed"
    state = evaluate(LIBYA, [claim, insp], "2003-12-30")
    assert state.commitment(c).status == "verified"
    assert state.commitment(c).evidence == (0, 1)
    changes = [(ch.before, ch.after) for ch in state.timeline if ch.commitment == c]
    assert changes == [("pending", "claimed"), ("claimed", "verified")]


def test_overdue_when_deadline_passes_without_verification() -> None:
    c = "access-all"
    claim = ev(0, "statement", "2003-12-19", "state", [c], {"text": "done", "claim": "fulfilled"})
    # deadline 1 month = 30.44 days after 2003-12-19 -> 2004-01-18
    assert evaluate(LIBYA, [claim], "2004-01-17").commitment(c).status == "claimed"
    st_ = evaluate(LIBYA, [claim], "2004-01-19").commitment(c)
    assert st_.status == "overdue"
    assert st_.claimed_on is not None


def test_state_signed_inspection_does_not_verify() -> None:
    c = "access-all"
    fake = inspection(0, "2003-12-29", c, ["challenge-inspection", "interviews"], role="state")
    assert evaluate(LIBYA, [fake], "2003-12-30").commitment(c).status == "pending"


def test_removal_needs_every_target_item() -> None:
    c = "remove-remaining"  # targets centrifuge-program, uranium-conversion, scud-c
    recs = [inspection(0, "2004-03-06", c, [])]
    for i, item in enumerate(["centrifuge-program", "uranium-conversion"], 1):
        recs.append(
            ev(i, "removal", "2004-03-06", "inspectorate", [c], {"item": item, "destination": "US"})
        )
    s1 = evaluate(LIBYA, recs, "2004-03-06").commitment(c)
    assert s1.status == "pending"
    assert s1.missing == ("act on scud-c",)
    recs.append(
        ev(3, "removal", "2004-03-06", "inspectorate", [c], {"item": "scud-c", "destination": "US"})
    )
    assert evaluate(LIBYA, recs, "2004-03-06").commitment(c).status == "verified"


def test_broken_seal_violates_freeze_even_after_verification() -> None:
    c = "shutdown-and-seal"
    recs = [
        inspection(0, "2007-03-01", c, []),
        ev(1, "seal-check", "2007-03-02", "inspectorate", [c], {"seal_id": "s1", "intact": True}),
        ev(
            2,
            "seal-check",
            "2008-09-24",
            "inspectorate",
            [],
            {"seal_id": "s1", "intact": False, "item": "reprocessing"},
        ),
    ]
    assert evaluate(SIX, recs, "2007-03-03").commitment(c).status == "verified"
    late = evaluate(SIX, recs, "2008-10-01")
    assert late.commitment(c).status == "violated"
    assert any(f.kind == "seal-broken" for f in late.findings)


def test_declaration_without_verification_method_never_verified() -> None:
    c = "declaration"  # verification = [] in six-party-2007.toml
    decl = ev(
        0,
        "declaration",
        "2008-06-26",
        "state",
        [c],
        {
            "declared": [
                {"item": "plutonium", "category": "material", "quantity": 30.8, "unit": "kg"}
            ],
            "complete": True,
        },
    )
    insp = inspection(1, "2008-07-01", c, ["document-review"])
    s = evaluate(SIX, [decl, insp], "2008-07-02")
    assert s.commitment(c).status == "overdue"
    assert "no verification method agreed" in s.commitment(c).missing
    assert any(f.kind == "unverifiable" for f in s.findings)


def test_relief_before_results_and_withheld_correctly() -> None:
    rel = ev(
        0,
        "concession",
        "2008-10-11",
        "admin",
        [],
        {"concession_id": "terrorism-list-removal", "action": "released"},
    )
    wh = ev(
        1,
        "concession",
        "2008-10-12",
        "admin",
        [],
        {"concession_id": "further-aid", "action": "withheld"},
    )
    s = evaluate(SIX, [rel, wh], "2008-11-01")
    verdicts = {c.id: c.verdict for c in s.concessions}
    assert verdicts == {
        "terrorism-list-removal": "relief-before-results",
        "further-aid": "withheld-correctly",
    }
    assert any(f.kind == "relief-before-results" and f.severity == "fail" for f in s.findings)


def _entry(i: int, when: str, site: str = "s", access: str = "full") -> Evidence:
    """The inspectorate's own record of getting in: an inspection that started ``when``."""
    return ev(
        i,
        "inspection",
        when,
        "inspectorate",
        [],
        {"site": site, "started": f"{when}Z", "access": access, "activities": []},
    )


def test_access_delay_beyond_notice_and_denial() -> None:
    # Libya: anywhere-anytime with 2 hours notice
    req = ev(
        0,
        "access-request",
        "2004-01-05T08:00:00",
        "inspectorate",
        [],
        {"request_id": "r1", "site": "s", "access": "site"},
    )
    ok = ev(
        1,
        "access-granted",
        "2004-01-05T09:00:00",
        "state",
        [],
        {"request_id": "r1", "scope": "full"},
    )
    req2 = ev(
        2,
        "access-request",
        "2004-01-06T08:00:00",
        "inspectorate",
        [],
        {"request_id": "r2", "site": "s", "access": "site"},
    )
    late = ev(
        3,
        "access-granted",
        "2004-01-07T08:00:00",
        "state",
        [],
        {"request_id": "r2", "scope": "full"},
    )
    req3 = ev(
        4,
        "access-request",
        "2004-01-08T08:00:00",
        "inspectorate",
        [],
        {"request_id": "r3", "site": "s", "access": "site"},
    )
    no = ev(
        5, "access-denied", "2004-01-08T09:00:00", "state", [], {"request_id": "r3", "reason": "no"}
    )
    got_in = [_entry(6, "2004-01-05T09:30:00"), _entry(7, "2004-01-07T08:00:00")]
    s = evaluate(LIBYA, [req, ok, req2, late, req3, no, *got_in], "2004-01-09")
    out = {a.request_id: (a.outcome, a.delay_hours, a.within_notice) for a in s.access}
    assert out == {
        "r1": ("granted", 1.5, True),
        "r2": ("granted", 24.0, False),
        "r3": ("denied", 1.0, False),
    }
    assert {a.request_id: a.measured_by for a in s.access} == {
        "r1": "inspectorate-entry",
        "r2": "inspectorate-entry",
        "r3": "denial",
    }
    kinds = {f.kind for f in s.findings}
    assert {"access-delayed", "access-denied"} <= kinds


def test_shortfall_judged_against_uncertainty() -> None:
    """Declared 30.8 kg against a measured 37 kg with the regime's 1 %/0.5 % errors:
    σ = hypot(37, 30.8)·hypot(0.01, 0.005) = 0.54 kg, so 6.2 kg (0.78 SQ of 8 kg) is far beyond
    1.645 σ. The scenario's 28–50 kg range is an estimate: judged by its own range only (30.8
    lies inside it), never by the measurement test."""
    decl = ev(
        0,
        "declaration",
        "2008-06-26",
        "state",
        ["declaration"],
        {
            "declared": [
                {"item": "plutonium", "category": "material", "quantity": 30.8, "unit": "kg"}
            ],
            "complete": True,
        },
    )
    meas = ev(
        1,
        "finding",
        "2008-06-26",
        "inspectorate",
        [],
        {
            "result": "discrepancy",
            "item": "plutonium",
            "measured_quantity": 37.0,
            "unit": "kg",
            "description": "x",
        },
    )
    s = evaluate(SIX, [decl, meas], "2008-07-01")
    qs = [f for f in s.findings if f.kind == "declaration-vs-finding"]
    by_ref = {f.figures["reference_kg"]: f for f in qs}
    m = by_ref[37.0].figures
    assert m["shortfall_sq"] == pytest.approx(6.2 / 8)
    assert m["sigma_kg"] == pytest.approx((37**2 + 30.8**2) ** 0.5 * (0.01**2 + 0.005**2) ** 0.5)
    assert m["significant"] is True
    assert m["test"] == "one-sided measurement test"
    assert by_ref[37.0].sources == (
        "state-claim (inferred from signer role)",
        "measurement (inferred from signer role)",
    )
    e = by_ref[39.0].figures
    assert e["test"] == "estimate-range"
    assert (e["low_kg"], e["high_kg"], e["position"]) == (28.0, 50.0, "within")
    assert "significant" not in e and "alpha" not in e
    assert e["sigma_kg"] == pytest.approx(22 / 12**0.5)  # the estimate's own, for display
    assert e["shortfall_sq"] == pytest.approx(8.2 / 8)
    assert by_ref[39.0].severity == "warn"  # 8.2 kg ≥ 1 SQ below the central value


def test_strict_check_names_record_and_reason() -> None:
    """With ``check`` (for authored files) evidence the scenario cannot place is refused."""
    bad = ev(7, "statement", "2004-01-01", "state", ["no-such"], {"text": "x", "claim": "none"})
    with pytest.raises(InputError, match=r"record 7.*no-such"):
        evaluate(LIBYA, [bad], check=True)
    early = ev(3, "statement", "2003-01-01", "state", [], {"text": "x", "claim": "none"})
    with pytest.raises(InputError, match=r"record 3.*before the agreement"):
        evaluate(LIBYA, [early], check=True)
    future = ev(4, "statement", "2099-01-01", "state", [], {"text": "x", "claim": "none"})
    with pytest.raises(InputError, match=r"record 4.*future"):
        evaluate(LIBYA, [future], check=True)


def test_evidence_outside_the_agreement_is_a_finding_not_an_error() -> None:
    bad = ev(7, "statement", "2004-01-01", "state", ["no-such"], {"text": "x", "claim": "none"})
    early = ev(3, "statement", "2003-01-01", "state", [], {"text": "x", "claim": "none"})
    future = ev(4, "statement", "2099-01-01", "state", [], {"text": "x", "claim": "none"})
    state = evaluate(LIBYA, [bad, early, future])
    outside = [f for f in state.findings if f.kind == "outside-agreement"]
    assert sorted(f.evidence for f in outside) == [(3,), (4,), (7,)]
    assert all(f.message.startswith("outside the agreement: ") for f in outside)
    reasons = {f.evidence[0]: f.figures["reason"] for f in outside}
    assert reasons == {3: "before-start", 4: "future", 7: "unknown-reference"}
    assert state.records == 1  # the 2004 statement counts; the 2003 and 2099 ones do not


# ---------------------------------------------------------------- property test

METHODS = sorted(METHOD_SIGNERS)
ROLES = ["inspectorate", "state", "observer", "admin"]
KINDS = [
    "inspection",
    "sample-result",
    "finding",
    "seal-check",
    "removal",
    "observation",
    "statement",
    "declaration",
    "dismantlement",
    "disclosure",
]


@st.composite
def evidence_lists(draw: st.DrawFn) -> list[Evidence]:
    out = []
    cids = [c.id for c in LIBYA.agreement.commitments]
    items = [
        "centrifuge-program",
        "uranium-conversion",
        "scud-c",
        "uf6",
        "heu-fuel",
        "weapon-design-documents",
    ]
    for i in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(KINDS))
        payload: dict[str, Any] = {
            "access": draw(st.sampled_from(["full", "partial", "none"])),
            "activities": draw(st.lists(st.sampled_from(METHODS), max_size=4)),
            "result": draw(st.sampled_from(["consistent", "inconsistent", "violation"])),
            "intact": draw(st.booleans()),
            "item": draw(st.sampled_from(items)),
            "quantity": draw(st.sampled_from([None, 1.0])),
            "claim": "fulfilled",
            "complete": draw(st.booleans()),
            "declared": [],
        }
        day = draw(st.integers(0, 200))
        t = (
            datetime(2003, 12, 19, tzinfo=UTC)
            .fromordinal(datetime(2003, 12, 19).toordinal() + day)
            .replace(tzinfo=UTC)
        )
        out.append(
            Evidence(
                i,
                kind,
                t,
                "p",
                draw(st.sampled_from(ROLES)),
                tuple(draw(st.lists(st.sampled_from(cids), max_size=3))),
                tuple(draw(st.lists(st.sampled_from(items), max_size=2))),
                payload,
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(evidence_lists())
def test_never_verified_without_required_evidence_from_allowed_signer(recs: list[Evidence]) -> None:
    state = evaluate(LIBYA, recs, "2004-12-31")
    for cs in state.commitments:
        if cs.status != "verified":
            continue
        c = LIBYA.agreement.commitment(cs.id)
        assert c.verification
        assert cs.verified_on is not None
        for m in c.verification:
            support = [e for e in recs if e.time <= cs.verified_on and satisfies_method(e, c, m)]
            assert support, (cs.id, m)
            assert all(e.role in METHOD_SIGNERS[m] and e.refers_to(c.id) for e in support)
            assert all(e.role == "inspectorate" or m == "national-technical-means" for e in support)
        if c.kind == "remove":
            for item in c.targets:
                assert any(
                    e.kind == "removal"
                    and e.role == "inspectorate"
                    and e.refers_to(c.id)
                    and (e.payload.get("item") == item or item in e.items)
                    for e in recs
                ), (cs.id, item)
