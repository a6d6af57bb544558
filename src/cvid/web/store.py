"""The service's own state in SQL tables beside the ledger: parties and their hashed tokens,
uploaded scenarios, assessment results, simulation jobs and the audit log of every write.

One schema for SQLite (WAL, ``synchronous=FULL``) and PostgreSQL through SQLAlchemy Core; the
tables are prefixed ``web_`` so they share the ledger's database without clashing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from cvid._db import Location, parse_location
from cvid.errors import InputError
from cvid.ledger import acquire_engine, release_engine

metadata = MetaData()

parties_t = Table(
    "web_parties",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("public_key", String(64), nullable=True),
    Column("created", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),
)
scenarios_t = Table(
    "web_scenarios",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("toml", Text, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded", String(40), nullable=False),
)
assessments_t = Table(
    "web_assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", Integer, nullable=False),
    Column("overall", String(8), nullable=False),
    Column("result", Text, nullable=False),
    Column("report_inputs", Text, nullable=False),
    Column("report", Text, nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created", String(40), nullable=False),
)
jobs_t = Table(
    "web_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario_id", Integer, nullable=False),
    Column("params", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created", String(40), nullable=False),
    Column("finished", String(40), nullable=True),
)
audit_t = Table(
    "web_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", String(40), nullable=False),
    Column("party", String(64), nullable=True),
    Column("role", String(16), nullable=True),
    Column("client", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("detail", Text, nullable=False),
)
split_views_t = Table(
    "web_split_views",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", Integer, nullable=False),
    Column("stored_root", String(64), nullable=False),
    Column("presented_root", String(64), nullable=False),
    Column("witness", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("reported_by", String(64), nullable=False),
    Column("reported", String(40), nullable=False),
)
Index("web_assessments_scenario", assessments_t.c.scenario_id)


#: A revoked party's token hash column holds this prefix and random text: never a SHA-256
#: hex digest, so no token matches it (and the column stays unique).
REVOKED_PREFIX = "revoked-"


def now() -> str:
    """The current UTC time, RFC 3339 with microseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Where the service keeps its state and the ledger (one reader of database text: cvid._db).
DbUrl = Location


def parse_db(db: str | Path) -> DbUrl:
    """Read ``--db``: a file path, ``sqlite:///PATH`` or ``postgresql://...``."""
    return parse_location(db, field="--db")


def _engine(url: DbUrl) -> Engine:
    """The process's one engine of this database, shared with the ledger (SQLite keeps its
    locks per process: a second engine, or any plain open() of the file, would put the
    write-ahead log at risk)."""
    return acquire_engine(url.text)


