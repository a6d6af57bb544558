"""A scenario's verification regime turned into the numbers of lesson 3.

Two routes to a clandestine weapons capability are watched:

1. **Diversion of one significant quantity (SQ) from declared material** at a bulk-handling
   facility. The state chooses how to hide it: falsify the data of some items (caught by the
   inspectors' attribute sample) or leave it in MUF (caught by the MUF − D balance test);
   the figure is the detection probability at the state's best split
   (:mod:`cvid.verify.diversion`, Avenhaus & Canty 1996, ch. 2–4), not the independent
   union of the two tests. In the timeliness goal the balance closes with probability
   b = min(1, balances a year × goal / 12) and an inspection (with its sample) takes place
   with i = min(1, routine inspections a year × goal / 12). The figures belong to the
   scenario only when ``verification.material_balance.facility`` names the facility the plan
   describes (:func:`material_balance_basis`); otherwise they are the illustrative default
   plan's, or not applicable when there is nothing in operation to balance or the agreement
   covers no direct-use material.
2. **An undeclared production facility**, found by challenge inspections with persistent
   intelligence cueing and a search without replacement over the candidate sites
   (:mod:`cvid.verify.search`); the people and documents cues count only with access to
   them, reduced by ``cueing_if_concealing`` for a state that hides the site; signatures of
   enrichment and reprocessing outlast clean-up when the agreement uses environmental
   sampling; national technical means add their monthly rate.

``monthly_detection_probability`` gives a constant monthly chance for the simulator (the lesser
of the two routes); :func:`site_detection_hazard` gives the per-run, time-varying hazard.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field

from cvid.results import Result
from cvid.scenario import SIGNIFICANT_QUANTITY_KG, STOPPING_KINDS, Scenario
from cvid.verify.balance import one_sided_detection_probability, sigma_muf
from cvid.verify.diversion import DiversionEquilibrium, muf_d_equilibrium, sigma_d
from cvid.verify.sampling import (
    defects_for_goal,
    detection_probability,
    sample_size,
    sample_size_iaea,
)
from cvid.verify.search import (
    REACHING_ACCESS,
    SearchModel,
    combined_cueing,
    search_hazard,
    signature_persistence,
)

FloatArray = NDArray[np.float64]
Activity = Literal["worst-case", "undeclared-facility", "diversion"]
BalanceBasis = Literal["facility-plan", "default-plan", "not-applicable"]

#: Facility kinds that handle nuclear material in bulk and so are verified by a balance.
BULK_HANDLING_KINDS: frozenset[str] = frozenset(
    {"enrichment", "reprocessing", "conversion", "fuel-fabrication"}
)
_DIRECT_USE = ("plutonium", "heu", "u233")
#: Commitment kinds that put material under the agreement (a declaration alone does not).
_COVERING_KINDS = STOPPING_KINDS | {"verify"}


def _plan_facility_material(s: Scenario) -> str | None:
    fid = s.verification.material_balance.facility
    if fid is None:
        return None
    for m in s.program.materials:
        if m.facility == fid and m.kind in _DIRECT_USE:
            return m.kind
    return None


def balanced_material(s: Scenario) -> str:
    """The direct-use material the balance watches: the regime's choice, else the material
    held at the plan's facility, else the program's first direct-use material, else
    plutonium."""
    mb = s.verification.material_balance
    if mb.material is not None:
        return mb.material
    at_facility = _plan_facility_material(s)
    if at_facility is not None:
        return at_facility
    for m in s.program.materials:
        if m.kind in _DIRECT_USE:
            return m.kind
    return "plutonium"


def covered_materials(s: Scenario) -> list[str]:
    """Ids of the program's direct-use materials that a commitment (other than a bare
    declaration) names: by id, ``all`` or ``all-materials``. Freezing the facility that holds
    a stock does not cover the stock (it can be moved; only production there stops)."""
    out = []
    for m in s.program.materials:
        if m.kind not in _DIRECT_USE:
            continue
        names = {m.id, "all", "all-materials"}
        if any(
            c.kind in _COVERING_KINDS and names & set(c.targets) for c in s.agreement.commitments
        ):
            out.append(m.id)
    return out


def material_balance_basis(s: Scenario) -> tuple[BalanceBasis, str]:
    """Where the diversion figures come from, and why:

    * ``facility-plan`` — ``verification.material_balance.facility`` names the facility;
    * ``default-plan`` — no facility named: cvid's illustrative plan (never headlined);
    * ``not-applicable`` — no bulk-handling facility in operation to balance, or no
      direct-use material of the balanced kind is covered by the agreement.
    """
    p = s.program
    mb = s.verification.material_balance
    material = balanced_material(s)
    covered = [m for m in p.materials if m.id in set(covered_materials(s)) and m.kind == material]
    if not covered:
        return (
            "not-applicable",
            f"the agreement covers no {material} (no commitment beyond a declaration targets "
            "it), so there is no diversion from covered material to detect",
        )
    if mb.facility is not None:
        f = p.facility(mb.facility)
        return "facility-plan", f"the balance plan of '{f.id}' ({f.kind}, {f.status})"
    running = [
        f
        for f in p.facilities
        if f.kind in BULK_HANDLING_KINDS and f.declared and f.status == "operating"
    ]
    if not running:
        return (
            "not-applicable",
            "no declared bulk-handling facility (enrichment, reprocessing, conversion, fuel "
            "fabrication) is in operation, so there is no material balance to close",
        )
    return (
        "default-plan",
        "no facility-specific plan (verification.material_balance.facility is unset): the "
        "default plan is illustrative",
    )


def significant_quantity(s: Scenario) -> float:
    """The IAEA significant quantity (kg) of the balanced material (IAEA Safeguards
    Glossary, 2022, §3.14)."""
    return SIGNIFICANT_QUANTITY_KG[balanced_material(s)]


def regime_sigma_muf(s: Scenario) -> float:
    """σMUF (kg) of one balance period of the regime's facility: BI = EI = inventory,
    R = S = throughput in the plan's batches, one systematic error per stratum (so the
    −2·BI·EI·δs² term applies)."""
    mb = s.verification.material_balance
    return float(
        sigma_muf(
            mb.inventory_kg,
            mb.throughput_kg_per_period,
            mb.throughput_kg_per_period,
            mb.inventory_kg,
            mb.random_rsd,
            mb.systematic_rsd,
            same_calibration=(mb.calibration_periods is None or mb.calibration_periods > 1),
            receipt_batches=mb.receipt_batches,
            shipment_batches=mb.shipment_batches,
        )
    )


def _inspections_reach_declared(s: Scenario) -> bool:
    return s.agreement.provisions.access != "none"


def balance_detection_probability(s: Scenario) -> float:
    """P_MB: the balance test detects an abrupt loss of one SQ in a period."""
    sig = regime_sigma_muf(s)
    if not _inspections_reach_declared(s):
        return 0.0
    alpha = s.verification.material_balance.false_alarm_probability
    if sig == 0.0:
        return 1.0
    if alpha <= 0.0:
        return 0.0
    if alpha >= 1.0:
        return 1.0
    return float(one_sided_detection_probability(significant_quantity(s), sig, alpha))


def sampling_figures(s: Scenario) -> tuple[int, int, int, float]:
    """(defects M, exact sample size, IAEA sample size, detection probability) for one SQ."""
    plan = s.verification.sampling
    m = min(defects_for_goal(significant_quantity(s), plan.item_content_kg), plan.items)
    n = sample_size(plan.items, m, plan.detection_goal)
    n_iaea = sample_size_iaea(plan.items, m, plan.detection_goal)
    pd = float(detection_probability(plan.items, m, n)) if _inspections_reach_declared(s) else 0.0
    return m, n, n_iaea, pd


def _within(s: Scenario, months: float) -> tuple[float, float]:
    """(b, i): chances that a balance closes and that an inspection takes place in
    ``months``: min(1, rate × months / 12)."""
    v = s.verification
    b = min(1.0, v.material_balance.periods_per_year * months / 12.0)
    i = min(1.0, v.routine_inspections_per_year * months / 12.0)
    return b, i


def diversion_equilibrium(s: Scenario, months: float | None = None) -> DiversionEquilibrium:
    """The diverter's best split of one SQ between falsified items and MUF, and the detection
    probability it leaves within ``months`` (default: the timeliness goal); see
    :mod:`cvid.verify.diversion`. σ_d of one item difference is the random RSD of the
    operator's and of the inspector's measurement of one item's content, combined."""
    v = s.verification
    plan, mb = v.sampling, v.material_balance
    goal = v.timeliness_goal_months if months is None else months
    b, i = _within(s, goal)
    reach = _inspections_reach_declared(s)
    m = min(defects_for_goal(significant_quantity(s), plan.item_content_kg), plan.items)
    n = sample_size(plan.items, m, plan.detection_goal)
    diff_sigma = math.sqrt(2.0) * mb.random_rsd * plan.item_content_kg
    return muf_d_equilibrium(
        diversion_kg=significant_quantity(s),
        item_content_kg=plan.item_content_kg,
        items=plan.items,
        sample=n,
        sigma_muf_kg=regime_sigma_muf(s),
        sigma_d_kg=sigma_d(plan.items, n, diff_sigma) if n > 0 else 0.0,
        alpha=mb.false_alarm_probability,
        balance_probability=b if reach else 0.0,
        inspection_probability=i if reach else 0.0,
    )


