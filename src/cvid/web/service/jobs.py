"""Simulation jobs: :func:`cvid.negotiate.simulate` of a stored scenario on a background
thread, its progress and result kept in the store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cvid.errors import InputError
from cvid.results import jsonable
from cvid.scenario import Scenario
from cvid.web.security import Caller
from cvid.web.service.base import ServiceBase
from cvid.web.service.errors import Busy, NotFound, is_row_id, require
from cvid.web.store import now

#: Largest simulation the service runs: runs × months × strategies (about 25 s of work).
MAX_RUN_MONTHS = 20_000_000
#: Simulations queued or running at once.
MAX_JOBS = 4


class Jobs(ServiceBase):
    """Queue simulations (at most :data:`MAX_JOBS` at once), run them one at a time."""

    def _init_jobs(self) -> None:
        self.store.fail_unfinished_jobs()
        self.jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvid-sim")
        self._jobs_lock = threading.Lock()
        self._jobs_in_flight = 0

    # ------------------------------------------------------------------ simulations
    def start_simulation(
        self,
        scenario_id: int,
        caller: Caller,
        *,
        strategies: Sequence[str] | None,
        runs: int,
        months: int,
        seed: int,
    ) -> dict[str, Any]:
        """Queue a simulation of a stored scenario; it runs in the background."""
        from cvid.negotiate import resolve_strategy, simulate, strategy_names

        require(caller, "simulations.write", "start simulations")
        s = self.stored_scenario(scenario_id)
        names = list(strategies) if strategies else list(strategy_names(s))
        work = runs * months * max(len(names), 1)
        if work > MAX_RUN_MONTHS:
            raise InputError(
                f"runs × months × strategies = {work:,} is over this server's limit of "
                f"{MAX_RUN_MONTHS:,}; use `cvid simulate` for bigger runs",
                field="runs",
            )
        if strategies:
            for name in names:
                resolve_strategy(s, name)
        params = {"strategies": names or None, "runs": runs, "months": months, "seed": seed}
        total = runs * max(len(names), 1)
        with self._jobs_lock:
            if self._jobs_in_flight >= MAX_JOBS:
                raise Busy(f"{MAX_JOBS} simulations are queued or running; try again later")
            self._jobs_in_flight += 1
        try:
            job_id = self.store.add_job(scenario_id, params, total, caller.name)
            self.jobs.submit(self._run_job, job_id, s, params, simulate)
        except BaseException:
            with self._jobs_lock:
                self._jobs_in_flight -= 1
            raise
        return self.job(job_id)

    def _run_job(
        self, job_id: int, s: Scenario, params: Mapping[str, Any], simulate: Callable[..., Any]
    ) -> None:
        self.store.update_job(job_id, status="running")
        done = 0
        last = 0.0

        def progress(n: int) -> None:
            nonlocal done, last
            done += int(n)
            t = time.monotonic()
            if t - last >= 0.25:
                last = t
                self.store.update_job(job_id, done=done)

        try:
            result = simulate(
                s,
                params["strategies"],
                runs=params["runs"],
                months=params["months"],
                seed=params["seed"],
                progress=progress,
            )
            self.store.update_job(
                job_id, status="done", done=done, result=jsonable(result.to_dict()), finished=now()
            )
        except InputError as exc:
            self.store.update_job(job_id, status="failed", error=exc.describe(), finished=now())
        except Exception as exc:  # a bug in a model must not leave the job "running"
            self.store.update_job(
                job_id, status="failed", error=f"{type(exc).__name__}: {exc}", finished=now()
            )
        finally:
            with self._jobs_lock:
                self._jobs_in_flight -= 1

    def job(self, job_id: int) -> dict[str, Any]:
        """A simulation job: status, progress (0-1) and result when done."""
        row = self.store.job(job_id) if is_row_id(job_id) else None
        if row is None:
            raise NotFound(f"no simulation {job_id}")
        row["progress"] = min(row["done"] / row["total"], 1.0) if row["total"] else 0.0
        if row["status"] == "done":
            row["progress"] = 1.0
        return row


__all__ = ["MAX_JOBS", "MAX_RUN_MONTHS", "Jobs"]
