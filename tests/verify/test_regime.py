"""The scenario-level contract: monthly detection probability and lesson 3's figures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from cvid.scenario import load_scenario
from cvid.verify import (
    BalanceSequence,
    ErrorModel,
    curve_detection_vs_inspections,
    curve_detection_vs_notice,
    curve_detection_vs_sample_size,
    curve_site_detection_vs_months,
    lesson3_figures,
    monthly_detection_probability,
    muf_covariance,
)
from tests.verify.conftest import make_scenario

OPEN = {
    "access": "anywhere-anytime",
    "challenge_notice_hours": 2,
    "access_to_people": True,
    "access_to_documents": True,
}
REGIME = {
    "challenge_inspections_per_year": 12,
    "candidate_sites": 50,
    "intelligence_cueing": 0.2,
    "concealment_time_hours": {"low": 24, "high": 168},
    "site_detection_probability": 0.9,
    "cueing_from_people": 0.1,
    "cueing_from_documents": 0.1,
}


def test_monthly_probability_matches_hand_computation() -> None:
    # Independent computation of the search model's first year (module docstring of
    # cvid.verify.search): people and documents cue at half strength for a concealing state,
    # c = 1 − 0.8·0.95·0.95; π = 0.9·(168 − 48)/144; N ~ Poisson(12) inspections a year;
    # F = c(1 − e^{−12π}) + (1 − c)·π·E[min(N, 50)]/50; the monthly rate 1 − (1 − F)^{1/12}.
    s = make_scenario({**OPEN, "challenge_notice_hours": 48}, REGIME)
    c = 1 - 0.8 * 0.95 * 0.95
    pi = (168 - 48) / (168 - 24) * 0.9
    ks = np.arange(0, 400)
    e_min = float(np.sum(np.minimum(ks, 50) * stats.poisson.pmf(ks, 12.0)))
    f12 = c * (1 - math.exp(-12 * pi)) + (1 - c) * pi * e_min / 50
    expected_site = 1 - (1 - f12) ** (1 / 12)
    assert monthly_detection_probability(s, "undeclared-facility") == pytest.approx(
        expected_site, rel=1e-12
    )
    assert monthly_detection_probability(s) == min(
        monthly_detection_probability(s, "undeclared-facility"),
        monthly_detection_probability(s, "diversion"),
    )


def test_access_regimes_are_ordered() -> None:
    p = {}
    for access in ("anywhere-anytime", "managed", "declared-sites-only", "none"):
        s = make_scenario({**OPEN, "access": access}, REGIME)
        p[access] = monthly_detection_probability(s, "undeclared-facility")
    assert p["anywhere-anytime"] > p["managed"] >= p["declared-sites-only"] == 0.0
    assert p["none"] == 0.0


def test_notice_longer_than_cleanup_defeats_search() -> None:
    s = make_scenario({**OPEN, "challenge_notice_hours": 200}, REGIME)
    assert monthly_detection_probability(s, "undeclared-facility") == 0.0


def test_national_means_add_to_regime() -> None:
    s = make_scenario(
        {**OPEN, "access": "none"}, {**REGIME, "national_means_detection_per_month": 0.05}
    )
    assert monthly_detection_probability(s, "undeclared-facility") == pytest.approx(0.05)


def test_lesson3_sigma_muf_equals_covariance_diagonal() -> None:
    # σMUF of the regime's balance (BI = EI = inventory, R = S = throughput) against the
    # diagonal of the full covariance of a 3-period sequence: an independent computation.
    s = make_scenario(OPEN, REGIME)
    f = lesson3_figures(s)
    mb = s.verification.material_balance
    seq = BalanceSequence.from_arrays(
        [mb.inventory_kg] * 3,
        [mb.throughput_kg_per_period] * 3,
        [mb.throughput_kg_per_period] * 3,
        [mb.inventory_kg] * 3,
    )
    cov = muf_covariance(seq, ErrorModel.uniform(mb.random_rsd, mb.systematic_rsd))
    assert f.sigma_muf_kg == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-12)
    assert f.sigma_muf_per_sq == pytest.approx(f.sigma_muf_kg / 8.0)
    # Balance detection probability, Avenhaus & Canty (1996) eq. 3.22.
    pd = stats.norm.cdf(8.0 / f.sigma_muf_kg - stats.norm.ppf(0.95))
    assert f.balance_detection_probability == pytest.approx(pd)
    assert f.undeclared_site_probability_1y_low <= f.undeclared_site_probability_1y
    assert f.undeclared_site_probability_1y <= f.undeclared_site_probability_1y_high
    assert f.to_dict()["sample_size"] == f.sample_size


def test_lesson3_heu_program_uses_heu_quantity() -> None:
    s = make_scenario(
        OPEN,
        REGIME,
        materials=[{"id": "heu", "name": "HEU", "kind": "heu", "mass_kg": 40.0}],
    )
    f = lesson3_figures(s)
    assert f.material == "heu"
    assert f.significant_quantity_kg == 25.0
    assert f.defects == math.ceil(25.0 / s.verification.sampling.item_content_kg)


def test_bundled_examples_give_probabilities() -> None:
    for name in ("libya-2003", "dprk-2018-step-by-step"):
        f = lesson3_figures(load_scenario(name))
        for v in (
            f.monthly_detection_probability,
            f.detection_probability_sq_within_goal,
            f.undeclared_site_probability_1y,
        ):
            assert 0.0 <= v <= 1.0


def test_curves_are_monotone() -> None:
    s = make_scenario(OPEN, REGIME)
    _n, p = curve_detection_vs_sample_size(s)
    assert p[0] == 0.0
    assert np.all(np.diff(p) >= 0)
    _, p = curve_detection_vs_inspections(s)
    assert np.all(np.diff(p) >= 0)
    _, p = curve_detection_vs_notice(s)
    assert np.all(np.diff(p) <= 1e-15)
    _t, mid, lo, hi = curve_site_detection_vs_months(s)
    assert np.all(np.diff(mid) >= 0)
    assert np.all(lo <= mid) and np.all(mid <= hi)


def test_a_search_figure_on_defaults_names_them() -> None:
    """search_inputs_at_default lists what the search model reads for this agreement and the
    file leaves at cvid's defaults: people and documents only with access to them, the
    managed-access delay only under managed access; nothing when the search cannot reach an
    undeclared site (0 by the agreement's terms) or when the file states every input."""
    from cvid.verify import search_default_label, search_inputs_at_default

    stated = {
        "candidate_sites": 20, "intelligence_cueing": 0.3, "site_detection_probability": 0.8,
        "challenge_inspections_per_year": 6, "concealment_time_hours": {"low": 24, "high": 72},
    }  # fmt: skip
    open_ = {"access": "anywhere-anytime", "challenge_notice_hours": 24}
    assert search_inputs_at_default(make_scenario(open_, stated)) == ()
    assert search_default_label(make_scenario(open_, stated)) == ""
    people = make_scenario({**open_, "access_to_people": True}, stated)
    assert search_inputs_at_default(people) == (
        "verification.cueing_from_people", "verification.cueing_if_concealing",
    )  # fmt: skip
    managed = make_scenario({"access": "managed"}, {"challenge_inspections_per_year": 6})
    missing = search_inputs_at_default(managed)
    assert "verification.managed_access_delay_hours" in missing
    assert "verification.candidate_sites" in missing
    assert "agreement.provisions.challenge_notice_hours" in missing
    label = search_default_label(managed)
    assert f"defaults for {len(missing)} of its inputs" in label and "not on the scenario" in label
    closed = make_scenario({"access": "declared-sites-only"}, {})
    assert search_inputs_at_default(closed) == ()  # found with probability 0 whatever the rest
    none_planned = make_scenario(open_, {"challenge_inspections_per_year": 0})
    assert search_inputs_at_default(none_planned) == ()
    none_said = make_scenario(open_, {})  # 0 challenge inspections, cvid's default
    assert search_inputs_at_default(none_said) == ("verification.challenge_inspections_per_year",)
