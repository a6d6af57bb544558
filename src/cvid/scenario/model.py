"""The root of a scenario file: meta data, program, agreement, regime, counterpart, thresholds."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from cvid.errors import did_you_mean
from cvid.scenario.agreement import RESERVED_TARGETS, Agreement
from cvid.scenario.common import Model
from cvid.scenario.counterpart import CounterpartModel
from cvid.scenario.pressure import Pressure
from cvid.scenario.program import Program
from cvid.scenario.redteam import RedTeamAssumptions
from cvid.scenario.regime import VerificationRegime
from cvid.scenario.strategy import RESERVED_STRATEGY_NAMES, StrategySpec
from cvid.scenario.thresholds import LessonThresholds


class ReferenceProblem(ValueError):
    """A cross-reference inside the scenario is wrong; ``field`` is its dotted path."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class Meta(Model):
    """What the scenario is and where its facts come from."""

    name: str = Field(description="Short name, e.g. libya-2003.")
    title: str = ""
    kind: Literal["historical", "hypothetical"] = "hypothetical"
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="References for the facts.")


class Scenario(Model):
    """A state's program and an agreement with it, plus the models used to judge it."""

    meta: Meta
    program: Program
    agreement: Agreement
    verification: VerificationRegime = Field(default_factory=VerificationRegime)
    counterpart: CounterpartModel = Field(default_factory=CounterpartModel)
    pressure: Pressure = Field(
        default_factory=Pressure,
        description="The tools of statecraft in force on the state (lesson 2, the simulator).",
    )
    thresholds: LessonThresholds = Field(default_factory=LessonThresholds)
    redteam: RedTeamAssumptions = Field(
        default_factory=RedTeamAssumptions,
        description="Assumptions of the red team's inspection game (cvid redteam).",
    )
    strategies: list[StrategySpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        check_references(self)
        return self


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            raise ReferenceProblem(f"{kind}[{i}].id", f"duplicate id '{item_id}'")
        seen.add(item_id)


def check_references(s: Scenario) -> None:
    """Check ids are unique, references resolve, deadlines fit and conditions have no cycle.

    Raises :class:`ReferenceProblem` naming the first offending field.
    """
    p, a = s.program, s.agreement
    _unique("program.facilities", [f.id for f in p.facilities])
    _unique("program.materials", [m.id for m in p.materials])
    _unique("program.weapons", [w.id for w in p.weapons])
    _unique("program.missiles", [m.id for m in p.missiles])
    items = p.item_ids()
    all_items = [f.id for f in p.facilities] + [m.id for m in p.materials]
    all_items += [w.id for w in p.weapons] + [m.id for m in p.missiles]
    _unique("program items", all_items)
    _unique("agreement.commitments", [c.id for c in a.commitments])
    _unique("agreement.concessions", [c.id for c in a.concessions])
    commitments = {c.id for c in a.commitments}
    concessions = {c.id for c in a.concessions}
    both = commitments & concessions
    if both:
        raise ReferenceProblem(
            "agreement.concessions", f"id '{sorted(both)[0]}' is used by a commitment too"
        )

    for i, m in enumerate(p.materials):
        if m.facility is not None and items.get(m.facility) != "facility":
            raise ReferenceProblem(
                f"program.materials[{i}].facility",
                f"no facility '{m.facility}'"
                + did_you_mean(m.facility, [f.id for f in p.facilities]),
            )
    for j, item in enumerate(a.provisions.civil_items_retained):
        if item not in items:
            raise ReferenceProblem(
                f"agreement.provisions.civil_items_retained[{j}]",
                f"no program item '{item}'" + did_you_mean(item, list(items)),
            )
    mb_facility = s.verification.material_balance.facility
    if mb_facility is not None and items.get(mb_facility) != "facility":
        raise ReferenceProblem(
            "verification.material_balance.facility",
            f"no facility '{mb_facility}'"
            + did_you_mean(mb_facility, [f.id for f in p.facilities]),
        )
    known_targets = [*items, *RESERVED_TARGETS]
    for i, c in enumerate(a.commitments):
        path = f"agreement.commitments[{i}]"
        for j, t in enumerate(c.targets):
            if t not in items and t not in RESERVED_TARGETS:
                raise ReferenceProblem(
                    f"{path}.targets[{j}]",
                    f"'{t}' is neither a program item nor a reserved target"
                    + did_you_mean(t, known_targets),
                )
        if c.deadline_months > a.duration_months:
            raise ReferenceProblem(
                f"{path}.deadline_months",
                f"deadline {c.deadline_months:g} months is after the agreement's end "
                f"(duration_months = {a.duration_months:g})",
            )
        for j, dep in enumerate(c.after):
            if dep not in commitments and dep not in concessions:
                raise ReferenceProblem(
                    f"{path}.after[{j}]",
                    f"no commitment or concession '{dep}'"
                    + did_you_mean(dep, sorted(commitments | concessions)),
                )
    for i, k in enumerate(a.concessions):
        path = f"agreement.concessions[{i}]"
        if k.month > a.duration_months:
            raise ReferenceProblem(
                f"{path}.month",
                f"release month {k.month:g} is after the agreement's end "
                f"(duration_months = {a.duration_months:g})",
            )
        for j, dep in enumerate(k.requires):
            if dep not in commitments:
                raise ReferenceProblem(
                    f"{path}.requires[{j}]",
                    f"no commitment '{dep}'" + did_you_mean(dep, sorted(commitments)),
                )
        for j, dep in enumerate(k.after):
            if dep not in concessions:
                raise ReferenceProblem(
                    f"{path}.after[{j}]",
                    f"no concession '{dep}'" + did_you_mean(dep, sorted(concessions)),
                )
    _check_cycles(a)
    _unique("strategies", [st.name for st in s.strategies])
    for i, st in enumerate(s.strategies):
        if st.name in RESERVED_STRATEGY_NAMES:
            raise ReferenceProblem(
                f"strategies[{i}].name", f"'{st.name}' is the name of a preset strategy"
            )


def _check_cycles(a: Agreement) -> None:
    """Depth-first search over 'must come before' edges among commitments and concessions."""
    edges: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    for i, c in enumerate(a.commitments):
        edges[c.id] = list(c.after)
        where[c.id] = f"agreement.commitments[{i}].after"
    for i, k in enumerate(a.concessions):
        edges[k.id] = [*k.requires, *k.after]
        where[k.id] = f"agreement.concessions[{i}].requires"
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in edges:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = 1
        while stack:
            node, pos = stack[-1]
            if pos < len(edges[node]):
                stack[-1] = (node, pos + 1)
                nxt = edges[node][pos]
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    raise ReferenceProblem(
                        where[nxt], "conditions form a cycle: " + " → ".join(cycle)
                    )
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
