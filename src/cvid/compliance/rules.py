"""What counts as evidence: the rules that turn ledger records into claims, verifications and
contradictions of a commitment. The rules are data here so that the report can show them.

The guiding rule is the first lesson: a commitment is done when evidence shows it, not when a
party says so. Only records signed by a role allowed to verify (:data:`METHOD_SIGNERS`) count
towards ``verified``; the state's own records (statements, declarations, disclosures, grants)
only ever make a commitment ``claimed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from cvid.compliance.evidence import Evidence
from cvid.scenario import Commitment, Scenario

#: Reserved targets that name a kind of testing: an observation about one of them is a test.
#: ``long-range-launch`` is any ICBM test or satellite launch (a space launch vehicle is an
#: ICBM-class booster: the 2012 Leap Day moratorium covered both, events.csv 2012-03-16).
TESTING_TARGETS: frozenset[str] = frozenset(
    {"nuclear-testing", "missile-testing", "icbm-testing", "long-range-launch"}
)

#: The testing targets a flight test of a program missile of each class counts as.
CLASS_TESTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "icbm": frozenset({"missile-testing", "icbm-testing", "long-range-launch"}),
        "slv": frozenset({"missile-testing", "long-range-launch"}),
    }
)

#: Roles whose records may verify a commitment by each method (everything else is a claim).
METHOD_SIGNERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "on-site-inspection": frozenset({"inspectorate"}),
        "challenge-inspection": frozenset({"inspectorate"}),
        "environmental-sampling": frozenset({"inspectorate"}),
        "material-accountancy": frozenset({"inspectorate"}),
        "seals-and-surveillance": frozenset({"inspectorate"}),
        "remote-monitoring": frozenset({"inspectorate"}),
        "removal-escort": frozenset({"inspectorate"}),
        "document-review": frozenset({"inspectorate"}),
        "interviews": frozenset({"inspectorate"}),
        "national-technical-means": frozenset({"inspectorate", "observer"}),
        "chain-of-custody": frozenset({"inspectorate"}),
        "information-barrier": frozenset({"inspectorate"}),
    }
)

#: In words, the record that satisfies each verification method (shown by ``cvid status``).
METHOD_EVIDENCE: Mapping[str, str] = MappingProxyType(
    {
        "on-site-inspection": "an inspection with full or partial access",
        "challenge-inspection": "an inspection listing the activity 'challenge-inspection'",
        "environmental-sampling": "a sample result judged consistent",
        "material-accountancy": "a finding judged consistent, or a removal or dismantlement "
        "with a measured quantity (never an estimate)",
        "seals-and-surveillance": "a seal check with the seal intact",
        "remote-monitoring": "an inspectorate observation",
        "removal-escort": "a removal record",
        "document-review": "an inspection listing the activity 'document-review'",
        "interviews": "an inspection listing the activity 'interviews'",
        "national-technical-means": "an observation",
        "chain-of-custody": "a removal record, or an inspection listing the activity "
        "'chain-of-custody'",
        "information-barrier": "an inspection listing the activity 'information-barrier'",
    }
)


def _inspection_with(activity: str | None) -> Callable[[Evidence], bool]:
    def check(e: Evidence) -> bool:
        if e.kind != "inspection" or e.payload.get("access") == "none":
            return False
        return activity is None or activity in e.payload.get("activities", ())

    return check


def _material_accountancy(e: Evidence) -> bool:
    if e.is_estimate:
        return False  # an estimate (a reconstruction, an analysis) is not an accountancy
    if e.kind == "finding":
        return e.payload.get("result") == "consistent"
    if e.kind in ("removal", "dismantlement"):
        return e.payload.get("quantity") is not None
    return _inspection_with("material-accountancy")(e)


def _any_of(*checks: Callable[[Evidence], bool]) -> Callable[[Evidence], bool]:
    return lambda e: any(c(e) for c in checks)


_METHOD_CHECK: Mapping[str, Callable[[Evidence], bool]] = MappingProxyType(
    {
        "on-site-inspection": _inspection_with(None),
        "challenge-inspection": _inspection_with("challenge-inspection"),
        "environmental-sampling": _any_of(
            lambda e: e.kind == "sample-result" and e.payload.get("result") == "consistent",
        ),
        "material-accountancy": _material_accountancy,
        "seals-and-surveillance": _any_of(
            lambda e: e.kind == "seal-check" and e.payload.get("intact") is True,
            _inspection_with("seals-and-surveillance"),
        ),
        "remote-monitoring": _any_of(
            lambda e: e.kind == "observation", _inspection_with("remote-monitoring")
        ),
        "removal-escort": lambda e: e.kind == "removal",
        "document-review": _inspection_with("document-review"),
        "interviews": _inspection_with("interviews"),
        "national-technical-means": lambda e: e.kind == "observation",
        "chain-of-custody": _any_of(
            lambda e: e.kind == "removal", _inspection_with("chain-of-custody")
        ),
        "information-barrier": _inspection_with("information-barrier"),
    }
)
assert set(_METHOD_CHECK) == set(METHOD_SIGNERS) == set(METHOD_EVIDENCE)


def satisfies_method(e: Evidence, commitment: Commitment, method: str) -> bool:
    """True when ``e`` verifies ``commitment`` by ``method``: it names the commitment, it is
    signed by a role allowed for the method, and it is the kind of record the method needs."""
    if not e.refers_to(commitment.id):
        return False
    if e.role not in METHOD_SIGNERS[method]:
        return False
    return _METHOD_CHECK[method](e)


#: Commitment kinds whose act must itself be on the ledger, and the record kinds that show it.
ACT_KINDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "remove": frozenset({"removal"}),
        "dismantle": frozenset({"dismantlement", "removal"}),
        "destroy": frozenset({"dismantlement", "removal"}),
    }
)


def program_item_ids(s: Scenario) -> set[str]:
    """Every id of the program: facilities, materials, weapons and missiles."""
    return set(s.program.item_ids())


def act_targets(s: Scenario, commitment: Commitment) -> list[str]:
    """The program items an act (removal, dismantlement) must cover for ``commitment``; the
    reserved targets (``all``, ``documents`` ...) need no item-by-item record."""
    ids = program_item_ids(s)
    return [t for t in commitment.targets if t in ids]


def satisfies_act(e: Evidence, commitment: Commitment, item: str) -> bool:
    """True when ``e`` is an inspectorate record of the act (removal or dismantlement) of
    ``item`` for ``commitment``."""
    kinds = ACT_KINDS.get(commitment.kind)
    if kinds is None or e.kind not in kinds or e.role != "inspectorate":
        return False
    if not e.refers_to(commitment.id):
        return False
    return e.payload.get("item") == item or item in e.items


def is_claim(e: Evidence, commitment: Commitment) -> bool:
    """True when ``e`` is the state saying it did (or is doing) ``commitment``: a statement
    claiming it, or a declaration, disclosure or grant of access that names it."""
    if e.role != "state" or not e.refers_to(commitment.id):
        return False
    if e.kind == "statement":
        return e.payload.get("claim") in ("fulfilled", "in-progress")
    return e.kind in ("declaration", "disclosure", "access-granted")


def expand_targets(s: Scenario, targets: list[str]) -> set[str]:
    """Commitment targets with the reserved group names expanded to the program's item ids."""
    p = s.program
    groups = {
        "all": program_item_ids(s),
        "all-facilities": {f.id for f in p.facilities},
        "all-materials": {m.id for m in p.materials},
        "all-weapons": {w.id for w in p.weapons},
        "all-missiles": {m.id for m in p.missiles},
    }
    out: set[str] = set()
    for t in targets:
        out.add(t)
        out |= groups.get(t, set())
    return out


