"""What the service does, independent of HTTP: open the database and the ledger, manage
parties and tokens, store scenarios, run assessments and simulations, append to the ledger.

The REST API (:mod:`cvid.web.routes`) and the pages (:mod:`cvid.web.pages`) both call this.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy.exc import SQLAlchemyError

from cvid.assess import assess
from cvid.compliance import (
    BeliefState,
    BeliefTracker,
    ComplianceState,
    ComplianceTracker,
    Evidence,
    check_evidence,
)
from cvid.errors import CheckFailed, CvidError, InputError
from cvid.ledger import KIND_SIGNERS, Ledger, PartyPublicKey, leaf_hash
from cvid.scenario import Scenario, ScenarioError, loads_scenario
from cvid.web.security import (
    ROLES,
    SECRETS,
    Caller,
    Sessions,
    new_token,
    redact_logs,
    redact_url,
    same_hash,
    token_hash,
)
from cvid.web.store import DbUrl, Store, now, parse_db

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class ServiceError(CvidError):
    """A request the service refuses; ``http_status`` is the HTTP status it answers with and
    ``headers`` the response headers that go with it (``WWW-Authenticate``, ``Retry-After``)."""

    http_status = 400

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers: dict[str, str] = dict(headers or {})


class Unauthenticated(ServiceError):
    """No valid credentials: no token, a malformed or unknown one, or an ended page session
    (HTTP 401; the pages send the browser to the login form)."""

    http_status = 401


class Forbidden(ServiceError):
    """The caller's role may not do this (HTTP 403)."""

    http_status = 403


class CrossSite(Forbidden):
    """A state-changing request from another site or without its form's anti-forgery token
    (HTTP 403)."""


