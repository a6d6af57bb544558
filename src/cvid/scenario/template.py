"""The commented starting file written by ``cvid scenario new``."""

from __future__ import annotations

from datetime import date

_TEMPLATE = """\
# cvid scenario: {name}
# Every field is documented in the JSON Schema: `cvid scenario schema`.
# Quantities carry their unit in the field name (mass_kg, deadline_months, thermal_power_mw).
# An uncertain quantity is a number, {{ low = .., high = .. }}
# or {{ low = .., mode = .., high = .. }}.
# Cite a source for every fact: `source = "..."` on the item, and [meta].sources.

[meta]
name = "{name}"
title = "A short title"
kind = "hypothetical"             # or "historical"
description = "What this scenario is about."
sources = []

[program]
state = "Example"
as_of = {today}
nuclear_tests = 0

[[program.facilities]]
id = "reactor"
name = "Research reactor"
kind = "reactor"                  # enrichment, reprocessing, conversion, test-site, ...
declared = true
thermal_power_mw = {{ low = 20, high = 25 }}
capacity_factor = {{ low = 0.5, high = 0.8 }}
source = ""

[[program.materials]]
id = "separated-pu"
name = "Separated plutonium"
kind = "plutonium"                # heu (kg U-235), leu, uf6, ...
mass_kg = {{ low = 10, mode = 15, high = 20 }}
source = ""

[agreement]
name = "Agreement"
start = {today}
duration_months = 12
stated_goal = "complete, verifiable and irreversible dismantlement"

[agreement.provisions]
access = "anywhere-anytime"       # managed, declared-sites-only, none
challenge_notice_hours = 2
access_to_people = true
access_to_documents = true
retained_enrichment = false
retained_reprocessing = false
external_conditions = []

# Missiles in scope: MTCR Category I by default (>= 500 kg to >= 300 km); name classes
# the agreement or UN resolutions add, e.g. classes = ["srbm"] (UNSCR 1718 (2006) para 7).
[agreement.provisions.missile_scope]
min_range_km = 300
min_payload_kg = 500
classes = []

# Each commitment's verification must be able to verify it (`cvid.verify.adequacy`):
# a complete declaration needs inspection, environmental sampling, records and interviews;
# warheads need chain of custody and information-barrier measurements; national technical
# means verify test moratoria only. Optional: cap = {{ quantity = "enrichment-level",
# value = 3.67, unit = "percent" }} for kind = "limit"; sunset = 2030-01-01;
# completed_before_agreement = true; verification_basis = {{ method = "who, when" }}.
[[agreement.commitments]]
id = "declare"
kind = "declare"  # or freeze, disable, dismantle, remove, destroy, verify, grant-access,
                  # disclose, limit (with a cap), convert
scope = "complete"
targets = ["all"]
deadline_months = 1
verification = ["on-site-inspection", "environmental-sampling", "document-review", "interviews"]

[[agreement.commitments]]
id = "open-up"
kind = "grant-access"
targets = ["all", "undeclared-sites", "people", "documents"]
deadline_months = 1
verification = ["on-site-inspection", "challenge-inspection", "interviews", "document-review"]

[[agreement.commitments]]
id = "remove-pu"
kind = "remove"
targets = ["separated-pu"]
deadline_months = 4
verification = ["removal-escort", "material-accountancy"]
after = ["declare"]

[[agreement.commitments]]
id = "dismantle-reactor"
kind = "dismantle"
targets = ["reactor"]
deadline_months = 4
verification = ["on-site-inspection"]

# reversible (default by kind: sanctions relief, exercise suspensions and diplomatic steps
# can be taken back), snapback = true (reimposed automatically on a violation) and
# pre_agreement = true (granted before the agreement) are optional.
[[agreement.concessions]]
id = "relief"
kind = "sanctions-relief"
value_musd = {{ low = 100, high = 500 }}
month = 4
requires = ["declare", "remove-pu", "dismantle-reactor"]
release_on = "verified"
snapback = true

# The tools of statecraft in force (lesson 2: breadth and continuity), e.g.
# [[pressure.instruments]]
# id = "un-sanctions"
# kind = "un-sanctions"     # unilateral-sanctions, secondary-sanctions, interdiction,
#                           # intelligence, military-posture, allied-coordination, diplomacy
# enforcer = "UN Security Council"
# share = 0.4
# continues = true

[verification]
routine_inspections_per_year = 12
challenge_inspections_per_year = 6
candidate_sites = 50

[counterpart.prior]
sincere = 0.3
time-buyer = 0.4
hedger = 0.3
"""


def render_template(name: str, today: date | None = None) -> str:
    """The starting scenario text for ``name``; it validates as it is."""
    return _TEMPLATE.format(name=name, today=(today or date.today()).isoformat())
