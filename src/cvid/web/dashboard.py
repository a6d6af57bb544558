"""What the dashboard at ``/`` shows: every agreement with its grade and the status of each
commitment, the alerts that need a person's attention, simulations and assessments.

Built only from public APIs: the service store, :mod:`cvid.compliance` (through
:meth:`Service.compliance`) and :mod:`cvid.ledger` records. Also the one-line description of a
record's content that the ledger table and the dashboard show (:func:`summarize_record`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cvid.errors import InputError
from cvid.ledger import Entry
from cvid.web.service import NotFound, Service

#: The dashboard reads at most this many of the latest records to find unresolved observations.
OBSERVATION_WINDOW = 5000
#: Kinds by which the inspectorate follows up an observation on site.
FOLLOW_UP_KINDS = frozenset({"inspection", "finding", "sample-result", "seal-check"})


def _short(text: object, n: int = 90) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _qty(p: Mapping[str, Any], key: str) -> str:
    q = p.get(key)
    if q is None:
        return ""
    unit = p.get("unit") or ""
    return f"{q:g} {unit}".strip() if isinstance(q, int | float) else f"{q} {unit}".strip()


def summarize_record(record: Mapping[str, Any]) -> str:
    """One line saying what a ledger record contains, from its kind and payload (what the
    ledger table's "contains" column and the dashboard's "latest evidence" show)."""
    kind = str(record.get("kind", ""))
    p: Mapping[str, Any] = record.get("payload") or {}
    if kind == "declaration":
        items = p.get("declared") or []
        names = ", ".join(str(i.get("item")) for i in items[:4])
        more = f" and {len(items) - 4} more" if len(items) > 4 else ""
        complete = "complete" if p.get("complete") else "not claimed complete"
        return f"declares {len(items)} item(s): {names}{more} ({complete})"
    if kind == "inspection":
        notice = p.get("notice_hours")
        n = f", {notice:g} h notice" if isinstance(notice, int | float) else ""
        return f"inspection of {p.get('site')}, {p.get('access')} access{n}"
    if kind == "finding":
        what = p.get("item") or p.get("site") or "—"
        q = ""
        if p.get("declared_quantity") is not None or p.get("measured_quantity") is not None:
            q = f" (declared {_qty(p, 'declared_quantity') or '—'}, "
            q += f"measured {_qty(p, 'measured_quantity') or '—'})"
        return f"{p.get('result')} on {what}{q}: {_short(p.get('description', ''), 60)}"
    if kind == "sample-result":
        unc = p.get("uncertainty")
        pm = f" ± {unc:g}" if isinstance(unc, int | float) else ""
        return (
            f"sample {p.get('sample_id')}: {p.get('analyte')} = {p.get('value')}{pm} "
            f"{p.get('unit')} ({p.get('result')})"
        )
    if kind == "seal-check":
        state = "intact" if p.get("intact") else "BROKEN"
        return f"seal {p.get('seal_id')} {state}" + (f" at {p['site']}" if p.get("site") else "")
    if kind == "access-request":
        dl = f", by {str(p['deadline'])[:10]}" if p.get("deadline") else ""
        return f"request {p.get('request_id')}: access to {p.get('access')} at {p.get('site')}{dl}"
    if kind == "access-granted":
        return f"request {p.get('request_id')} granted ({p.get('scope')})"
    if kind == "access-denied":
        return f"request {p.get('request_id')} denied: {_short(p.get('reason', ''), 60)}"
    if kind == "disclosure":
        docs = p.get("documents") or []
        vol = "voluntary" if p.get("voluntary") else "on request"
        return f"discloses {p.get('subject')} ({vol}, {len(docs)} document(s))"
    if kind == "observation":
        at = f" at {p['site']}" if p.get("site") else ""
        return f"observed{at}: {_short(p.get('description', ''), 70)}"
    if kind == "dismantlement":
        q = _qty(p, "quantity")
        irr = "irreversible" if p.get("irreversible") else "reversible"
        return f"{p.get('item')} dismantled by {p.get('method')} ({irr}{', ' + q if q else ''})"
    if kind == "removal":
        q = _qty(p, "quantity")
        return f"{p.get('item')} removed to {p.get('destination')}" + (f" ({q})" if q else "")
    if kind == "concession":
        ms = f" at milestone {p['milestone']}" if p.get("milestone") else ""
        return f"concession {p.get('concession_id')} {p.get('action')}{ms}"
    if kind == "statement":
        return f"claim {p.get('claim')}: {_short(p.get('text', ''), 70)}"
    return _short(p)


@dataclass(frozen=True)
class Alert:
    """Something that needs attention: its kind, severity (warn or fail), the agreement it
    belongs to (or None for the ledger as a whole), a message and the records behind it."""

    kind: str
    severity: str
    agreement: str | None
    message: str
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class Belief:
    """The belief over the counterpart on the dashboard: the posterior and prior by type (in
    the order sincere, time-buyer, hedger), the most likely type, the records that moved it
    most, the next demands, and whether the model is the built-in default."""

    posterior: dict[str, float]
    prior: dict[str, float]
    most_likely: str
    records: int
    movers: list[dict[str, Any]]
    demands: list[dict[str, Any]]
    defaults: bool


def belief(
    svc: Service, scenario_id: int, movers: int = 3, demands: int = 3, at: str | None = None
) -> Belief:
    """The dashboard's (and the compliance page's) view of :meth:`Service.beliefs`."""
    st = svc.beliefs(scenario_id, at=at).summary_dict()
    return Belief(
        posterior=st["posterior"],
        prior=st["prior"],
        most_likely=st["most_likely"],
        records=st["records"],
        movers=[m for m in st["movers"] if m["shift"] > 0][:movers],
        demands=st["next_demands"][:demands],
        defaults=svc.beliefs_from_defaults(scenario_id),
    )


@dataclass(frozen=True)
class Agreement:
    """One agreement on the dashboard: the newest upload of a scenario, its latest grade,
    the compliance state of its commitments (or why there is none) and its alerts."""

    scenario: dict[str, Any]
    assessment: dict[str, Any] | None
    state: dict[str, Any] | None
    error: str | None
    commitments: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    beliefs: Belief | None = None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, and ``version``, which changes whenever any of it may
    have changed (the page polls it and refreshes only then)."""

    version: str
    tree_size: int
    agreements: list[Agreement]
    alerts: list[Alert]
    assessments: list[dict[str, Any]]
    simulations: list[dict[str, Any]]