def diversion_detection_within_goal(s: Scenario) -> float:
    """Equilibrium detection probability of one SQ diverted within the timeliness goal
    (:func:`diversion_equilibrium`)."""
    return diversion_equilibrium(s).detection_probability


def independent_union_within_goal(s: Scenario) -> float:
    """The older figure 1 − (1 − P_MB·b)(1 − P_AS·i), each route credited with the whole SQ:
    an overstatement kept for comparison."""
    b, i = _within(s, s.verification.timeliness_goal_months)
    p_as = sampling_figures(s)[3]
    return 1.0 - (1.0 - balance_detection_probability(s) * b) * (1.0 - p_as * i)


def uses_environmental_sampling(s: Scenario) -> bool:
    """True when some commitment is verified by environmental sampling."""
    return any("environmental-sampling" in c.verification for c in s.agreement.commitments)


def search_activity(s: Scenario) -> str:
    """The activity the undeclared-site search looks for: the kind of the program's first
    undeclared facility, else an enrichment plant (the easiest to hide)."""
    for f in s.program.facilities:
        if not f.declared:
            return f.kind
    return "enrichment"


def search_model(
    s: Scenario,
    *,
    inspections_per_year: float | None = None,
    notice_hours: float | None = None,
    concealing: bool = True,
) -> SearchModel:
    """The undeclared-site search model the scenario implies. People and documents cue the
    search only with access to them, and only ``cueing_if_concealing`` of their cue when the
    state hides the site (``concealing``, the default: a site is undeclared because it is
    hidden). When the agreement uses environmental sampling and the activity leaves
    particles, the signature's persistence replaces the regime's concealment time."""
    v, pr = s.verification, s.agreement.provisions
    share = v.cueing_if_concealing if concealing else 1.0
    cueing = combined_cueing(
        v.intelligence_cueing,
        share * v.cueing_from_people if pr.access_to_people else 0.0,
        share * v.cueing_from_documents if pr.access_to_documents else 0.0,
    )
    c = v.concealment_time_hours
    lo, hi, mode = c.low, c.high, c.mode
    persistence = signature_persistence(search_activity(s), uses_environmental_sampling(s))
    if persistence is not None:
        lo, hi, mode = persistence[0], persistence[1], None
    return SearchModel(
        candidate_sites=v.candidate_sites,
        challenge_inspections_per_year=(
            v.challenge_inspections_per_year
            if inspections_per_year is None
            else inspections_per_year
        ),
        cueing=cueing,
        notice_hours=pr.challenge_notice_hours if notice_hours is None else notice_hours,
        concealment_low_hours=lo,
        concealment_high_hours=hi,
        concealment_mode_hours=mode,
        site_detection_probability=v.site_detection_probability,
        access=pr.access,
        managed_access_delay_hours=v.managed_access_delay_hours,
        replacement=v.search_with_replacement,
    )


