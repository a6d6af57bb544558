"""The thin adapter between the simulator and :mod:`cvid.verify`.

Every number of verification science the simulator uses passes through here, so that a
change of model in :mod:`cvid.verify` (e.g. a time-varying search hazard) is taken up in one
place:

* :func:`regime_detection_probability` — the monthly chance that a month of clandestine
  production is detected (``cvid.verify.monthly_detection_probability``);
* :func:`deterrence_threshold` — the inspection-game deterrence condition
  (``cvid.verify.InspectionGame.deterrence_detection_probability``): a violation is deterred
  when the detection probability is at least D/(D + B) (Avenhaus & Canty 1996, §4.2);
* :func:`hidden_facility_survival` — the chance that an undeclared facility has not been found
  after t months of the regime's search (``cvid.verify.search_model``, national means added).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.scenario import Scenario


def regime_detection_probability(scenario: Scenario) -> float:
    """Monthly probability that clandestine production running in a month is detected that
    month under the scenario's regime, from :func:`cvid.verify.monthly_detection_probability`."""
    from cvid.verify import monthly_detection_probability

    return float(monthly_detection_probability(scenario))


def deterrence_threshold(gain: float, penalty: float) -> float:
    """Least detection probability that deters a violation worth ``gain`` facing ``penalty``:
    D/(D + B), from the inspection game of :mod:`cvid.verify.games` with sure inspection and
    no false alarms. 1.0 when nothing deters (B = 0), 0.0 when nothing is gained (D = 0)."""
    from cvid.verify import InspectionGame

    if gain <= 0.0:
        return 0.0
    game = InspectionGame(
        gain=gain,
        penalty=penalty,
        inspection_cost=0.0,
        loss_detected=0.0,
        loss_undetected=1.0,
        non_detection=0.0,
    )
    p = game.deterrence_detection_probability()
    return 1.0 if p is None else float(p)


def cheats(
    detection_within_goal: ArrayLike, gain: ArrayLike, discounted_penalty: ArrayLike
) -> NDArray[np.bool_]:
    """Vectorized best response: cheat iff P < D/(D + B), written P·B < D·(1 − P) so that it
    needs no division (equal to :func:`deterrence_threshold` elementwise; tested)."""
    p = np.asarray(detection_within_goal, dtype=float)
    return np.asarray(
        p * np.asarray(discounted_penalty, dtype=float) < np.asarray(gain, dtype=float) * (1.0 - p)
    )


def hidden_facility_survival(scenario: Scenario, months: int) -> NDArray[np.float64]:
    """(months + 1,): chance that an undeclared facility is still unfound after t = 0..months
    months of challenge inspections and national technical means (cvid.verify.search_model)."""
    from cvid.verify import search_model

    model = search_model(scenario)
    t = np.arange(months + 1, dtype=float)
    found = np.array([float(model.probability_within(float(x))) for x in t])
    ntm = scenario.verification.national_means_detection_per_month
    return np.asarray((1.0 - found) * (1.0 - ntm) ** t, dtype=np.float64)
