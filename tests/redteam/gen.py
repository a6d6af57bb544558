"""Small generated scenarios for the red team's property tests (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from cvid.scenario import Scenario, scenario_from_dict

KINDS = ["declare", "freeze", "disable", "dismantle", "remove", "destroy", "verify", "grant-access"]
METHODS = [
    "on-site-inspection",
    "challenge-inspection",
    "environmental-sampling",
    "material-accountancy",
    "seals-and-surveillance",
    "removal-escort",
    "document-review",
    "interviews",
    "national-technical-means",
]
ACCESS = ["anywhere-anytime", "managed", "declared-sites-only", "none"]


@st.composite
def small_scenarios(draw: st.DrawFn, max_commitments: int = 3) -> Scenario:
    """A program of a few items and an agreement of a few commitments and concessions."""
    facilities: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["reactor", "enrichment", "test-site"]))
        f: dict[str, Any] = {
            "id": f"f{i}",
            "name": f"facility {i}",
            "kind": kind,
            "declared": draw(st.booleans()),
        }
        if kind == "reactor":
            f["thermal_power_mw"] = draw(st.floats(1, 50))
        if kind == "enrichment":
            f["separative_capacity_swu_per_year"] = draw(st.floats(100, 5000))
        facilities.append(f)
    materials = []
    if draw(st.booleans()):
        mass = draw(st.floats(1, 60))
        materials.append(
            {
                "id": "pu",
                "name": "plutonium",
                "kind": "plutonium",
                "mass_kg": mass,
                "declared_mass_kg": draw(st.one_of(st.none(), st.floats(0, mass))),
            }
        )
    weapons = (
        [{"id": "w", "name": "weapons", "count": draw(st.integers(1, 5))}]
        if draw(st.booleans())
        else []
    )
    items = (
        [f["id"] for f in facilities] + [m["id"] for m in materials] + [w["id"] for w in weapons]
    )
    duration = draw(st.sampled_from([12.0, 24.0, 36.0]))
    commitments = []
    for i in range(draw(st.integers(1, max_commitments))):
        targets = draw(
            st.lists(
                st.sampled_from([*items, "all", "all-facilities"]),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
        commitments.append(
            {
                "id": f"c{i}",
                "kind": draw(st.sampled_from(KINDS)),
                "targets": targets,
                "deadline_months": draw(st.sampled_from([1.0, 3.0, 6.0, duration])),
                "verification": draw(st.lists(st.sampled_from(METHODS), max_size=2, unique=True)),
            }
        )
    concessions = []
    for i in range(draw(st.integers(0, 3))):
        concessions.append(
            {
                "id": f"k{i}",
                "kind": "economic-aid",
                "month": draw(st.sampled_from([0.0, 2.0, 6.0, duration])),
                "requires": draw(
                    st.lists(
                        st.sampled_from([c["id"] for c in commitments]), max_size=2, unique=True
                    )
                ),
                "release_on": draw(
                    st.sampled_from(["verified", "declared", "statement", "schedule"])
                ),
            }
        )
    data = {
        "meta": {"name": "generated"},
        "program": {
            "state": "X",
            "as_of": "2020-01-01",
            "facilities": facilities,
            "materials": materials,
            "weapons": weapons,
        },
        "agreement": {
            "name": "generated",
            "start": "2020-01-01",
            "duration_months": duration,
            "commitments": commitments,
            "concessions": concessions,
            "provisions": {
                "access": draw(st.sampled_from(ACCESS)),
                "challenge_notice_hours": draw(st.sampled_from([2.0, 24.0, 72.0])),
                "access_to_people": draw(st.booleans()),
                "access_to_documents": draw(st.booleans()),
            },
        },
        "verification": {
            "routine_inspections_per_year": draw(st.sampled_from([0.0, 4.0, 12.0])),
            "challenge_inspections_per_year": draw(st.sampled_from([0.0, 2.0, 12.0])),
            "candidate_sites": draw(st.integers(1, 50)),
            "intelligence_cueing": draw(st.floats(0, 0.5)),
            "national_means_detection_per_month": draw(st.sampled_from([0.0, 0.01])),
        },
        "redteam": {
            "allocation_steps": draw(st.sampled_from([2, 5, 11])),
            "material_value_per_sq": draw(st.floats(0, 1)),
            "penalty": draw(st.floats(0, 2)),
            "followup_months": draw(st.sampled_from([0.0, 12.0])),
        },
    }
    return scenario_from_dict(data)
