"""Fixtures of the ledger tests: party keys and fresh ledgers on SQLite and PostgreSQL.

PostgreSQL tests use a fresh, uniquely named schema per test in the database ``test`` at
127.0.0.1:5432 (dropped afterwards) and are skipped with a reason when the server does not
answer (``scripts/ensure-postgres.sh`` starts it in CI).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import cvid.data
from cvid.ledger import Ledger, PartyKey, generate_party_key

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: RFC 6962 proof test vectors from transparency-dev/merkle (Apache-2.0), bundled with cvid
#: (one copy: src/cvid/data/tlog-test-vectors, see its PROVENANCE.md)
TLOG = Path(cvid.data.__file__).resolve().parent / "tlog-test-vectors"

_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers (checked once per process)."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(PG_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect means: skip
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} does not answer: {exc}"
    return _pg_state["reason"]


class PgSchema:
    """A fresh schema in the test database; its URL selects it through search_path."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"cvid_ledger_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.name}"')
        self.url = f"{PG_URL}?options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        reason = postgres_unavailable()
        if reason:
            pytest.skip(reason)
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Where a fresh ledger goes: a SQLite file, or a PostgreSQL URL on a new schema."""
    if backend == "sqlite":
        yield str(tmp_path / "evidence.db")
        return
    schema = PgSchema()
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def keys() -> dict[str, PartyKey]:
    """One party of each role: iaea (inspectorate), dprk (state), sweden (observer), un (admin)."""
    return {
        "inspectorate": generate_party_key("iaea", "inspectorate"),
        "state": generate_party_key("dprk", "state"),
        "observer": generate_party_key("sweden", "observer"),
        "admin": generate_party_key("un", "admin"),
    }


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, keys: dict[str, PartyKey]) -> Iterator[Ledger]:
    """A new ledger with every party in ``keys`` registered."""
    led = Ledger.create(db_url, log_key_path=tmp_path / "log.key", origin="test.cvid/ledger")
    for key in keys.values():
        led.register(key.public)
    try:
        yield led
    finally:
        led.close()


def raw_sql(db_url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Run SQL on a ledger's database behind the ledger's back (tampering tests).

    ``?`` marks parameters; returns the rows of a query.
    """
    if db_url.startswith("postgresql://"):
        import psycopg

        schema = db_url.rsplit("%3D", 1)[1]
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            cur = conn.execute(sql.replace("?", "%s"), params or None)
            return list(cur.fetchall()) if cur.description else []
    import sqlite3

    lite = sqlite3.connect(db_url)
    try:
        with lite:
            rows = list(lite.execute(sql, params).fetchall())
        return rows
    finally:
        lite.close()


def as_bytes(value: object) -> bytes:
    """A BLOB column's value from :func:`raw_sql` as ``bytes`` (SQLite gives ``bytes``,
    PostgreSQL's ``bytea`` a ``bytes`` or ``memoryview``)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"expected a BLOB value, got {type(value).__name__}")
