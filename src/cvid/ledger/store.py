"""Storage of a ledger through SQLAlchemy Core: one schema for SQLite and PostgreSQL.

Tables: ``meta`` (format, origin, log public key), ``head`` (one row: tree size and root; the row
PostgreSQL writers lock), ``parties``, ``entries`` (index, leaf hash, canonical record),
``nodes`` (every complete interior subtree hash, keyed by its in-order position, see
:func:`cvid.ledger.merkle.node_position`), ``checkpoints`` (signed notes, one per appended batch).

SQLite runs in WAL mode with ``synchronous=FULL`` (a commit that returned survives power loss)
and writers take the database lock up front with ``BEGIN IMMEDIATE``, so appends are serialized
and indices contiguous. PostgreSQL writers lock the head row with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.pool import QueuePool

from cvid.errors import InputError
from cvid.ledger.merkle import NodeId, node_position

FORMAT = "cvid-ledger/1"
SQLITE_MAGIC = b"SQLite format 3\x00"

_Index = BigInteger().with_variant(Integer, "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid

metadata = MetaData()
meta_t = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
head_t = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary, nullable=False),
)
parties_t = Table(
    "ledger_parties",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("public_key", LargeBinary, nullable=False, unique=True),
    Column("registered", String(40), nullable=False),
)
entries_t = Table(
    "ledger_entries",
    metadata,
    Column("idx", _Index, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("signer", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
nodes_t = Table(
    "ledger_nodes",
    metadata,
    Column("pos", _Index, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)
checkpoints_t = Table(
    "ledger_checkpoints",
    metadata,
    Column("tree_size", _Index, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("created", String(40), nullable=False),
)


@dataclass(frozen=True)
class Location:
    """Where a ledger lives: a SQLite file path or a PostgreSQL URL, as the user wrote it."""

    text: str
    sqlite_path: Path | None
    sa_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_path is not None


def parse_location(db: str | Path) -> Location:
    """Read ``db``: a file path, ``sqlite:///path`` or ``postgresql://...``."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        rest = text.split("://", 1)[1]
        return Location(text, None, "postgresql+psycopg://" + rest)
    if text.startswith("sqlite:///"):
        path = Path(urllib.parse.unquote(text.removeprefix("sqlite:///").split("?", 1)[0]))
    elif "://" in text:
        raise InputError(
            "a ledger is a file path, sqlite:///PATH or postgresql://URL", source=text, field="DB"
        )
    else:
        path = Path(text)
    if not str(path):
        raise InputError("empty database path", source=text, field="DB")
    return Location(text, path, "sqlite://")


def _sqlite_engine(path: Path, *, create: bool) -> Engine:
    mode = "rwc" if create else "rw"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=120, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 120000")
        return conn

    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool, pool_size=2)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # pysqlite runs in autocommit mode (isolation_level=None); we open the transaction,
        # taking the write lock at once for writers so appends never interleave.
        write = conn.get_execution_options().get("cvid_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def make_engine(loc: Location, *, create: bool = False) -> Engine:
    """An engine for ``loc``. SQLite files must exist unless ``create``; no file is made by
    merely opening."""
    if loc.sqlite_path is not None:
        path = loc.sqlite_path
        if not create:
            if not path.exists():
                raise InputError(
                    "no ledger here (create one with `cvid ledger init`)", source=loc.text
                )
            with path.open("rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
            if head != SQLITE_MAGIC:
                raise InputError("not a SQLite database (foreign or damaged file)", source=loc.text)
        return _sqlite_engine(path, create=create)
    return create_engine(loc.sa_url, pool_pre_ping=True, pool_size=2, max_overflow=2)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction holding the append lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    head row locked FOR UPDATE by the caller's first query)."""
    with engine.connect().execution_options(cvid_write=True) as conn, conn.begin():
        yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot of the ledger."""
    with engine.connect() as conn, conn.begin():
        yield conn


def bulk_insert(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert many rows (tuples in column order) through the driver's ``executemany``.

    This is the append hot path: it skips SQLAlchemy's per-row parameter processing, which
    would otherwise cost as much as the SQLite insert itself.
    """
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(c.name for c in table.columns)
    marks = ", ".join(mark for _ in table.columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))


def fetch_nodes(conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """Stored hashes of nodes ``(level, index)``: level 0 from entries, the rest from nodes."""
    leaves = [ix for lv, ix in ids if lv == 0]
    inner = {node_position(lv, ix): (lv, ix) for lv, ix in ids if lv > 0}
    out: dict[NodeId, bytes] = {}
    for chunk in _chunks(leaves):
        rows = conn.execute(
            select(entries_t.c.idx, entries_t.c.leaf_hash).where(entries_t.c.idx.in_(chunk))
        )
        out.update({(0, int(i)): bytes(h) for i, h in rows})
    positions = list(inner)
    for chunk in _chunks(positions):
        rows = conn.execute(select(nodes_t.c.pos, nodes_t.c.hash).where(nodes_t.c.pos.in_(chunk)))
        out.update({inner[int(p)]: bytes(h) for p, h in rows})
    return out


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]