def version(svc: Service) -> str:
    """A short digest of what the dashboard depends on: the ledger size, the witnesses'
    cosignatures, reported split views, the scenarios, assessments and the status and
    progress of each simulation job."""
    view = svc.on_ledger(lambda led: led.witness_view())
    w = view["witnessed"]
    parts = [
        str(view["tree_size"]),
        str(len(view["cosignatures"])),
        f"{w['tree_size']}:{len(w['cosignatures'])}" if w else "-",
        str(len(svc.store.split_views())),
        ",".join(str(s["id"]) for s in svc.store.scenarios()),
        ",".join(str(a["id"]) for a in svc.store.assessments()),
        ",".join(f"{j['id']}:{j['status']}:{j['done']}" for j in svc.store.jobs(50)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _site_keys(rec: Mapping[str, Any]) -> set[str]:
    refs = rec.get("refs") or {}
    keys = {str(i) for i in refs.get("items", [])}
    site = (rec.get("payload") or {}).get("site")
    if site:
        keys.add(str(site))
    return keys


def unresolved_observations(entries: Sequence[Entry], agreement: str) -> list[Entry]:
    """Observations of ``agreement`` that no later inspectorate record follows up: no later
    inspection, finding, sample result or seal check concerns the same site or item (or, for
    an observation naming no site or item, the same commitment)."""
    out = []
    for e in entries:
        if e.kind != "observation" or e.agreement != agreement:
            continue
        keys = _site_keys(e.record)
        commitments = set(e.refs["commitments"])
        resolved = False
        for later in entries:
            if later.index <= e.index or later.kind not in FOLLOW_UP_KINDS:
                continue
            if later.agreement != agreement:
                continue
            if keys:
                resolved = bool(keys & _site_keys(later.record))
            else:
                resolved = bool(commitments & set(later.refs["commitments"]))
            if resolved:
                break
        if not resolved:
            out.append(e)
    return out


def _access_alerts(state: Mapping[str, Any], agreement: str) -> list[Alert]:
    out = []
    for a in state.get("access", []):
        ev = tuple(a.get("evidence", []))
        where = f"access to {a['access']} at {a['site']} (request {a['request_id']})"
        if a["outcome"] == "denied":
            out.append(Alert("access", "fail", agreement, f"{where} denied", ev))
        elif a["outcome"] == "unanswered":
            out.append(Alert("access", "warn", agreement, f"{where} not answered yet", ev))
        elif not a.get("within_notice", True):
            hours = a.get("delay_hours")
            h = f"after {hours:.1f} h" if isinstance(hours, int | float) else "late"
            out.append(
                Alert("access", "warn", agreement, f"{where} granted {h}, beyond notice", ev)
            )
    return out


def build(svc: Service, entries_by_index: Mapping[int, Entry] | None = None) -> Dashboard:
    """The dashboard as of now."""
    tree_size = svc.ledger.size
    first = max(tree_size - OBSERVATION_WINDOW, 0)
    entries: list[Entry] = list(svc.ledger.records(first, tree_size)) if tree_size else []
    by_index = dict(entries_by_index or {}) | {e.index: e for e in entries}
    seen: set[str] = set()
    agreements: list[Agreement] = []
    for s in svc.store.scenarios():  # newest first: the newest upload of each name counts
        if s["name"] in seen:
            continue
        seen.add(s["name"])
        assessed = svc.store.assessments(s["id"])
        state: dict[str, Any] | None = None
        error = None
        try:
            state = svc.compliance(s["id"], check=False).to_dict()
        except (InputError, NotFound) as exc:
            error = exc.describe() if isinstance(exc, InputError) else str(exc)
        rows: list[dict[str, Any]] = []
        alerts: list[Alert] = []
        believed = None
        if state is not None:
            believed = belief(svc, s["id"])
            ag = str(state["agreement"])
            for c in state["commitments"]:
                latest = max(c["evidence"]) if c["evidence"] else None
                e = by_index.get(latest) if latest is not None else None
                if latest is not None and e is None:
                    e = svc.ledger.get(latest)
                    by_index[latest] = e
                rows.append(
                    {
                        **c,
                        "latest": None
                        if e is None
                        else {
                            "index": e.index,
                            "kind": e.kind,
                            "time": e.record["time"],
                            "signer": e.signer,
                            "summary": summarize_record(e.record),
                        },
                    }
                )
                if c["status"] in ("overdue", "violated"):
                    sev = "fail" if c["status"] == "violated" else "warn"
                    alerts.append(
                        Alert(
                            c["status"],
                            sev,
                            ag,
                            f"{c['id']} {c['status']}: {c['why']}",
                            tuple(c["evidence"]),
                        )
                    )
            alerts.extend(_access_alerts(state, ag))
            for o in unresolved_observations(entries, ag):
                alerts.append(
                    Alert(
                        "observation",
                        "warn",
                        ag,
                        "unresolved observation (no later inspection or finding at the same "
                        f"site): {summarize_record(o.record)}",
                        (o.index,),
                    )
                )
        agreements.append(
            Agreement(s, assessed[0] if assessed else None, state, error, rows, alerts, believed)
        )
    ledger_alerts = checkpoint_alerts(svc, tree_size) + witness_alerts(svc)
    every = ledger_alerts + [a for ag in agreements for a in ag.alerts]
    return Dashboard(
        version=version(svc),
        tree_size=tree_size,
        agreements=agreements,
        alerts=sorted(every, key=lambda a: (a.severity != "fail", a.agreement or "")),
        assessments=svc.store.assessments()[:50],
        simulations=[{**j, "summary": _job_summary(svc, j)} for j in svc.store.jobs(50)],
    )


#: Summaries of finished simulations (their results never change), by log origin and job.
_SUMMARIES: dict[tuple[str, int], str] = {}


def _job_summary(svc: Service, job: Mapping[str, Any]) -> str:
    if job["status"] not in ("done", "failed"):
        return ""
    key = (svc.origin, int(job["id"]))
    hit = _SUMMARIES.get(key)
    if hit is None:
        if len(_SUMMARIES) > 10_000:
            _SUMMARIES.clear()
        hit = _SUMMARIES[key] = simulation_summary(svc.job(int(job["id"])))
    return hit


def simulation_summary(job: Mapping[str, Any]) -> str:
    """One line on a finished simulation: each strategy's chance of verified CVID at the
    horizon (with its Monte Carlo standard error), concessions paid (share of the package)
    and mean capability at the end (kg); why it failed; or nothing while it runs."""
    if job.get("status") == "failed":
        return f"failed: {_short(job.get('error') or '', 80)}"
    result = job.get("result")
    if job.get("status") != "done" or not isinstance(result, Mapping):
        return ""
    parts = []
    for name, r in (result.get("strategies") or {}).items():
        p = (r.get("outcomes") or {}).get("verified_cvid")
        se = (r.get("standard_errors") or {}).get("verified_cvid")
        paid = (r.get("concessions_paid") or {}).get("mean")
        kg = ((r.get("capability_kg") or {}).get("end") or {}).get("mean")
        text = f"{name}: P(verified CVID) {_pct(p)}"
        if isinstance(se, int | float):
            text += f" ± {100 * se:.1f} pp"
        if isinstance(paid, int | float):
            text += f", concessions paid {_pct(paid)} of the package"
        if isinstance(kg, int | float):
            text += f", capability at the end {kg:.1f} kg"
        parts.append(text)
    return "; ".join(parts)


def _pct(p: object) -> str:
    return f"{100 * p:.1f} %" if isinstance(p, int | float) else "—"


def witness_alerts(svc: Service) -> list[Alert]:
    """Problems with the witnesses' cosignatures of the log and reported split views.

    With a witness policy (:attr:`Service.witnesses`, k of n by :attr:`Service.quorum`): a
    fail if no checkpoint is cosigned by the quorum, a warn if the largest cosigned
    checkpoint lacks the quorum or trails the log, and a warn for each policy witness whose
    cosignature of it is missing. Without one, the witnesses that cosigned are followed: a
    warn for each missing from the largest cosigned checkpoint and while it trails the log.
    A cosignature by a followed witness that does not verify is a fail, and so is every split
    view reported by a witness (a checkpoint the log signed with another root)."""
    from cvid.ledger import NoteError
    from cvid.ledger.witness import count_quorum, find_cosignature, parse_witness_vkey

    out = [
        Alert(
            "split-view",
            "fail",
            None,
            f"split view: the log signed a checkpoint of {v['tree_size']} records with root "
            f"{v['presented_root'][:16]}…, cosigned by {v['witness']} and reported by "
            f"{v['reported_by']} on {v['reported'][:10]}, but holds "
            + (f"root {v['stored_root'][:16]}…" if v["stored_root"] else "no such tree")
            + " at that size",
        )
        for v in svc.store.split_views()
    ]
    view = svc.on_ledger(lambda led: led.witness_view())
    size = int(view["tree_size"])
    witnessed = view["witnessed"]
    policy = list(svc.witnesses)
    known = policy or list(
        dict.fromkeys(str(c["vkey"]) for c in (witnessed or {}).get("cosignatures", []))
    )
    if not known:
        return out
    need = (svc.quorum or len(policy)) if policy else None
    if witnessed is None:
        if need is not None:
            out.append(
                Alert(
                    "witness",
                    "fail",
                    None,
                    f"quorum not met: no checkpoint is cosigned by {need} of the "
                    f"{len(policy)} witnesses of the policy",
                )
            )
        return out
    note = str(witnessed["note"])
    w_size = int(witnessed["tree_size"])
    good, bad = count_quorum(note, known)
    for problem in bad:
        out.append(Alert("witness", "fail", None, f"cosignature does not verify: {problem}"))
    if need is not None and good < need:
        out.append(
            Alert(
                "witness",
                "warn",
                None,
                f"quorum not met: the largest cosigned checkpoint ({w_size} records) carries "
                f"{good} of the {need} cosignatures the policy needs ({need} of {len(policy)})",
            )
        )
    for vkey in known:
        try:
            name = parse_witness_vkey(vkey)[0]
            present = find_cosignature(note, vkey) is not None
        except NoteError:
            continue  # reported above
        if not present:
            out.append(
                Alert(
                    "witness",
                    "warn",
                    None,
                    f"cosignature missing: {name} has not cosigned the checkpoint of "
                    f"{w_size} records that other witnesses cosigned",
                )
            )
    if w_size < size:
        out.append(
            Alert(
                "witness",
                "warn",
                None,
                f"cosignature missing: the latest checkpoint ({size} records) is not cosigned "
                f"yet; witnesses cosigned up to {w_size} records, so the last {size - w_size} "
                "are not yet protected against a rewrite by the operator",
            )
        )
    return out


def checkpoint_alerts(svc: Service, tree_size: int) -> list[Alert]:
    """Problems with the latest checkpoint seen from the server: a signature that does not
    verify against the log's verifier key, or a checkpoint that does not cover the log. (The
    page checks the signature again in the browser, and the log's consistency since the
    browser's last visit.)"""
    from cvid.ledger import NoteError, verify_checkpoint

    note = svc.ledger.checkpoint()
    try:
        cp = verify_checkpoint(note, svc.verifier_key, origin=svc.origin)
    except NoteError as exc:
        return [Alert("checkpoint", "fail", None, f"the latest checkpoint does not verify: {exc}")]
    if cp.size != tree_size:
        return [
            Alert(
                "checkpoint",
                "warn",
                None,
                f"the latest checkpoint covers {cp.size} of {tree_size} records",
            )
        ]
    return []
