"""What every part of the service shares: the store, the database it is in, the log's identity,
and the stored scenarios (looked up and parsed by the assessments, simulations and the
compliance followers alike)."""

from __future__ import annotations

from typing import Any

from cvid.scenario import Scenario, ScenarioError, loads_scenario
from cvid.web.security import Sessions
from cvid.web.service.errors import NotFound, is_row_id
from cvid.web.store import DbUrl, Store


class ServiceBase:
    """The state of an open service that its parts (:mod:`.parties`, :mod:`.ledger`,
    :mod:`.jobs`, :mod:`.following`) read; :class:`cvid.web.service.Service` sets it."""

    #: The service's tables (parties, scenarios, assessments, jobs, audit log).
    store: Store
    #: The database (SQLite file or PostgreSQL URL) holding the store and the ledger.
    url: DbUrl
    #: The database as it may be shown (password replaced by ***).
    display_url: str
    #: The log's origin line and its Ed25519 note verifier key.
    origin: str
    verifier_key: str
    #: Browser sessions (the page cookie holds a session id, never an API token).
    sessions: Sessions

    @staticmethod
    def parse_scenario(toml: str, source: str = "upload") -> Scenario:
        """Validate scenario TOML; a :class:`ScenarioError` lists every problem."""
        try:
            return loads_scenario(toml, source=source)
        except RecursionError:
            raise ScenarioError(source, [("", "nested too deeply to be a scenario")]) from None

    def scenario(self, scenario_id: int) -> dict[str, Any]:
        """A stored scenario with its TOML."""
        row = self.store.scenario(scenario_id) if is_row_id(scenario_id) else None
        if row is None:
            raise NotFound(f"no scenario {scenario_id}")
        return row

    def stored_scenario(self, scenario_id: int) -> Scenario:
        """A stored scenario, parsed."""
        row = self.scenario(scenario_id)
        return self.parse_scenario(row["toml"], source=f"scenario {scenario_id}")


__all__ = ["ServiceBase"]