def search_inputs_at_default(s: Scenario) -> tuple[str, ...]:
    """The inputs that :func:`search_model` uses for ``s`` and that the scenario leaves at
    cvid's built-in defaults (field paths): of the ``[verification]`` fields, those that
    matter under the agreement's provisions (cueing from people or documents only with access
    to them, the managed-access delay only under managed access, the concealment time unless
    a sampled signature replaces it), and the challenge notice when the agreement does not
    state it. Empty when the search cannot reach an undeclared site by the agreement's terms
    (no access to undeclared sites, or no challenge inspections as the file states): the
    figure is then 0 whatever the defaults; with no challenge inspections by default, only
    that count. A search figure resting on any of them is labelled."""
    v, pr = s.verification, s.agreement.provisions
    given = v.model_fields_set
    if pr.access not in REACHING_ACCESS:
        return ()
    if v.challenge_inspections_per_year <= 0:  # no search: only the count itself can matter
        count = "challenge_inspections_per_year"
        return () if count in given else (f"verification.{count}",)
    # the facts the search rests on (search_with_replacement is a choice of model, not one)
    used = [
        "challenge_inspections_per_year", "candidate_sites", "intelligence_cueing",
        "site_detection_probability",
    ]  # fmt: skip
    if pr.access_to_people:
        used.append("cueing_from_people")
    if pr.access_to_documents:
        used.append("cueing_from_documents")
    if pr.access_to_people or pr.access_to_documents:
        used.append("cueing_if_concealing")
    if pr.access == "managed":
        used.append("managed_access_delay_hours")
    if signature_persistence(search_activity(s), uses_environmental_sampling(s)) is None:
        used.append("concealment_time_hours")
    out = [f"verification.{name}" for name in used if name not in given]
    if "challenge_notice_hours" not in pr.model_fields_set:
        out.append("agreement.provisions.challenge_notice_hours")
    return tuple(out)


