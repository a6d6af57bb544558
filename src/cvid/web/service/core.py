"""The service: open the database and the ledger, and tie together its parts (parties and
tokens, ledger access, simulation jobs, compliance followers); scenarios uploaded and
assessments run and kept here, with their HTML reports rendered in the background.

The REST API (:mod:`cvid.web.routes`) and the pages (:mod:`cvid.web.pages`) both call this.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from cvid.assess import Assessment, assess
from cvid.compliance import ComplianceState, Evidence
from cvid.errors import CheckFailed, InputError
from cvid.ledger import Ledger
from cvid.results import jsonable
from cvid.scenario import Scenario
from cvid.web.security import SECRETS, Caller, Sessions, redact_logs, redact_url
from cvid.web.service.errors import NotFound, is_row_id, require
from cvid.web.service.following import Following
from cvid.web.service.jobs import Jobs
from cvid.web.service.parties import Parties
from cvid.web.store import DbUrl, Store, parse_db


class Service(Parties, Jobs, Following):
    """An open service database: its :class:`Store`, its :class:`Ledger` and job runner."""

    def __init__(
        self,
        db: str | Path,
        *,
        log_key: Path | None = None,
        witnesses: Sequence[str] = (),
        quorum: int | None = None,
    ) -> None:
        # the database password never leaves the process: not in responses, logs or errors
        SECRETS.add_url(str(db))
        redact_logs()
        #: The database as it may be shown (password replaced by ***).
        self.display_url = redact_url(str(db))
        self.sessions = Sessions()
        self.set_witness_policy(witnesses, quorum)
        self._init_following()
        try:
            self._open(db, log_key)
        except InputError as exc:
            if not SECRETS.active:
                raise
            raise InputError(
                SECRETS.text(exc.reason),
                source=SECRETS.text(exc.source) if exc.source else None,
                field=exc.field,
            ) from None

    def _open(self, db: str | Path, log_key: Path | None) -> None:
        self.url: DbUrl = parse_db(db)
        self._log_key = log_key
        if self.url.sqlite_path is not None:
            if self.url.sqlite_path.exists():  # refuses a file that is not a ledger
                Ledger.open(self.url.text, log_key=log_key).close()
            else:
                Ledger.create(self.url.text, log_key_path=log_key).close()
        self.store = Store(self.url)
        try:
            if not self.store.has_table("ledger_meta"):
                Ledger.create(self.url.text, log_key_path=log_key).close()
            self.store.create_tables()
            first = Ledger.open(self.url.text, log_key=log_key)
        except SQLAlchemyError as exc:
            self.store.close()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise InputError(
                f"cannot use this database ({SECRETS.text(reason)})", source=self.display_url
            ) from None
        except BaseException:
            self.store.close()
            raise
        self.origin = first.origin
        self.verifier_key = first.verifier_key
        first.close()
        self._open_lanes(log_key)
        self._init_parties()
        self._init_jobs()
        self.renders = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvid-report")
        self._render_lock = threading.Lock()
        self._rendering: set[int] = set()

    def close(self) -> None:
        """Stop the job runner and release every connection."""
        self.jobs.shutdown(wait=True, cancel_futures=True)
        self.renders.shutdown(wait=True, cancel_futures=True)
        self._close_lanes()
        self.store.close()

    # ------------------------------------------------------------------ scenarios
    def upload_scenario(self, toml: str, caller: Caller) -> dict[str, Any]:
        """Validate and store a scenario."""
        require(caller, "scenarios.write", "upload scenarios")
        s = self.parse_scenario(toml)
        row = self.store.add_scenario(s.meta.name, s.meta.title, toml, caller.name)
        return {k: v for k, v in row.items() if k != "toml"}

    # ------------------------------------------------------------------ assessments
    def run_assessment(
        self, scenario_id: int, caller: Caller, *, with_ledger: bool = True
    ) -> dict[str, Any]:
        """Assess a stored scenario with :func:`cvid.assess.assess` (with the compliance of
        its agreement from this service's ledger unless ``with_ledger`` is False) and keep the
        result, with what its HTML report needs (rendered when first asked for).

        The compliance state is the scenario's follower's (:meth:`follow`: the records
        appended since the last read are absorbed, the ledger is not read again), taken with
        its evidence in one snapshot, as of now; the one state feeds both the lessons and the
        report's compliance section.
        """
        require(caller, "assessments.write", "run assessments")
        row = self.scenario(scenario_id)
        s = self.parse_scenario(row["toml"], source=f"scenario {scenario_id}")
        source = f"scenario {scenario_id} ({row['name']})"
        comp = None
        if with_ledger:
            state, evidence, note = self._snapshot(scenario_id)
            # The service keeps one ledger for every agreement: no records yet is no error.
            a = assess(s, source=source, compliance_state=state, evidence=evidence)
            comp = {**state.to_dict(), "checkpoint": note}
        else:
            a = assess(s, source=source)
        inputs = {"source": source, "compliance": comp}
        return self.store.add_assessment(scenario_id, a.to_dict(), inputs, caller.name)

    def _snapshot(self, scenario_id: int) -> tuple[ComplianceState, list[Evidence], str | None]:
        """The scenario's compliance state as of now and the evidence it is of (one absorbed
        tree), with the ledger's latest signed checkpoint (None if it does not verify)."""
        f, _, _ = self.follow(scenario_id)
        with f.lock:
            evidence = list(f.evidence)
            state = f.tracker.state(None)
        try:
            note: str | None = self.ledger.checkpoint()
        except CheckFailed:
            note = None
        return state, evidence, note

    def report(self, assessment_id: int) -> str | None:
        """The assessment's HTML report, or None while it is being rendered (the first request
        starts the rendering in the background)."""
        self.assessment(assessment_id)
        html = self.store.report(assessment_id)
        if html is not None:
            return html
        with self._render_lock:
            if assessment_id not in self._rendering:
                self._rendering.add(assessment_id)
                self.renders.submit(self._render, assessment_id)
        return None

    def _render(self, assessment_id: int) -> None:
        """Render a report from the stored result (the grades, findings and compliance
        summary as they were answered) with the compliance state stored when the assessment
        ran; the simulation's curves over time, which are not stored, are simulated again
        (the same deterministic engine and seed) and drawn only if the run reproduces the
        stored figures exactly."""
        try:
            from cvid.assess.report import render_html

            row = self.assessment(assessment_id)
            inputs = self.store.report_inputs(assessment_id)
            s = self.stored_scenario(row["scenario_id"])
            a = with_curves(s, Assessment.model_validate(row["result"]))
            html = str(render_html(s, a, compliance=inputs["compliance"]).html)
        except Exception as exc:  # keep the assessment; say why its report is missing
            from html import escape

            html = (
                "<!doctype html><title>report failed</title><p>The report could not be "
                f"rendered: {escape(type(exc).__name__)}: {escape(str(exc))}</p>"
            )
        try:
            self.store.set_report(assessment_id, html)
        finally:
            with self._render_lock:
                self._rendering.discard(assessment_id)

    def assessment(self, assessment_id: int) -> dict[str, Any]:
        """A stored assessment with its result."""
        row = self.store.assessment(assessment_id) if is_row_id(assessment_id) else None
        if row is None:
            raise NotFound(f"no assessment {assessment_id}")
        return row


def with_curves(s: Scenario, a: Assessment) -> Assessment:
    """``a`` (read back, so without curves) with its simulation run again from the runs,
    months and seed it records, if that run gives the same figures; else ``a`` as it is (the
    report then leaves the simulation's figures out)."""
    from cvid.assess.engine import simulate_against_libya_model

    sim = a.simulation
    if sim is None or a.simulation_result is not None:
        return a
    again = simulate_against_libya_model(
        s, runs=int(sim["runs"]), months=int(sim["months"]), seed=int(sim["seed"])
    )
    if jsonable(again.to_dict()) != sim:
        return a
    return a.model_copy(update={"simulation_result": again})


__all__ = ["Service", "with_curves"]