def observed_tests(e: Evidence, missile_classes: Mapping[str, str] | None = None) -> set[str]:
    """The testing targets an observation reports a test of (empty if it reports none): the
    reserved testing targets it names, plus those implied by a named program missile's class
    (``missile_classes``: item id → class; an ICBM or SLV launch is a long-range launch)."""
    if e.kind != "observation" or e.role not in ("observer", "inspectorate"):
        return set()
    out = set(e.items) & TESTING_TARGETS
    if missile_classes:
        for item in e.items:
            cls = missile_classes.get(item)
            if cls is not None:
                out |= CLASS_TESTS.get(cls, frozenset({"missile-testing"}))
    return out


@dataclass(frozen=True)
class RuleContext:
    """What the rules need from a scenario, computed once: each commitment's expanded targets,
    the program's missile classes and the end of the agreement's window (UTC)."""

    targets: Mapping[str, frozenset[str]]
    missile_classes: Mapping[str, str]
    window_end: datetime | None

    @classmethod
    def of(cls, s: Scenario) -> RuleContext:
        end = None
        if s.agreement.start is not None:
            st = s.agreement.start
            end_day = st + timedelta(days=s.agreement.duration_months * 365.25 / 12)
            end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=UTC) + timedelta(days=1)
        return cls(
            targets=MappingProxyType(
                {c.id: frozenset(expand_targets(s, c.targets)) for c in s.agreement.commitments}
            ),
            missile_classes=MappingProxyType({m.id: m.missile_class for m in s.program.missiles}),
            window_end=end,
        )