#: The words that mark a search figure resting on defaults (:func:`search_default_label`).
SEARCH_DEFAULT_MARK = "resting on cvid's built-in defaults"


def search_default_label(s: Scenario) -> str:
    """'' when the scenario gives every search input, else a label for a search figure."""
    missing = search_inputs_at_default(s)
    if not missing:
        return ""
    shown = ", ".join(m.rsplit(".", 1)[1] for m in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return (
        f" [search figure {SEARCH_DEFAULT_MARK} for {len(missing)} of its "
        f"inputs ({shown}{more}), not on the scenario]"
    )


def site_detection_hazard(s: Scenario, months: int, cued: ArrayLike) -> FloatArray:
    """Per-run, per-month chance that the undeclared site is found that month, given it was
    not found before, shape (runs, months): the search hazard of :func:`search_model`
    (persistent cue ``cued[r]`` per run, see :func:`cvid.verify.search.draw_cued`) combined
    with national technical means, 1 − (1 − h)(1 − p_NTM). For the negotiation simulator."""
    h = search_hazard(search_model(s), months, cued)
    ntm = s.verification.national_means_detection_per_month
    return np.asarray(1.0 - (1.0 - h) * (1.0 - ntm), dtype=np.float64)


def _with_national_means(s: Scenario, p_regime: float, months: float = 1.0) -> float:
    ntm = s.verification.national_means_detection_per_month
    return float(1.0 - (1.0 - p_regime) * (1.0 - ntm) ** months)


def monthly_detection_probability(s: Scenario, activity: Activity = "worst-case") -> float:
    """A constant chance that clandestine work running during a month is detected that month.

    ``undeclared-facility``: the monthly rate equivalent to the first year of search,
    1 − (1 − F(12))^{1/12} (F from the persistent-cue search model), combined with national
    technical means; :func:`site_detection_hazard` gives the time-varying, per-run hazard
    instead. ``diversion``: the MUF − D equilibrium within one month
    (:func:`diversion_equilibrium`); ``worst-case`` (default): the lesser of the two.
    """
    f12 = float(search_model(s).probability_within(12.0))
    site = _with_national_means(s, 1.0 - (1.0 - f12) ** (1.0 / 12.0))
    div = _with_national_means(s, diversion_equilibrium(s, 1.0).detection_probability)
    if activity == "undeclared-facility":
        return site
    if activity == "diversion":
        return div
    return min(site, div)


class VerificationFigures(Result):
    """The numbers lesson 3 shows, with the inputs they came from (probabilities; kg;
    months; hours)."""

    material: str
    significant_quantity_kg: float
    detection_probability_sq_within_goal: float
    timeliness_goal_months: float
    balance_detection_probability: float
    sampling_detection_probability: float
    undeclared_site_probability_1y: float
    undeclared_site_probability_1y_low: float
    undeclared_site_probability_1y_high: float
    sigma_muf_kg: float
    sigma_muf_per_sq: float
    sample_size: int
    sample_size_iaea: int
    defects: int
    monthly_detection_probability: float
    monthly_detection_undeclared_facility: float
    monthly_detection_diversion: float
    inputs: dict[str, Any] = Field(default_factory=dict)
    material_balance_basis: BalanceBasis = Field(
        default="default-plan",
        description="Where the diversion figures come from (material_balance_basis)",
    )
    material_balance_note: str = ""
    diversion_equilibrium: DiversionEquilibrium = Field(
        description="The MUF − D equilibrium within the timeliness goal (cvid.verify.diversion)"
    )
    independent_union_within_goal: float = Field(
        default=0.0,
        description="1 − (1 − P_MB·b)(1 − P_AS·i), the independent-union figure (an overstatement)",
    )
    undeclared_site_cued_1y: float = Field(
        default=0.0, description="Contribution of histories where intelligence knew the site"
    )
    undeclared_site_uncued_1y: float = Field(
        default=0.0, description="Contribution of histories where it did not"
    )
    undeclared_site_redrawn_cue_1y: float = Field(
        default=0.0,
        description="The older figure with the cue redrawn at every inspection (overstated)",
    )
    search_activity: str = "enrichment"
    signature_persistence_hours: tuple[float, ...] | None = None


def lesson3_figures(s: Scenario) -> VerificationFigures:
    """All of lesson 3's verification figures for the scenario's regime."""
    v, pr = s.verification, s.agreement.provisions
    sq = significant_quantity(s)
    sig = regime_sigma_muf(s)
    m, n, n_iaea, p_as = sampling_figures(s)
    model = search_model(s)
    lo, mid, hi = model.interval_within(12.0)
    ntm = v.national_means_detection_per_month
    lo, mid, hi = (1.0 - (1.0 - x) * (1.0 - ntm) ** 12 for x in (lo, mid, hi))
    mb = v.material_balance
    inputs: dict[str, Any] = {
        "access": pr.access,
        "challenge_notice_hours": pr.challenge_notice_hours,
        "access_to_people": pr.access_to_people,
        "access_to_documents": pr.access_to_documents,
        "routine_inspections_per_year": v.routine_inspections_per_year,
        "challenge_inspections_per_year": v.challenge_inspections_per_year,
        "candidate_sites": v.candidate_sites,
        "intelligence_cueing": v.intelligence_cueing,
        "effective_cueing": model.cueing,
        "concealment_time_hours": [v.concealment_time_hours.low, v.concealment_time_hours.high],
        "effective_delay_hours": model.delay_hours,
        "site_detection_probability": v.site_detection_probability,
        "managed_access_delay_hours": v.managed_access_delay_hours,
        "national_means_detection_per_month": ntm,
        "items": v.sampling.items,
        "item_content_kg": v.sampling.item_content_kg,
        "sampling_detection_goal": v.sampling.detection_goal,
        "inventory_kg": mb.inventory_kg,
        "throughput_kg_per_period": mb.throughput_kg_per_period,
        "random_rsd": mb.random_rsd,
        "systematic_rsd": mb.systematic_rsd,
        "periods_per_year": mb.periods_per_year,
        "false_alarm_probability": mb.false_alarm_probability,
    }
    basis, note = material_balance_basis(s)
    parts = model.parts_within(12.0)
    ntm12 = (1.0 - ntm) ** 12
    persistence = signature_persistence(search_activity(s), uses_environmental_sampling(s))
    inputs.update(
        {
            "receipt_batches": mb.receipt_batches,
            "shipment_batches": mb.shipment_batches,
            "material_balance_facility": mb.facility,
            "cueing_if_concealing": v.cueing_if_concealing,
            "search_with_replacement": v.search_with_replacement,
        }
    )
    return VerificationFigures(
        material_balance_basis=basis,
        material_balance_note=note,
        diversion_equilibrium=diversion_equilibrium(s),
        independent_union_within_goal=independent_union_within_goal(s),
        undeclared_site_cued_1y=float(parts.cued),
        undeclared_site_uncued_1y=float(parts.uncued),
        undeclared_site_redrawn_cue_1y=float(
            1.0 - (1.0 - model.redrawn_probability_within(12.0)) * ntm12
        ),
        search_activity=search_activity(s),
        signature_persistence_hours=None if persistence is None else tuple(persistence),
        material=balanced_material(s),
        significant_quantity_kg=sq,
        detection_probability_sq_within_goal=diversion_detection_within_goal(s),
        timeliness_goal_months=v.timeliness_goal_months,
        balance_detection_probability=balance_detection_probability(s),
        sampling_detection_probability=p_as,
        undeclared_site_probability_1y=mid,
        undeclared_site_probability_1y_low=lo,
        undeclared_site_probability_1y_high=hi,
        sigma_muf_kg=sig,
        sigma_muf_per_sq=sig / sq,
        sample_size=n,
        sample_size_iaea=n_iaea,
        defects=m,
        monthly_detection_probability=monthly_detection_probability(s),
        monthly_detection_undeclared_facility=monthly_detection_probability(
            s, "undeclared-facility"
        ),
        monthly_detection_diversion=monthly_detection_probability(s, "diversion"),
        inputs=inputs,
    )


# --- curves for the report ---------------------------------------------------------------


def curve_detection_vs_sample_size(
    s: Scenario, sizes: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """(n, exact detection probability of one SQ by attribute sampling)."""
    plan = s.verification.sampling
    m = min(defects_for_goal(significant_quantity(s), plan.item_content_kg), plan.items)
    n = np.arange(plan.items + 1) if sizes is None else np.asarray(sizes)
    n = np.clip(n, 0, plan.items).astype(np.int64)
    return n.astype(np.float64), detection_probability(plan.items, m, n)


def curve_detection_vs_inspections(
    s: Scenario, per_year: ArrayLike | None = None, months: float = 12.0
) -> tuple[FloatArray, FloatArray]:
    """(challenge inspections a year, probability of finding the undeclared site in
    ``months``)."""
    x = np.linspace(0.0, 24.0, 49) if per_year is None else np.asarray(per_year, dtype=np.float64)
    y = np.array(
        [
            float(search_model(s, inspections_per_year=float(v)).probability_within(months))
            for v in x
        ]
    )
    return x, y


def curve_detection_vs_notice(
    s: Scenario, notice_hours: ArrayLike | None = None, months: float = 12.0
) -> tuple[FloatArray, FloatArray]:
    """(notice hours, probability of finding the undeclared site in ``months``)."""
    c = s.verification.concealment_time_hours
    top = max(2.0 * c.high, 48.0)
    x = (
        np.linspace(0.0, top, 97)
        if notice_hours is None
        else np.asarray(notice_hours, dtype=np.float64)
    )
    y = np.array(
        [float(search_model(s, notice_hours=float(v)).probability_within(months)) for v in x]
    )
    return x, y


def curve_site_detection_vs_months(
    s: Scenario, months: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(months, central, low, high) probability of finding the undeclared site within T."""
    t = np.arange(0.0, 37.0) if months is None else np.asarray(months, dtype=np.float64)
    model = search_model(s)
    c = s.verification.concealment_time_hours
    ntm = s.verification.national_means_detection_per_month

    def add_ntm(p: FloatArray) -> FloatArray:
        return np.asarray(1.0 - (1.0 - p) * (1.0 - ntm) ** t, dtype=np.float64)

    mid = add_ntm(model.probability_within(t))
    lo = add_ntm(model.probability_within(t, c.low)) if c.low != c.high else mid
    hi = add_ntm(model.probability_within(t, c.high)) if c.low != c.high else mid
    return t, mid, np.minimum(lo, mid), np.maximum(hi, mid)


def months_to_probability(p_month: float, target: float) -> float:
    """Months until the cumulative detection chance reaches ``target`` at ``p_month`` a month:
    ⌈ln(1 − target)/ln(1 − p)⌉ (inf when p = 0)."""
    if p_month <= 0.0:
        return math.inf
    if p_month >= 1.0:
        return 1.0
    return float(math.ceil(math.log1p(-target) / math.log1p(-p_month)))
