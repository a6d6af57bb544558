"""Simulation as a background job over HTTP: progress, then the same result as the library."""

from __future__ import annotations

import json
import time

from cvid.scenario import example_path, loads_scenario
from tests.web.conftest import Deployment

LIBYA = example_path("libya-2003").read_text(encoding="utf-8")


def test_simulation_job_reports_progress_and_matches_library(dep: Deployment) -> None:
    from cvid.negotiate import simulate

    strategies = ["agreement", "libya-model"]
    params = {"strategies": strategies, "runs": 3000, "months": 36, "seed": 7}
    with dep.client("inspectorate") as c:
        sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
        r = c.post(f"/api/v1/scenarios/{sid}/simulations", json=params)
        assert r.status_code == 202, r.text
        job = r.json()
        # a fast job may already be done when the 202 is written
        assert job["status"] in ("queued", "running", "done")
        assert job["total"] == 6000
        seen = []
        deadline = time.monotonic() + 120
        while job["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
            job = c.get(f"/api/v1/simulations/{job['id']}").json()
            seen.append(job["progress"])
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0
    assert seen == sorted(seen)  # progress never goes back
    expected = simulate(loads_scenario(LIBYA), strategies, runs=3000, months=36, seed=7).to_dict()
    assert job["result"] == json.loads(json.dumps(expected))


def test_bad_simulation_requests_are_4xx(dep: Deployment) -> None:
    with dep.client("admin") as c:
        sid = c.post("/api/v1/scenarios", json={"toml": LIBYA}).json()["id"]
        r = c.post(f"/api/v1/scenarios/{sid}/simulations", json={"strategies": ["nonesuch"]})
        assert r.status_code == 422
        assert "unknown strategy" in r.json()["detail"]
        r = c.post(f"/api/v1/scenarios/{sid}/simulations", json={"runs": 0})
        assert r.status_code == 422
        assert c.get("/api/v1/simulations/99999").status_code == 404
    with dep.client("state") as c:
        r = c.post(f"/api/v1/scenarios/{sid}/simulations", json={})
        assert r.status_code == 403
