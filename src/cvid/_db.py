"""Where cvid's databases live and the one SQLAlchemy engine of each: URLs and engines.

A database is a SQLite file (a path or ``sqlite:///PATH``) or a PostgreSQL server
(``postgresql://…``, driven by psycopg 3). :func:`parse_location` is the one reader of such
text, for the ledger and the web service alike.

One engine per database per process (:func:`acquire_engine`), shared by every ledger handle
and by the service's own tables: SQLite keeps POSIX locks per process, so the file is only ever
opened through SQLite (never a plain ``open()``, whose ``close()`` would drop those locks and
let another process delete the live write-ahead log). SQLite runs in WAL mode with
``synchronous=FULL`` (a commit that returned survives power loss) and writers take the database
lock up front with ``BEGIN IMMEDIATE`` (:func:`write_tx`), so appends are serialized.
"""

from __future__ import annotations

import sqlite3
import stat
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from cvid.errors import InputError


@dataclass(frozen=True)
class Location:
    """Where a ledger lives: a SQLite file path or a PostgreSQL URL, as the user wrote it."""

    text: str
    sqlite_path: Path | None
    sa_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.sqlite_path is not None


def parse_location(db: str | Path, *, field: str = "DB") -> Location:
    """Read ``db``: a file path, ``sqlite:///path`` or ``postgresql://...``; errors name
    ``field`` (the option or argument the text came from)."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        rest = text.split("://", 1)[1]
        return Location(text, None, "postgresql+psycopg://" + rest)
    if text.startswith("sqlite:///"):
        path = Path(urllib.parse.unquote(text.removeprefix("sqlite:///").split("?", 1)[0]))
    elif "://" in text:
        raise InputError(
            "expected a file path, sqlite:///PATH or postgresql://URL", source=text, field=field
        )
    else:
        path = Path(text)
    if not str(path):
        raise InputError("empty database path", source=text, field=field)
    return Location(text, path, "sqlite://")


_ENGINES_LOCK = threading.Lock()
_ENGINES: dict[str, _Shared] = {}


@dataclass
class _Shared:
    """One engine of a database, shared by every user in this process."""

    engine: Engine
    users: int


def _sqlite_connect(path: Path) -> Callable[[], sqlite3.Connection]:
    uri = f"file:{urllib.parse.quote(str(path))}?mode=rw"

    def connect() -> sqlite3.Connection:
        # check_same_thread=False: the pool hands a connection to one thread at a time; the
        # sqlite3 module is built thread-safe (serialized), so this is safe.
        conn = sqlite3.connect(
            uri, uri=True, timeout=120, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout = 120000")
        # synchronous applies to this connection only; the journal mode (WAL) is a property
        # of the file, set when the ledger is created: a foreign file is never switched.
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    return connect


def _sqlite_engine(connect: Callable[[], sqlite3.Connection]) -> Engine:
    engine = create_engine(
        "sqlite://", creator=connect, poolclass=QueuePool, pool_size=8, max_overflow=8
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # pysqlite runs in autocommit mode (isolation_level=None); we open the transaction,
        # taking the write lock at once for writers so appends never interleave.
        write = conn.get_execution_options().get("cvid_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(loc: Location, *, pool_size: int, max_overflow: int = 8) -> Engine:
    """An engine of a PostgreSQL URL (psycopg 3: the ``postgres`` extra)."""
    from cvid._optional import require

    require("psycopg", "postgres", "a PostgreSQL database")
    return create_engine(
        loc.sa_url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow
    )


def _engine_key(loc: Location) -> str:
    if loc.sqlite_path is not None:
        return "sqlite:" + str(loc.sqlite_path.resolve())
    return loc.sa_url


def check_sqlite_file(loc: Location) -> Path:
    """The resolved path of an existing SQLite ledger file, or an :class:`InputError` saying
    why it cannot be one. Only ``stat`` is used: the file is never opened outside SQLite (a
    plain ``open()``/``close()`` would drop the POSIX locks SQLite holds on it in this
    process, and the next process would delete the live write-ahead log)."""
    assert loc.sqlite_path is not None
    path = loc.sqlite_path.resolve()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(
            "no ledger here (create one with `cvid ledger init`)", source=loc.text
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", source=loc.text) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a folder, not a ledger file", source=loc.text)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("is not a regular file", source=loc.text)
    if st.st_size < 512:
        raise InputError(
            f"not a SQLite database ({st.st_size} bytes: empty, foreign or truncated)",
            source=loc.text,
        )
    return path


def check_sqlite_pages(
    conn: Connection | None,
    loc: Location,
    *,
    page_size: int | None = None,
    path: Path | None = None,
) -> None:
    """Refuse a SQLite file whose size is not a whole number of pages: it was truncated or
    damaged (SQLite only ever writes whole pages to the database file, and reads past a cut
    as zeros, so without this check a write would go into a damaged file). ``page_size`` and
    the resolved ``path``, when the caller already knows them, save the query and lookup."""
    if loc.sqlite_path is None:
        return
    if page_size is None:
        assert conn is not None
        page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
    size = (path or loc.sqlite_path.resolve()).stat().st_size
    if page_size <= 0 or size % page_size:
        raise InputError(
            f"damaged database file: its size, {size} bytes, is not a whole number of "
            f"{page_size}-byte pages (truncated?); restore it from a backup",
            source=loc.text,
        )


def acquire_engine(loc: Location) -> Engine:
    """The engine of the database at ``loc``, shared by every user in this process (one engine
    per database, made on first use); give it back with :func:`release_engine`.

    A SQLite file must exist (see :func:`check_sqlite_file`); nothing is created or changed by
    merely opening, and the file is read only through SQLite.
    """
    key = _engine_key(loc)
    with _ENGINES_LOCK:
        shared = _ENGINES.get(key)
        if shared is None:
            if loc.sqlite_path is not None:
                engine = _sqlite_engine(_sqlite_connect(check_sqlite_file(loc)))
            else:
                engine = _postgres_engine(loc, pool_size=4)
            shared = _ENGINES[key] = _Shared(engine, 0)
        shared.users += 1
        return shared.engine


def release_engine(engine: Engine) -> None:
    """Give back an engine from :func:`acquire_engine`; the last user closes its connections."""
    with _ENGINES_LOCK:
        for key, shared in list(_ENGINES.items()):
            if shared.engine is engine:
                shared.users -= 1
                if shared.users <= 0:
                    del _ENGINES[key]
                    engine.dispose()
                return


def creation_engine(loc: Location) -> Engine:
    """A private engine that creates a new SQLite file (``mode=rwc``) or uses a PostgreSQL
    URL, for :meth:`Ledger.create` only; dispose of it when done."""
    if loc.sqlite_path is None:
        return _postgres_engine(loc, pool_size=1, max_overflow=1)
    path = loc.sqlite_path.resolve()
    uri = f"file:{urllib.parse.quote(str(path))}?mode=rwc"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=120, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 120000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    return _sqlite_engine(connect)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction holding the append lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    head row locked FOR UPDATE by the caller's first query)."""
    with engine.connect().execution_options(cvid_write=True) as conn, conn.begin():
        yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot of the ledger (SQLite: one deferred
    transaction, whose snapshot is taken at its first read and held to its end; PostgreSQL:
    ``REPEATABLE READ READ ONLY``, so every query sees the same committed state)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin():
            yield conn


__all__ = [
    "Location",
    "acquire_engine",
    "check_sqlite_file",
    "check_sqlite_pages",
    "creation_engine",
    "parse_location",
    "read_tx",
    "release_engine",
    "write_tx",
]
