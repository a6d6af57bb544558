"""Storage of a ledger through SQLAlchemy Core: one schema for SQLite and PostgreSQL.

Tables: ``meta`` (format, origin, log public key), ``head`` (one row: tree size and root; the row
PostgreSQL writers lock), ``parties``, ``entries`` (index, leaf hash, canonical record),
``nodes`` (every complete interior subtree hash, keyed by its in-order position, see
:func:`cvid.ledger.merkle.node_position`), ``checkpoints`` (signed notes, one per appended
batch), ``cosignatures`` (witnesses' C2SP cosignature lines of stored checkpoints).

Database locations and engines (one engine per database per process, shared with the
service's own tables) live in :mod:`cvid._db`.

SQLite runs in WAL mode with ``synchronous=FULL`` (a commit that returned survives power loss)
and writers take the database lock up front with ``BEGIN IMMEDIATE``, so appends are serialized
and indices contiguous. PostgreSQL writers lock the head row with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.exc import DBAPIError

from cvid.ledger.merkle import NodeId, node_position

FORMAT = "cvid-ledger/1"

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
cosignatures_t = Table(
    "ledger_cosignatures",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(200), primary_key=True),
    Column("key_id", String(8), primary_key=True),
    Column("timestamp", BigInteger, nullable=False),
    Column("line", Text, nullable=False),
    Column("vkey", Text, nullable=False),
    Column("added", String(40), nullable=False),
)


class RawTx:
    """Driver-level (DB-API) statements on the connection of a SQLAlchemy transaction: the
    append hot path, which skips SQLAlchemy's per-statement compile-and-execute overhead
    (about 0.1 ms a statement). SQL is written with ``?`` marks (``%s`` for PostgreSQL); a
    driver error is raised as SQLAlchemy's own (an IntegrityError stays one)."""

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self._cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._error: type[Exception] = conn.dialect.loaded_dbapi.Error

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement that returns none)."""
        try:
            self._cur.execute(self._sql(sql), tuple(params))
            return list(self._cur.fetchall()) if self._cur.description else []
        except self._error as exc:
            raise DBAPIError.instance(sql, params, exc, self._error) from exc

    def insert(self, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert many rows (tuples in column order) with the driver's ``executemany``."""
        if not rows:
            return
        names = ", ".join(c.name for c in table.columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in table.columns)})"
        try:
            self._cur.executemany(self._sql(sql), rows)
        except self._error as exc:
            raise DBAPIError.instance(sql, rows, exc, self._error) from exc


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