class Store:
    """Typed access to the service tables (each method is one short transaction)."""

    def __init__(self, url: DbUrl) -> None:
        self.url = url
        self.engine = _engine(url)

    def has_table(self, name: str) -> bool:
        """True if ``name`` exists in the database (used to find an existing ledger)."""
        with self.engine.connect() as conn:
            return bool(inspect(conn).has_table(name))

    def create_tables(self) -> None:
        """Create the ``web_`` tables that do not exist yet."""
        with self._write() as conn:
            metadata.create_all(conn)

    def close(self) -> None:
        """Give back this store's share of the database engine."""
        release_engine(self.engine)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(cvid_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ parties
    def add_party(
        self, name: str, role: str, token_sha256: str, public_key: str | None, by: str
    ) -> dict[str, Any]:
        """Record a party and the hash of its token; an existing name is refused."""
        row = {
            "name": name,
            "role": role,
            "token_sha256": token_sha256,
            "public_key": public_key,
            "created": now(),
            "created_by": by,
        }
        try:
            with self._write() as conn:
                conn.execute(insert(parties_t).values(**row))
        except IntegrityError:
            raise InputError(f"party {name!r} already exists", field="name") from None
        return _party_json(row)

    def set_token(self, name: str, token_sha256: str) -> bool:
        """Replace a party's token hash; False if there is no such party."""
        with self._write() as conn:
            res = conn.execute(
                update(parties_t).where(parties_t.c.name == name).values(token_sha256=token_sha256)
            )
            return bool(res.rowcount)

    def set_public_key(self, name: str, public_key: str) -> None:
        """Record a party's public key."""
        with self._write() as conn:
            conn.execute(
                update(parties_t).where(parties_t.c.name == name).values(public_key=public_key)
            )

    def party_by_token(self, token_sha256: str) -> dict[str, Any] | None:
        """The party whose token hashes to ``token_sha256``."""
        with self._read() as conn:
            row = (
                conn.execute(select(parties_t).where(parties_t.c.token_sha256 == token_sha256))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def parties(self) -> list[dict[str, Any]]:
        """Every party (without token hashes), by name."""
        with self._read() as conn:
            rows = conn.execute(select(parties_t).order_by(parties_t.c.name)).mappings().all()
        return [_party_json(dict(r)) for r in rows]

    def token_states(self) -> dict[str, bool]:
        """For each party name, True if its token is active, False if it was revoked."""
        with self._read() as conn:
            rows = conn.execute(select(parties_t.c.name, parties_t.c.token_sha256)).all()
        return {str(n): not str(h).startswith(REVOKED_PREFIX) for n, h in rows}

    def count_role(self, role: str) -> int:
        """How many parties have ``role``."""
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(parties_t).where(parties_t.c.role == role)
                ).scalar_one()
            )

    # ------------------------------------------------------------------ scenarios
    def add_scenario(self, name: str, title: str, toml: str, by: str) -> dict[str, Any]:
        """Store an uploaded (already validated) scenario; its row."""
        row = {"name": name, "title": title, "toml": toml, "uploaded_by": by, "uploaded": now()}
        with self._write() as conn:
            new_id = conn.execute(insert(scenarios_t).values(**row)).inserted_primary_key
        assert new_id is not None
        return {"id": int(new_id[0]), **row}

    def add_split_view(
        self,
        tree_size: int,
        stored_root: str,
        presented_root: str,
        witness: str,
        note: str,
        by: str,
    ) -> dict[str, Any]:
        """Keep the evidence of a split view: a checkpoint signed by the log for ``tree_size``
        with another root than the one stored, as a witness cosigned it; the row."""
        row = {
            "tree_size": tree_size,
            "stored_root": stored_root,
            "presented_root": presented_root,
            "witness": witness[:200],
            "note": note,
            "reported_by": by,
            "reported": now(),
        }
        with self._write() as conn:
            new_id = conn.execute(insert(split_views_t).values(**row)).inserted_primary_key
        assert new_id is not None
        return {"id": int(new_id[0]), **row}

    def split_views(self) -> list[dict[str, Any]]:
        """Every split view reported, newest first."""
        with self._read() as conn:
            rows = conn.execute(select(split_views_t).order_by(split_views_t.c.id.desc()))
            return [dict(r) for r in rows.mappings().all()]

    def scenarios(self) -> list[dict[str, Any]]:
        """Every scenario without its TOML text, newest first."""
        cols = [c for c in scenarios_t.c if c.name != "toml"]
        with self._read() as conn:
            rows = conn.execute(select(*cols).order_by(scenarios_t.c.id.desc())).mappings().all()
        return [dict(r) for r in rows]

    def scenario(self, scenario_id: int) -> dict[str, Any] | None:
        """One scenario with its TOML text."""
        with self._read() as conn:
            row = (
                conn.execute(select(scenarios_t).where(scenarios_t.c.id == scenario_id))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    # ------------------------------------------------------------------ assessments
    def add_assessment(
        self, scenario_id: int, result: dict[str, Any], inputs: dict[str, Any], by: str
    ) -> dict[str, Any]:
        """Store an assessment result (the ``Assessment.to_dict()`` JSON) and what its report
        needs besides the scenario."""
        row = {
            "scenario_id": scenario_id,
            "overall": str(result["overall"]),
            "result": json.dumps(result, allow_nan=False),
            "report_inputs": json.dumps(inputs, allow_nan=False),
            "created_by": by,
            "created": now(),
        }
        with self._write() as conn:
            new_id = conn.execute(insert(assessments_t).values(**row)).inserted_primary_key
        assert new_id is not None
        out = _assessment_json({"id": int(new_id[0]), **row})
        out["report_ready"] = False
        return out

    def assessments(self, scenario_id: int | None = None) -> list[dict[str, Any]]:
        """Assessments without their results, newest first (optionally of one scenario)."""
        cols = [c for c in assessments_t.c if c.name not in ("result", "report", "report_inputs")]
        ready = assessments_t.c.report.is_not(None).label("report_ready")
        q = select(*cols, ready).order_by(assessments_t.c.id.desc())
        if scenario_id is not None:
            q = q.where(assessments_t.c.scenario_id == scenario_id)
        with self._read() as conn:
            rows = conn.execute(q).mappings().all()
        return [{**r, "report_ready": bool(r["report_ready"])} for r in rows]

    def assessment(self, assessment_id: int) -> dict[str, Any] | None:
        """One assessment with its result (``report_ready`` says if its HTML report is)."""
        cols = [c for c in assessments_t.c if c.name not in ("report", "report_inputs")]
        ready = assessments_t.c.report.is_not(None).label("report_ready")
        with self._read() as conn:
            row = (
                conn.execute(select(*cols, ready).where(assessments_t.c.id == assessment_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        out = _assessment_json(dict(row))
        out["report_ready"] = bool(out["report_ready"])
        return out

    def set_report(self, assessment_id: int, html: str) -> None:
        """Store the rendered HTML report of an assessment."""
        with self._write() as conn:
            conn.execute(
                update(assessments_t).where(assessments_t.c.id == assessment_id).values(report=html)
            )

    def report_inputs(self, assessment_id: int) -> dict[str, Any]:
        """What the assessment's report needs besides the scenario (source, compliance)."""
        with self._read() as conn:
            value = conn.execute(
                select(assessments_t.c.report_inputs).where(assessments_t.c.id == assessment_id)
            ).scalar_one()
        out: dict[str, Any] = json.loads(value)
        return out

    def report(self, assessment_id: int) -> str | None:
        """The HTML report of an assessment, if rendered."""
        with self._read() as conn:
            value = conn.execute(
                select(assessments_t.c.report).where(assessments_t.c.id == assessment_id)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    # ------------------------------------------------------------------ simulation jobs
    def add_job(self, scenario_id: int, params: dict[str, Any], total: int, by: str) -> int:
        """A new queued simulation job; its id."""
        row = {
            "scenario_id": scenario_id,
            "params": json.dumps(params),
            "status": "queued",
            "done": 0,
            "total": total,
            "created_by": by,
            "created": now(),
        }
        with self._write() as conn:
            new_id = conn.execute(insert(jobs_t).values(**row)).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def update_job(self, job_id: int, **values: Any) -> None:
        """Change a job's status, progress, result or error."""
        if "result" in values and values["result"] is not None:
            values["result"] = json.dumps(values["result"], allow_nan=False)
        with self._write() as conn:
            conn.execute(update(jobs_t).where(jobs_t.c.id == job_id).values(**values))

    def job(self, job_id: int) -> dict[str, Any] | None:
        """One job with its result if finished."""
        with self._read() as conn:
            row = conn.execute(select(jobs_t).where(jobs_t.c.id == job_id)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        out["params"] = json.loads(out["params"])
        out["result"] = json.loads(out["result"]) if out["result"] else None
        return out

    def jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest simulation jobs without their results, newest first."""
        cols = [c for c in jobs_t.c if c.name != "result"]
        with self._read() as conn:
            rows = (
                conn.execute(select(*cols).order_by(jobs_t.c.id.desc()).limit(limit))
                .mappings()
                .all()
            )
        out = []
        for r in rows:
            row = dict(r)
            row["params"] = json.loads(row["params"])
            out.append(row)
        return out

    def fail_unfinished_jobs(self) -> None:
        """Mark jobs left queued or running by a stopped server as failed (run them again)."""
        with self._write() as conn:
            conn.execute(
                update(jobs_t)
                .where(jobs_t.c.status.in_(["queued", "running"]))
                .values(status="failed", error="the server stopped during the job", finished=now())
            )

    # ------------------------------------------------------------------ audit log
    def log(
        self,
        *,
        party: str | None,
        role: str | None,
        client: str,
        method: str,
        path: str,
        status: int,
        detail: str,
    ) -> None:
        """Append one line to the audit log of writes."""
        with self._write() as conn:
            conn.execute(
                insert(audit_t).values(
                    time=now(),
                    party=party,
                    role=role,
                    client=client[:64],
                    method=method[:8],
                    path=path[:2000],
                    status=status,
                    detail=detail[:2000],
                )
            )

    def audit_log(self, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        """The latest audit lines, newest first."""
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(audit_t).order_by(audit_t.c.id.desc()).limit(limit).offset(offset)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]


def _party_json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("name", "role", "public_key", "created", "created_by")}


def _assessment_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("result", "report_inputs")}
    if "result" in row:
        out["result"] = json.loads(row["result"])
    return out