class Busy(ServiceError):
    """Too much work queued, or too many failed logins (HTTP 429, with ``Retry-After``)."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(max(int(retry_after), 1))})


class NotReady(ServiceError):
    """The result exists but is still being made, e.g. a report being rendered (HTTP 409,
    with ``Retry-After``)."""

    http_status = 409

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message, headers={"Retry-After": str(max(int(retry_after), 1))})


class NotFound(ServiceError):
    """No such scenario, assessment, job or record (HTTP 404)."""

    http_status = 404


class SplitViewFound(ServiceError):
    """A witness presented a checkpoint this log signed for a tree it does not hold (HTTP
    409): the evidence is kept (:meth:`Store.split_views`) and shown as an alert."""

    http_status = 409


#: Largest simulation the service runs: runs × months × strategies (about 25 s of work).
MAX_RUN_MONTHS = 20_000_000
#: Simulations queued or running at once.
MAX_JOBS = 4
#: Threads that each own a handle on the ledger.
LEDGER_THREADS = 4
#: How long a checked token is remembered (seconds) by this process.
TOKEN_CACHE_SECONDS = 5.0
#: Largest row id the database can hold (SQLite and PostgreSQL BIGINT); larger is "not found".
MAX_ROW_ID = 2**63 - 1
#: Compliance results kept (per scenario, tree size, date and check).
COMPLIANCE_CACHE = 256
T = TypeVar("T")


@dataclass
class _Followed:
    """The compliance of one stored scenario kept up to date with the ledger: its
    :class:`cvid.compliance.ComplianceTracker`, the tree size and root absorbed, the
    agreement's evidence in log order (for the belief tracker) and the records the scenario
    cannot place (``check=True`` refuses them; the others are findings)."""

    scenario: Scenario
    tracker: ComplianceTracker
    size: int = 0
    root: bytes = b""
    evidence: list[Evidence] = field(default_factory=list)
    suspects: list[Evidence] = field(default_factory=list)
    beliefs: BeliefTracker | None = None
    believed: int = 0  # evidence taken in by ``beliefs``
    belief_state: BeliefState | None = None  # its state after ``believed`` records
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.tracker = ComplianceTracker(self.scenario)
        self.size, self.root = 0, b""
        self.evidence, self.suspects = [], []
        self.beliefs, self.believed, self.belief_state = None, 0, None


def check_name(name: str) -> str:
    """A party name: 1-64 of a-z 0-9 . _ - starting with a letter or digit (as the ledger)."""
    if not (1 <= len(name) <= 64) or not set(name) <= _NAME_CHARS or name[0] in "._-":
        raise InputError(
            "a party name is 1-64 characters a-z 0-9 . _ - starting with a letter or digit",
            field="name",
        )
    return name


class Service:
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
        #: Browser sessions (the page cookie holds a session id, never an API token).
        self.sessions = Sessions()
        #: The witness policy: C2SP cosignature/v1 verifier keys of the witnesses whose
        #: cosignatures count, and how many of them must cosign (default: all). Empty: the
        #: dashboard follows the witnesses that have cosigned this log, without a quorum.
        self.witnesses: tuple[str, ...] = ()
        self.quorum: int | None = None
        self.set_witness_policy(witnesses, quorum)
        self._compliance_lock = threading.Lock()
        self._followed: OrderedDict[int, _Followed] = OrderedDict()
        self._compliance: OrderedDict[tuple[Any, ...], ComplianceState] = OrderedDict()
        #: Compliance reads answered from the cache / computed (for tests and benchmarks).
        self.compliance_hits = 0
        self.compliance_misses = 0
        #: Ledger records read into the compliance trackers (for tests and benchmarks).
        self.records_absorbed = 0
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
        # SQLite connections may only be used by the thread that made them: each of a few
        # threads owns one handle on the ledger, and ledger calls are spread over them
        # (appends are serialized by the database's write lock).
        self._lanes: list[tuple[ThreadPoolExecutor, Ledger]] = []
        for n in range(LEDGER_THREADS):
            lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cvid-ledger-{n}")
            self._lanes.append(
                (lane, lane.submit(Ledger.open, self.url.text, log_key=log_key).result())
            )
        self._next_lane = itertools.count()
        self._proxy = _LedgerProxy(self._lane)
        self.store.fail_unfinished_jobs()
        self.jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvid-sim")
        self.renders = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvid-report")
        self._jobs_lock = threading.Lock()
        self._jobs_in_flight = 0
        self._token_cache: dict[str, tuple[Caller, float]] = {}
        self._rendering: set[int] = set()

    def close(self) -> None:
        """Stop the job runner and release every connection."""
        self.jobs.shutdown(wait=True, cancel_futures=True)
        self.renders.shutdown(wait=True, cancel_futures=True)
        for lane, led in self._lanes:
            lane.submit(led.close).result()
            lane.shutdown(wait=True)
        self.store.close()

    def _lane(self) -> tuple[ThreadPoolExecutor, Ledger]:
        return self._lanes[next(self._next_lane) % len(self._lanes)]

    @property
    def ledger(self) -> Ledger:
        """The ledger; each call runs on the ledger's own thread (iterators come as lists)."""
        return cast(Ledger, self._proxy)

    # ------------------------------------------------------------------ parties
    def cached_caller(self, token: str) -> Caller | None:
        """The party of a token checked in the last :data:`TOKEN_CACHE_SECONDS`, or None
        (no database access: safe to call from the event loop)."""
        hit = self._token_cache.get(token_hash(token))
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        return None

    def authenticate(self, token: str) -> Caller | None:
        """The party holding ``token``, or None.

        Known tokens are remembered for :data:`TOKEN_CACHE_SECONDS` (by hash) so that reads
        do not query the party table each time; a rotated token is forgotten at once.
        """
        h = token_hash(token)
        t = time.monotonic()
        hit = self._token_cache.get(h)
        if hit is not None and hit[1] > t:
            return hit[0]
        row = self.store.party_by_token(h)
        if row is None or not same_hash(row["token_sha256"], h):
            return None
        who = Caller(row["name"], row["role"], row["public_key"])
        with self._jobs_lock:
            if len(self._token_cache) > 10_000:
                self._token_cache.clear()
            self._token_cache[h] = (who, t + TOKEN_CACHE_SECONDS)
        return who

    def add_party(
        self, name: str, role: str, public_key: str | None, by: str
    ) -> tuple[dict[str, Any], str]:
        """Create a party with a new token (returned once, stored hashed); if a public key is
        given it is registered in the ledger under the same name and role."""
        check_name(name)
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
        if any(p["name"] == name for p in self.store.parties()):
            raise InputError(f"party {name!r} already exists", field="name")
        if public_key is not None:  # the ledger refuses a name or key taken by another party
            self.ledger.register(PartyPublicKey(name, role, _public_key_bytes(public_key)))
        token = new_token()
        party = self.store.add_party(name, role, token_hash(token), public_key, by)
        return party, token

    def register_key(self, name: str, public_key: str) -> dict[str, Any]:
        """Give a party without a key its Ed25519 public key (service and ledger)."""
        party = next((p for p in self.store.parties() if p["name"] == name), None)
        if party is None:
            raise NotFound(f"no party {name!r}")
        if party["public_key"] is not None:
            raise InputError(
                f"party {name!r} already has a key; create a new party for a new key",
                field="public_key",
            )
        raw = _public_key_bytes(public_key)
        self.ledger.register(PartyPublicKey(name, party["role"], raw))
        self.store.set_public_key(name, public_key)
        self.sessions.refresh_party(Caller(name, party["role"], public_key))
        with self._jobs_lock:
            for h in [h for h, (who, _) in self._token_cache.items() if who.name == name]:
                del self._token_cache[h]
        return {**party, "public_key": public_key}

    def rotate_token(self, name: str) -> str:
        """Give a party a new token; the old one stops working at once."""
        token = new_token()
        if not self.store.set_token(name, token_hash(token)):
            raise NotFound(f"no party {name!r}")
        self.sessions.revoke_party(name)  # a replaced token also ends the party's sessions
        with self._jobs_lock:
            for h in [h for h, (who, _) in self._token_cache.items() if who.name == name]:
                del self._token_cache[h]
        return token

    def revoke_token(self, name: str) -> None:
        """Revoke a party's token: it stops working at once and no token replaces it until
        :meth:`rotate_token` issues a new one (the party and its ledger key stay)."""
        import secrets

        from cvid.web.store import REVOKED_PREFIX

        dead = REVOKED_PREFIX + secrets.token_hex(28)
        if not self.store.set_token(name, dead):
            raise NotFound(f"no party {name!r}")
        with self._jobs_lock:
            for h in [h for h, (who, _) in self._token_cache.items() if who.name == name]:
                del self._token_cache[h]

    async def aon_ledger(self, fn: Callable[[Ledger], T]) -> T:
        """Await ``fn(ledger)`` run on a ledger thread (from the event loop, no extra hop)."""
        lane, led = self._lane()
        return await asyncio.wrap_future(lane.submit(fn, led))

    def on_ledger(self, fn: Callable[[Ledger], T]) -> T:
        """Run ``fn(ledger)`` on the ledger's thread (one hop for several reads)."""
        lane, led = self._lane()
        return lane.submit(fn, led).result()

    def ensure_admin(self, name: str = "admin") -> str | None:
        """If the service has no admin yet, create one and return its token (else None)."""
        if self.store.count_role("admin"):
            return None
        return self.add_party(name, "admin", None, "cvid serve")[1]

    # ------------------------------------------------------------------ scenarios
    @staticmethod
    def parse_scenario(toml: str, source: str = "upload") -> Scenario:
        """Validate scenario TOML; a :class:`ScenarioError` lists every problem."""
        try:
            return loads_scenario(toml, source=source)
        except RecursionError:
            raise ScenarioError(source, [("", "nested too deeply to be a scenario")]) from None

    def upload_scenario(self, toml: str, caller: Caller) -> dict[str, Any]:
        """Validate and store a scenario."""
        _require(caller, "scenarios.write", "upload scenarios")
        s = self.parse_scenario(toml)
        row = self.store.add_scenario(s.meta.name, s.meta.title, toml, caller.name)
        return {k: v for k, v in row.items() if k != "toml"}

    def scenario(self, scenario_id: int) -> dict[str, Any]:
        """A stored scenario with its TOML."""
        row = self.store.scenario(scenario_id) if _row_id(scenario_id) else None
        if row is None:
            raise NotFound(f"no scenario {scenario_id}")
        return row

    # ------------------------------------------------------------------ assessments
    def run_assessment(
        self, scenario_id: int, caller: Caller, *, with_ledger: bool = True
    ) -> dict[str, Any]:
        """Assess a stored scenario with :func:`cvid.assess.assess` (with the compliance of
        its agreement from this service's ledger unless ``with_ledger`` is False) and keep the
        result, with what its HTML report needs (rendered when first asked for)."""
        _require(caller, "assessments.write", "run assessments")
        row = self.scenario(scenario_id)
        s = self.parse_scenario(row["toml"], source=f"scenario {scenario_id}")
        source = f"scenario {scenario_id} ({row['name']})"
        ledger = self.url.text if with_ledger else None
        # The service keeps one ledger for every agreement: one with no records yet is no error.
        a = (
            assess(s, source=source, ledger=ledger, shared_ledger=True)
            if ledger
            else assess(s, source=source)
        )
        comp = None
        if ledger is not None:
            from cvid.assess.report import ledger_compliance

            comp = _finite(ledger_compliance(s, ledger, shared=True))
        inputs = {"source": source, "compliance": comp}
        return self.store.add_assessment(scenario_id, _finite(a.to_dict()), inputs, caller.name)

    def report(self, assessment_id: int) -> str | None:
        """The assessment's HTML report, or None while it is being rendered (the first request
        starts the rendering in the background)."""
        self.assessment(assessment_id)
        html = self.store.report(assessment_id)
        if html is not None:
            return html
        with self._jobs_lock:
            if assessment_id not in self._rendering:
                self._rendering.add(assessment_id)
                self.renders.submit(self._render, assessment_id)
        return None

    def _render(self, assessment_id: int) -> None:
        """Render a report: the scenario assessed again (the same deterministic engine and
        seed) with the compliance state stored when the assessment ran."""
        try:
            from cvid.assess.report import render_html

            row = self.assessment(assessment_id)
            inputs = self.store.report_inputs(assessment_id)
            sc = self.scenario(row["scenario_id"])
            s = self.parse_scenario(sc["toml"], source=f"scenario {sc['id']}")
            a = assess(s, source=inputs["source"])
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
            with self._jobs_lock:
                self._rendering.discard(assessment_id)

    def assessment(self, assessment_id: int) -> dict[str, Any]:
        """A stored assessment with its result."""
        row = self.store.assessment(assessment_id) if _row_id(assessment_id) else None
        if row is None:
            raise NotFound(f"no assessment {assessment_id}")
        return row

    # ------------------------------------------------------------------ compliance
    def compliance(
        self, scenario_id: int, *, at: str | None = None, check: bool = True
    ) -> ComplianceState:
        """The compliance state of a stored scenario's agreement from the ledger's evidence,
        as of ``at`` (default: now); with ``check`` a record the scenario cannot place is
        refused (:class:`InputError`) instead of being a finding.

        Each scenario has a :class:`cvid.compliance.ComplianceTracker` that absorbs only the
        records the ledger gained since the last read (:meth:`follow`); the state is then
        assembled from the tracker. Answers are also cached per tree size and root, date and
        check; a read "as of now" for one second at most (statuses change as deadlines pass).
        """
        at = parse_at(at)
        f, _, _ = self.follow(scenario_id)
        stamp = at if at is not None else int(time.time())
        with f.lock:  # the state and its key are of the same absorbed tree
            key = (scenario_id, f.size, f.root, stamp, check)
            with self._compliance_lock:
                hit = self._compliance.get(key)
                if hit is not None:
                    self._compliance.move_to_end(key)
                    self.compliance_hits += 1
                    return hit
            if check:
                check_evidence(f.scenario, f.suspects)
            out = f.tracker.state(at)
        with self._compliance_lock:
            self.compliance_misses += 1
            self._compliance[key] = out
            while len(self._compliance) > COMPLIANCE_CACHE:
                self._compliance.popitem(last=False)
        return out

    def beliefs(self, scenario_id: int, *, at: str | None = None) -> BeliefState:
        """The posterior over the counterpart's types (:class:`cvid.compliance.BeliefTracker`)
        from the agreement's records so far, in time order, with the ranked next demands.

        Records arriving in time order update the tracker; one dated before the records
        already taken in (a late report of an old event) rebuilds it from the evidence held.
        With ``at`` (a date counts to its end) only the records dated up to then count, and
        the silence up to it (computed afresh, not kept).
        """
        at = parse_at(at)
        f, _, _ = self.follow(scenario_id)
        if at is not None:
            from cvid.compliance import beliefs

            with f.lock:
                evidence = list(f.evidence)
            return beliefs(evidence, f.scenario, at=at)
        with f.lock:
            if f.belief_state is not None and f.believed == len(f.evidence):
                return f.belief_state
            new = f.evidence[f.believed :]
            ordered = sorted(new, key=lambda e: (e.time, e.index))
            if f.beliefs is None or (ordered and ordered[0].time < f.beliefs.clock):
                f.beliefs = BeliefTracker(f.scenario)
                ordered = sorted(f.evidence, key=lambda e: (e.time, e.index))
            for e in ordered:
                f.beliefs.update(e)
            f.believed = len(f.evidence)
            f.belief_state = f.beliefs.state(None)
            return f.belief_state

    def beliefs_from_defaults(self, scenario_id: int) -> bool:
        """True if the scenario gives no ``[counterpart]``: its belief tracker then runs on
        the built-in prior and likelihoods, and what it shows must say so."""
        f, _, _ = self.follow(scenario_id)
        return "counterpart" not in f.scenario.model_fields_set

    def follow(self, scenario_id: int) -> tuple[_Followed, int, bytes]:
        """The scenario's tracker brought up to the ledger's head: the tracker, the tree size
        and root it now reflects.

        Only the records appended since the last call are read. Their signatures are not
        checked again: every record reached the table through :meth:`Ledger.submit`, which
        checked its schema, signature and signer's role before a checkpoint was signed over
        it; here each record's bytes are checked against the tree's leaf hash, and a tree whose
        root at the absorbed size changed (not an append-only history) is read again from the
        start. The full check of every signature is the ledger audit (``cvid ledger verify``,
        ``GET /api/v1/ledger/audit``).
        """
        with self._compliance_lock:
            f = self._followed.get(scenario_id)
            if f is not None:
                self._followed.move_to_end(scenario_id)
        if f is None:
            row = self.scenario(scenario_id)
            s = self.parse_scenario(row["toml"], source=f"scenario {scenario_id}")
            f = _Followed(s, ComplianceTracker(s))
            with self._compliance_lock:
                f = self._followed.setdefault(scenario_id, f)
                while len(self._followed) > COMPLIANCE_CACHE:
                    self._followed.popitem(last=False)
        agreement = f.tracker.agreement

        def absorb(led: Ledger) -> tuple[int, bytes]:
            size = led.size
            if f.size and (size < f.size or led.root_hash(f.size) != f.root):
                f.reset()
            if size == f.size:
                return f.size, f.root
            root = led.root_hash(size)
            new = []
            for e in led.records(f.size, size, verify=False):
                if leaf_hash(e.data) != e.leaf_hash:
                    raise CheckFailed(f"record {e.index}: data does not match its leaf hash")
                if e.agreement == agreement:
                    new.append(Evidence.from_entry(e))
            f.tracker.absorb(new)
            f.suspects.extend(_suspects(f.scenario, new))
            f.evidence.extend(new)
            self.records_absorbed += size - f.size
            f.size, f.root = size, root
            return size, root

        with f.lock:
            size, root = self.on_ledger(absorb)
        return f, size, root

    # ------------------------------------------------------------------ witnesses
    def set_witness_policy(self, witnesses: Sequence[str], quorum: int | None = None) -> None:
        """Count the cosignatures of these witnesses (verifier keys), ``quorum`` of them
        needed (default: all); an empty list follows whichever witnesses cosign."""
        keys = tuple(dict.fromkeys(w.strip() for w in witnesses))
        _check_policy(keys, quorum)
        self.witnesses, self.quorum = keys, quorum

    def add_cosignature(self, note: str, witness_vkey: str, caller: Caller) -> dict[str, Any]:
        """Store a witness's cosignature of one of this log's checkpoints (C2SP
        tlog-cosignature; anyone may bring it: the signature is what counts).

        A checkpoint that verifies with this log's key but names another root for a size the
        log holds, or a size beyond it, is proof that the log showed someone else another
        history (a split view): it is kept and refused with :class:`SplitViewFound`."""
        from cvid.ledger import NoteError, verify_checkpoint
        from cvid.ledger.witness import parse_witness_vkey

        try:
            witness, _ = parse_witness_vkey(witness_vkey)
        except NoteError as exc:
            raise InputError(str(exc), field="witness_key") from None
        try:
            size = self.ledger.add_cosignature(note, witness_vkey)
        except CheckFailed:
            cp = verify_checkpoint(note, self.verifier_key, origin=self.origin)  # checked above

            def stored(led: Ledger) -> bytes | None:
                return led.root_hash(cp.size) if cp.size <= led.size else None

            root = self.on_ledger(stored)
            if root == cp.root_hash:
                raise
            self.store.add_split_view(
                cp.size,
                root.hex() if root is not None else "",
                cp.root_hash.hex(),
                witness,
                note,
                caller.name,
            )
            held = f"root {root.hex()[:16]}…" if root is not None else "no such tree"
            raise SplitViewFound(
                f"split view: this log signed a checkpoint of {cp.size} records with root "
                f"{cp.root_hash.hex()[:16]}…, cosigned by {witness}, but holds {held} at that "
                "size; the evidence is kept"
            ) from None
        return {"tree_size": size, "witness": witness}

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

        _require(caller, "simulations.write", "start simulations")
        row = self.scenario(scenario_id)
        s = self.parse_scenario(row["toml"], source=f"scenario {scenario_id}")
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
                job_id, status="done", done=done, result=_finite(result.to_dict()), finished=now()
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
        row = self.store.job(job_id) if _row_id(job_id) else None
        if row is None:
            raise NotFound(f"no simulation {job_id}")
        row["progress"] = min(row["done"] / row["total"], 1.0) if row["total"] else 0.0
        if row["status"] == "done":
            row["progress"] = 1.0
        return row

    # ------------------------------------------------------------------ ledger
    def append(self, records: Sequence[Any], caller: Caller) -> list[int]:
        """Append records signed by the caller's own key; the role rules of the ledger hold.

        Refused with :class:`Forbidden` if a record is signed by another party or is of a kind
        the caller's role may not sign; with :class:`InputError` if a record is malformed or
        its signature does not verify. Nothing is written unless every record passes.
        """
        _require(caller, "ledger.append", "append to the ledger")
        for n, rec in enumerate(records, 1):
            if not isinstance(rec, Mapping):
                raise InputError("a record is a JSON object", field=f"records[{n - 1}]")
            signer = rec.get("signer")
            name = signer.get("name") if isinstance(signer, Mapping) else None
            if name != caller.name:
                raise Forbidden(
                    f"records[{n - 1}]: signed by {name!r}; you ({caller.name}) may append "
                    "only records signed with your own key"
                )
            kind = rec.get("kind")
            if isinstance(kind, str) and kind in KIND_SIGNERS:
                allowed = KIND_SIGNERS[kind]
                if caller.role not in allowed:
                    who = " or ".join(sorted(str(r) for r in allowed))
                    raise Forbidden(
                        f"records[{n - 1}]: a {caller.role} may not append {kind!r} records; "
                        f"only {who}"
                    )
        return self.ledger.submit(list(records), source="request")


