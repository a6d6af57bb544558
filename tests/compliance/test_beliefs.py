"""The belief tracker: bundled replays, Bayes' rule by hand, order invariance within a day,
information gain, bad priors, and ``cvid status --beliefs``."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvid.cli import app
from cvid.compliance import (
    BeliefTracker,
    Evidence,
    act_probabilities,
    beliefs,
    evidence_from_ledger,
    information_gain,
    replay_stream,
)
from cvid.compliance.beliefs import MOVERS_KEPT
from cvid.errors import InputError
from cvid.ledger import Ledger
from cvid.scenario import load_scenario

LIBYA = load_scenario("libya-2003")
SIX = load_scenario("six-party-2007")
runner = CliRunner()


@pytest.fixture(scope="module")
def replays(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in ("libya-2003", "six-party-2007"):
        db = tmp_path_factory.mktemp("beliefs") / f"{name}.db"
        replay_stream(name, db)
        out[name] = db
    return out


def _evidence(db: Path) -> list[Evidence]:
    with Ledger.open(db) as led:
        return evidence_from_ledger(led)


def test_libya_moves_to_sincere_on_the_2003_expert_visits_and_disclosures(
    replays: dict[str, Path],
) -> None:
    with Ledger.open(replays["libya-2003"]) as led:
        b = beliefs(led, LIBYA)
    prior = LIBYA.counterpart.prior.sincere
    assert b.prior[0] == prior
    before = [p for p in b.series if p.time < datetime(2003, 12, 19, tzinfo=UTC)]
    assert all(p.posterior[0] < 0.9 for p in before)
    by_jan = [p for p in b.series if p.time <= datetime(2004, 1, 31, tzinfo=UTC)]
    assert by_jan[-1].posterior[0] > 0.99 > prior
    assert b.most_likely == "sincere"
    # What moved it most: the sites and documents Libya showed the US and UK experts in
    # October and December 2003 (AFP 2003-12-20; cases.md §9), recorded at the announcement.
    assert b.movers[0].kind in ("declaration", "disclosure", "inspection")
    assert b.movers[0].time.date().isoformat() == "2003-12-19"


def test_six_party_stays_with_the_time_buyer_through_the_2008_declaration(
    replays: dict[str, Path],
) -> None:
    with Ledger.open(replays["six-party-2007"]) as led:
        b = beliefs(led, SIX)
    prior = SIX.counterpart.prior
    assert max(prior.as_tuple()) == prior.time_buyer
    for p in b.series:
        if p.time.date().isoformat() <= "2008-06-26":
            assert p.posterior[1] == max(p.posterior), p
            assert p.posterior[0] < prior.sincere, p
    assert b.most_likely == "time-buyer"


def test_one_statement_by_hand() -> None:
    """Bayes' rule for one announcement on the agreement's first day: P(t | e) ∝ P(t)·s_t."""
    e = Evidence(
        0,
        "statement",
        datetime(2003, 12, 19, tzinfo=UTC),
        "libya",
        "state",
        ("declare-all",),
        (),
        {"text": "we will", "claim": "in-progress"},
    )
    b = beliefs([e], LIBYA)
    cp = LIBYA.counterpart
    s = np.array(
        [cp.per_type("statement_probability", t) for t in ("sincere", "time-buyer", "hedger")]
    )
    post = np.array(cp.prior.as_tuple()) * s
    assert np.allclose(b.posterior, post / post.sum(), atol=1e-12)


def test_silence_after_a_deadline_by_hand() -> None:
    """With no record, the posterior at a date 3 months after a deadline: each type's prior
    times (1 − completion a month)^3 (sincere: decided_step_probability)."""
    e = Evidence(0, "observation", datetime(2007, 2, 13, tzinfo=UTC), "o", "observer", (), (), {})
    s = SIX
    start = datetime(2007, 2, 13, tzinfo=UTC)
    tracker = BeliefTracker(s)
    tracker.update(e)
    c = s.agreement.commitment("shutdown-and-seal")  # the only deadline before month 5
    day = start + timedelta(days=(c.deadline_months + 3) * 365.25 / 12)
    day = datetime(day.year, day.month, day.day, tzinfo=UTC)
    months = (day - start).total_seconds() / 86400 / (365.25 / 12) - c.deadline_months
    got = tracker.state(day).posterior
    p_done = act_probabilities(s, c)[:, 3].copy()
    p_done[0] = s.counterpart.decided_step_probability
    want = np.array(s.counterpart.prior.as_tuple()) * (1 - p_done) ** months
    assert np.allclose(got, want / want.sum(), atol=1e-12)


def test_information_gain_against_independent_values() -> None:
    """I(T; A) (Cover & Thomas 2006, eq. 2.39): outcomes that reveal the type carry H(T)
    bits; outcomes independent of the type carry none."""
    prior = [0.2, 0.5, 0.3]
    h = -sum(p * math.log2(p) for p in prior)
    assert math.isclose(information_gain(prior, np.eye(3)), h, rel_tol=1e-12)
    same = np.tile([0.3, 0.7], (3, 1))
    assert information_gain(prior, same) == pytest.approx(0.0, abs=1e-12)
    # binary symmetric check: two equally likely types, outcome flips with prob 0.1
    table = np.array([[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]])
    hb = -(0.9 * math.log2(0.9) + 0.1 * math.log2(0.1))
    assert math.isclose(information_gain([0.5, 0.5, 0.0], table), 1 - hb, rel_tol=1e-12)


def test_next_demand_asks_first_for_what_only_a_decided_state_gives() -> None:
    b = beliefs([], LIBYA, at="2003-12-19")
    assert {d.commitment for d in b.next_demands} == {c.id for c in LIBYA.agreement.commitments}
    hard = [d for d in b.next_demands if d.hard]
    soft = [d for d in b.next_demands if not d.hard]
    assert hard and soft  # the Additional Protocol is the only soft step
    assert min(d.information_bits for d in hard) > max(d.information_bits for d in soft)
    assert all(d.reason for d in b.next_demands)


def test_a_hard_step_without_verification_tells_less_than_a_verified_soft_one() -> None:
    """Six-Party's declaration needs no verification: a time-buyer can claim it hollow, so
    demanding it separates the types less than the verified shutdown."""
    b = beliefs([], SIX, at="2007-03-01")
    bits = {d.commitment: d for d in b.next_demands}
    assert bits["declaration"].hard and not bits["shutdown-and-seal"].hard
    assert bits["declaration"].information_bits < bits["shutdown-and-seal"].information_bits
    assert "no way to verify" in bits["declaration"].reason


def test_incremental_updates_equal_a_fresh_computation(replays: dict[str, Path]) -> None:
    ev = sorted(_evidence(replays["six-party-2007"]), key=lambda e: (e.time, e.index))
    tracker = BeliefTracker(SIX)
    for i, e in enumerate(ev):
        tracker.update(e)
        again = beliefs(ev[: i + 1], SIX)
        assert np.allclose(tracker.posterior, again.posterior, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["libya-2003", "six-party-2007"]))
def test_posterior_is_invariant_to_order_within_a_day(rnd: random.Random, name: str) -> None:
    ev = _REPLAY_EVIDENCE[name]
    s = LIBYA if name == "libya-2003" else SIX
    days: dict[date, list[Evidence]] = {}
    for e in ev:
        days.setdefault(e.day, []).append(e)
    shuffled: list[Evidence] = []
    for day in sorted(days):
        group = list(days[day])
        rnd.shuffle(group)
        shuffled.extend(group)
    # renumber so that the ledger order (the tie-break) follows the shuffle
    renumbered = [replace(e, index=i) for i, e in enumerate(shuffled)]
    a = beliefs(ev, s).posterior
    b = beliefs(renumbered, s).posterior
    assert np.allclose(a, b, rtol=1e-9, atol=1e-12)


def _load_replay_evidence() -> dict[str, list[Evidence]]:
    import tempfile

    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name in ("libya-2003", "six-party-2007"):
            db = Path(d) / f"{name}.db"
            replay_stream(name, db)
            out[name] = _evidence(db)
    return out


_REPLAY_EVIDENCE = _load_replay_evidence()


def _late_reports(rnd: random.Random, ev: list[Evidence]) -> list[Evidence]:
    """The replay's records in a random order of arrival (most arrive back-dated), with
    records that move nothing on days of their own and on days already held, and an
    uncommitted access denial, spread in: some replays converge at once, some run to the
    end."""
    extra: list[Evidence] = []
    first, last = ev[0].time, ev[-1].time
    span = (last - first).total_seconds()
    for k in range(rnd.randint(1, 8)):
        t = first + timedelta(seconds=rnd.uniform(-86400.0 * 40, span + 86400.0 * 40))
        if rnd.random() < 0.5:  # on the day of a record held
            t = rnd.choice(ev).time + timedelta(minutes=rnd.randint(0, 600))
        kind = rnd.choice(["seal-check", "seal-check", "access-denied"])
        payload = {"seal_id": f"x-{k}", "intact": True} if kind == "seal-check" else {}
        extra.append(
            Evidence(
                index=len(ev) + k,
                kind=kind,
                time=t,
                signer="iaea",
                role="inspectorate",
                payload=payload,
            )
        )
    arrivals = ev + extra
    rnd.shuffle(arrivals)
    return arrivals


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["libya-2003", "six-party-2007"]))
def test_the_tracker_taking_records_in_any_order_equals_beliefs_from_scratch(
    rnd: random.Random, name: str
) -> None:
    """Issue 11: BeliefTracker.insert (in-order records updated, back-dated ones replayed in
    from where they fall) gives, after every record, exactly the state of
    cvid.compliance.beliefs on the records so far (the from-scratch computation): series,
    movers, posterior, levels and next demands, every float bit for bit; and state_as_of a
    random moment that of beliefs with ``at``."""
    s = LIBYA if name == "libya-2003" else SIX
    arrivals = _late_reports(rnd, _REPLAY_EVIDENCE[name])
    tracker = BeliefTracker(s)
    for i, e in enumerate(arrivals):
        point = tracker.insert(e)
        scratch = beliefs(arrivals[: i + 1], s)
        assert tracker.state() == scratch
        # the movers kept equal a sort of the whole series (and beyond them it sorts)
        for k in (MOVERS_KEPT, MOVERS_KEPT + 3):
            ranked = sorted(scratch.series, key=lambda p: (-p.shift, p.index))[:k]
            assert tracker.state(movers=k).movers == tuple(ranked)
        assert point in scratch.series
        cut = rnd.choice(arrivals[: i + 1]).time + timedelta(hours=rnd.choice([-30, 0, 30]))
        assert tracker.state_as_of(cut) == beliefs(arrivals[: i + 1], s, at=cut)
    assert tracker.state() == beliefs(arrivals, s)  # state_as_of left the tracker as it was
    assert tracker.evidence == sorted(arrivals, key=lambda e: (e.time, e.index))


def test_prior_must_sum_to_one() -> None:
    with pytest.raises(InputError, match=r"sum to 1\.1"):
        beliefs([], LIBYA, prior={"sincere": 0.5, "time-buyer": 0.5, "hedger": 0.1})
    with pytest.raises(InputError, match="unknown counterpart type"):
        beliefs([], LIBYA, prior={"honest": 1.0})


def test_cli_status_beliefs(replays: dict[str, Path], tmp_path: Path) -> None:
    db = str(replays["libya-2003"])
    res = runner.invoke(
        app, ["status", "--ledger", db, "--scenario", "libya-2003", "--beliefs", "--json"]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["beliefs"]["most_likely"] == "sincere"
    assert set(d["beliefs"]["posterior"]) == {"sincere", "time-buyer", "hedger"}
    assert len(d["beliefs"]["series"]) == d["records"]
    text = runner.invoke(app, ["status", "--ledger", db, "--scenario", "libya-2003", "--beliefs"])
    assert text.exit_code == 0 and "moved it most" in text.output
    bad = runner.invoke(
        app,
        [
            "status",
            "--ledger",
            db,
            "--scenario",
            "libya-2003",
            "--beliefs",
            "--prior",
            "sincere=0.5,time-buyer=0.6,hedger=0.1",
        ],
    )
    assert bad.exit_code == 2 and "sum to 1.2" in bad.output
    # a scenario whose prior does not sum to 1 is refused on load
    from cvid.scenario import example_path

    toml = example_path("libya-2003").read_text().replace("sincere = 0.7", "sincere = 0.9")
    f = tmp_path / "bad-prior.toml"
    f.write_text(toml)
    res = runner.invoke(app, ["status", "--ledger", db, "--scenario", str(f), "--beliefs"])
    assert res.exit_code == 2 and "counterpart.prior" in res.output