def is_moratorium(s: Scenario, commitment: Commitment) -> bool:
    """True for a freeze on testing: every target is a testing target or a program missile
    (freezing a missile means no flight tests of it). A moratorium that no record contradicts
    is ``holding``; a facility freeze still needs its verification."""
    if commitment.kind != "freeze" or not commitment.targets:
        return False
    missiles = {m.id for m in s.program.missiles} | {"all-missiles"}
    return all(t in TESTING_TARGETS or t in missiles for t in commitment.targets)


def contradiction(
    s: Scenario, e: Evidence, commitment: Commitment, ctx: RuleContext | None = None
) -> str | None:
    """Why ``e`` contradicts ``commitment`` (a violation), or None.

    - an observed test (nuclear, missile, ICBM, long-range launch, or a launch of a missile the
      commitment freezes) during a moratorium on it, within the agreement's window;
    - an inspectorate finding of a violation at a target, or of an undeclared item against a
      complete declaration;
    - a broken seal on a target of a freeze, disablement or dismantlement;
    - access denied to inspectors under a commitment to grant access.

    ``ctx`` (:meth:`RuleContext.of` the scenario) saves recomputing the scenario's sets.
    """
    ctx = ctx or RuleContext.of(s)
    return contradiction_of(ctx, e, commitment, observed_tests(e, ctx.missile_classes))


def contradiction_of(
    ctx: RuleContext,
    e: Evidence,
    commitment: Commitment,
    tests: set[str],
    subjects: set[str] | None = None,
) -> str | None:
    """:func:`contradiction` with the record's observed tests (and subjects) computed once
    for all commitments (the compliance engine's inner loop)."""
    targets = ctx.targets.get(commitment.id)
    if targets is None:
        targets = frozenset(commitment.targets)
    if tests and ctx.window_end is not None:
        if e.time >= ctx.window_end:
            return None  # the moratorium's window is over
        hit = tests & targets
        if not hit and commitment.kind == "freeze":
            hit = set(e.items) & targets - TESTING_TARGETS
        if hit:
            return f"test observed ({', '.join(sorted(hit))}) during the moratorium"
        return None
    if e.role != "inspectorate" and not (e.kind == "access-denied" and e.role == "state"):
        return None
    named = e.refers_to(commitment.id)
    about = named or bool((e.subjects() if subjects is None else subjects) & targets)
    if e.kind == "finding" and about:
        result = e.payload.get("result")
        if result == "violation":
            return "inspectorate finding: violation"
        if (
            result == "undeclared"
            and commitment.kind == "declare"
            and commitment.scope == "complete"
        ):
            return "inspectorate finding: an undeclared item, against a complete declaration"
    if (
        e.kind == "seal-check"
        and e.payload.get("intact") is False
        and about
        and commitment.kind in ("freeze", "disable", "dismantle")
    ):
        return f"seal {e.payload.get('seal_id')} found broken"
    if e.kind == "access-denied" and named and commitment.kind in ("grant-access", "verify"):
        return "access denied"
    return None