class _LedgerProxy:
    """Runs each attribute access and method call of a :class:`Ledger` on the thread that
    owns the handle (a method runs where its handle was looked up)."""

    def __init__(self, lane: Callable[[], tuple[ThreadPoolExecutor, Ledger]]) -> None:
        self._lane = lane

    def __getattr__(self, name: str) -> Any:
        thread, led = self._lane()
        if not callable(getattr(type(led), name, None)):  # a property or plain attribute
            return thread.submit(getattr, led, name).result()
        method = getattr(led, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            def run() -> Any:
                out = method(*args, **kwargs)
                return list(out) if isinstance(out, Iterator) else out

            return thread.submit(run).result()

        return call


def _check_policy(witnesses: Sequence[str], quorum: int | None) -> None:
    """Refuse a witness policy with a malformed key or a quorum out of 1..len(witnesses)."""
    from cvid.ledger import NoteError
    from cvid.ledger.witness import parse_witness_vkey

    for n, vkey in enumerate(witnesses):
        try:
            parse_witness_vkey(vkey)
        except NoteError as exc:
            raise InputError(str(exc), field=f"witnesses[{n}]") from None
    if quorum is not None and not 1 <= quorum <= len(witnesses):
        raise InputError(
            f"the quorum {quorum} is not between 1 and the {len(witnesses)} witnesses given",
            field="quorum",
        )


def _suspects(s: Scenario, batch: Sequence[Evidence]) -> list[Evidence]:
    """The records of ``batch`` that :func:`cvid.compliance.check_evidence` refuses now (an
    unknown reference, a date before the agreement or in the future). A record that passes
    now passes later too, so checking these again is the whole check of the ledger."""
    now = datetime.now(UTC)
    try:
        check_evidence(s, batch, now=now)
        return []
    except InputError:
        pass
    out = []
    for e in batch:
        try:
            check_evidence(s, [e], now=now)
        except InputError:
            out.append(e)
    return out


def _row_id(value: int) -> bool:
    """True if ``value`` can be a row id (1 .. :data:`MAX_ROW_ID`); others are not found."""
    return 1 <= value <= MAX_ROW_ID


def parse_at(at: str | None) -> str | None:
    """Check an ``at`` date (``YYYY-MM-DD``) or UTC time (``YYYY-MM-DDTHH:MM:SS[.f]Z``):
    the same text if it names a real moment, else :class:`InputError` on field ``at``."""
    from datetime import date, datetime

    if at is None:
        return None
    text = at.strip()
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        elif len(text) > 10 and text.endswith("Z") and text[10] == "T":
            datetime.fromisoformat(text[:-1] + "+00:00")
        else:
            raise ValueError
    except ValueError:
        raise InputError(
            f"{at[:40]!r} is not a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ)",
            field="at",
        ) from None
    return text


def _require(caller: Caller, right: str, what: str) -> None:
    if not caller.may(right):
        raise Forbidden(f"a {caller.role} may not {what}")


def _public_key_bytes(text: str) -> bytes:
    import base64
    import binascii

    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("not valid base64", field="public_key") from None
    if len(raw) != 32:
        raise InputError(
            "an Ed25519 public key is 32 bytes (44 base64 characters)", field="public_key"
        )
    return raw


def _finite(value: Any) -> Any:
    """JSON-ready copy: NaN and infinities become None, numpy values plain Python."""
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    return value


__all__ = [
    "MAX_JOBS",
    "MAX_RUN_MONTHS",
    "Busy",
    "CrossSite",
    "Forbidden",
    "NotFound",
    "NotReady",
    "ScenarioError",
    "Service",
    "ServiceError",
    "SplitViewFound",
    "Unauthenticated",
]
