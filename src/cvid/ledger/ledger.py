"""The evidence ledger: an append-only, signed RFC 9162 log in SQLite or PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from cvid._db import (
    Location,
    check_sqlite_pages,
    creation_engine,
    parse_location,
    read_tx,
    write_tx,
)
from cvid._db import acquire_engine as _acquire_engine
from cvid._db import release_engine as _release_engine
from cvid.errors import CheckFailed, InputError
from cvid.ledger import merkle
from cvid.ledger.entry import AuditReport, ConsistencyProof, Entry, InclusionProof
from cvid.ledger.keys import (
    PartyKey,
    PartyPublicKey,
    generate_log_key,
    read_private_key,
    write_private_key,
)
from cvid.ledger.merkle import CompactRange, NodeId, leaf_hash
from cvid.ledger.note import (
    Checkpoint,
    NoteError,
    checkpoint_seq,
    sign_checkpoint,
    split_note,
    verifier_key,
    verify_checkpoint,
)
from cvid.ledger.store import (
    FORMAT,
    RawTx,
    checkpoints_t,
    cosignatures_t,
    entries_t,
    fetch_nodes,
    head_t,
    meta_t,
    metadata,
    nodes_t,
    parties_t,
)

if TYPE_CHECKING:
    from cvid.ledger.records import CheckedRecord

#: Records appended per transaction (and per signed checkpoint) by default.
DEFAULT_BATCH = 10_000
LOG_KEY_ENV = "CVID_LEDGER_LOG_KEY"
SEQ_LINE = "cvid-seq "


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def acquire_engine(db: str | Path) -> Engine:
    """This process's one SQLAlchemy engine of the database ``db`` (a SQLite file that must
    exist, or a PostgreSQL URL), shared with every :class:`Ledger` on it; give it back with
    :func:`release_engine`. For parts that keep their own tables beside the ledger."""
    return _acquire_engine(parse_location(db))


def release_engine(engine: Engine) -> None:
    """Give back an engine from :func:`acquire_engine` (the last user closes it)."""
    _release_engine(engine)


def default_log_key_path(loc: Location) -> Path | None:
    """Where the log's private key lives unless told: ``$CVID_LEDGER_LOG_KEY``, else beside a
    SQLite file as ``<file>.logkey``; a PostgreSQL ledger has no default file."""
    env = os.environ.get(LOG_KEY_ENV)
    if env:
        return Path(env)
    if loc.sqlite_path is not None:
        return loc.sqlite_path.with_name(loc.sqlite_path.name + ".logkey")
    return None


@dataclass(frozen=True)
class _Signed:
    """A checkpoint this process signed on a database after checking its history: its
    number, tree size, root hash, note and the right edge of its tree."""

    seq: int
    size: int
    root: bytes
    note: str
    edge: tuple[tuple[int, int, bytes], ...]


class _LogState:
    """What every handle on one database in this process shares (one per engine): the
    checkpoint signed here last, so that the next append, through any handle, skips
    re-proving it when the database still holds exactly it, and the notes of this log
    already verified (a few, the latest), each with what it says."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signed: _Signed | None = None
        self.verified: dict[str, Checkpoint] = {}

    def signed_here(self, signed: _Signed) -> None:
        """Keep ``signed`` unless a larger checkpoint was signed here meanwhile."""
        with self.lock:
            if self.signed is None or self.signed.size < signed.size:
                self.signed = signed

    def remember(self, note: str, cp: Checkpoint) -> None:
        with self.lock:
            self.verified[note] = cp
            while len(self.verified) > 4:
                del self.verified[next(iter(self.verified))]


_STATES_LOCK = threading.Lock()
_STATES: weakref.WeakKeyDictionary[Engine, _LogState] = weakref.WeakKeyDictionary()


def _state_of(engine: Engine) -> _LogState:
    with _STATES_LOCK:
        state = _STATES.get(engine)
        if state is None:
            state = _STATES[engine] = _LogState()
        return state


#: Bytes of one slot of the log signer's record (``<log key>.signed``): two slots a file.
_SIGNED_SLOT = 4096


def _signed_slot(body: Mapping[str, Any]) -> bytes | None:
    """One slot of the signer's record: the JSON line of ``body``, the line's SHA-256 (hex) on
    the next line, zero bytes to :data:`_SIGNED_SLOT`; None if it does not fit."""
    line = json.dumps(body, sort_keys=True).encode()
    out = line + b"\n" + hashlib.sha256(line).hexdigest().encode() + b"\n"
    return out.ljust(_SIGNED_SLOT, b"\0") if len(out) <= _SIGNED_SLOT else None


def _signed_bodies(data: bytes) -> tuple[bool, list[Any]]:
    """The records in the signer's file: (True, one body or None per slot) in the slot format,
    where a slot whose checksum fails (cut short by a crash) or is empty is None; else
    (False, [the one JSON document]), or (False, []) for a blank file. ValueError if it is
    neither."""
    if not data.strip(b"\0 \t\r\n"):
        return False, []
    bodies: list[Any] = []
    for at in range(0, len(data), _SIGNED_SLOT):
        line, _, rest = data[at : at + _SIGNED_SLOT].partition(b"\n")
        ok = rest[64:65] == b"\n" and rest[:64] == hashlib.sha256(line).hexdigest().encode()
        bodies.append(json.loads(line) if ok else None)
    if any(b is not None for b in bodies):
        return True, bodies
    return False, [json.loads(data)]


def _label(source: str | None, n: int) -> str:
    return f"{source}: record {n}" if source else f"record {n}"


class Ledger:
    """An open evidence ledger. Create one with :meth:`create`, open one with :meth:`open`.

    Reading (records, proofs, checkpoints, audit) needs only the database; appending also needs
    the log's private key, which signs one checkpoint per appended batch.
    """

    def __init__(self, loc: Location, *, log_key: PartyKey | None, log_key_path: Path | None):
        self.location = loc
        self._engine = _acquire_engine(loc)
        self._log_key = log_key
        self._log_key_path = log_key_path
        self._signed_path = (
            None if log_key_path is None else log_key_path.with_name(log_key_path.name + ".signed")
        )
        #: What the handles on this database in this process share: the checkpoint last
        #: signed here (after checking the history) and the notes already verified.
        self._state = _state_of(self._engine)
        #: Whether this handle's first append is done: that one checks the whole chain (the
        #: tree's edge read from the database, every checkpoint row counted), as a new
        #: process does; later ones start from the checkpoint signed here last.
        self._appended = False
        #: The registered parties as this handle last read them (see :meth:`submit`).
        self._party_cache: dict[str, PartyPublicKey] | None = None
        #: The signer's file as this handle last wrote it, and its slots parsed.
        self._signed_file: tuple[bytes, tuple[bool, list[Any]]] | None = None
        #: The SQLite file (resolved) and its page size, for the check before each write.
        self._pages: tuple[Path, int] | None = None
        try:
            self._check_open()
        except BaseException:
            _release_engine(self._engine)
            raise
        if log_key is not None and log_key.public.public_key != self.log_public_key:
            _release_engine(self._engine)
            raise InputError(
                "this log key does not belong to this ledger", source=str(log_key_path)
            )

    def _check_open(self) -> None:
        """Read the ledger's metadata through SQLite/PostgreSQL; refuse anything else."""
        loc = self.location
        try:
            with read_tx(self._engine) as conn:
                if conn.dialect.name == "sqlite":
                    tables = {
                        str(n)
                        for (n,) in conn.exec_driver_sql(
                            "SELECT name FROM sqlite_master WHERE type = 'table'"
                        )
                    }
                    if not {meta_t.name, head_t.name} <= tables:
                        raise InputError(
                            "not a cvid ledger: a SQLite database without the ledger's tables "
                            "(left unchanged)",
                            source=loc.text,
                        )
                    check_sqlite_pages(conn, loc)
                    has_cosignatures = cosignatures_t.name in tables
                else:
                    has_cosignatures = bool(inspect(conn).has_table(cosignatures_t.name))
                meta = {
                    str(k): str(v) for k, v in conn.execute(select(meta_t.c.key, meta_t.c.value))
                }
                conn.execute(select(head_t.c.tree_size).where(head_t.c.id == 1)).one()
        except SQLAlchemyError as exc:
            reason = _db_reason(exc)
            if "file is not a database" in reason:
                raise InputError(
                    "not a SQLite database (a foreign or damaged file; left unchanged)",
                    source=loc.text,
                ) from None
            raise InputError(
                f"cannot open as a cvid ledger: not one, damaged or unreachable ({reason})",
                source=loc.text,
            ) from None
        if meta.get("format") != FORMAT or "origin" not in meta:
            raise InputError(f"not a {FORMAT} database", source=loc.text)
        self.origin: str = meta["origin"]
        self.log_public_key: bytes = bytes.fromhex(meta["log_public_key"])
        if not has_cosignatures:  # a ledger made before witnesses: add their table
            with _db_guard(loc.text), write_tx(self._engine) as conn:
                cosignatures_t.create(conn, checkfirst=True)

    # ---------------------------------------------------------------- opening and creating
    @classmethod
    def create(
        cls, db: str | Path, *, origin: str | None = None, log_key_path: Path | None = None
    ) -> Ledger:
        """Create a new ledger at ``db`` (file path or URL) and its log signing key.

        The key is written to ``log_key_path`` (default: ``<file>.logkey`` beside a SQLite
        file; required for PostgreSQL). Refuses to overwrite an existing ledger or key file.
        """
        loc = parse_location(db)
        key_path = log_key_path or default_log_key_path(loc)
        if key_path is None:
            raise InputError(
                f"a PostgreSQL ledger needs --log-key PATH (or ${LOG_KEY_ENV}) for its signing key",
                source=loc.text,
            )
        if loc.sqlite_path is not None and loc.sqlite_path.exists():
            raise InputError("file exists; a new ledger needs a new file", source=loc.text)
        for path in (loc.sqlite_path, key_path):
            if path is not None and not path.resolve().parent.is_dir():
                raise InputError("folder does not exist", source=str(path))
        if key_path.exists():
            raise InputError("log key file exists; refusing to replace it", source=str(key_path))
        origin = origin or f"cvid.local/ledger/{secrets.token_hex(8)}"
        if not origin or any(c.isspace() or c == "+" for c in origin):
            raise InputError("origin must be non-empty, without spaces or '+'", field="origin")
        log_key = generate_log_key(origin)
        engine = creation_engine(loc)
        created_file = loc.sqlite_path is not None
        try:
            with _db_guard(loc.text), write_tx(engine) as conn:
                if loc.sqlite_path is None and _has_tables(conn):
                    raise InputError("a ledger already exists at this URL", source=loc.text)
                metadata.create_all(conn)
                conn.execute(
                    insert(meta_t),
                    [
                        {"key": "format", "value": FORMAT},
                        {"key": "origin", "value": origin},
                        {"key": "log_public_key", "value": log_key.public.public_key.hex()},
                        {"key": "created", "value": _now()},
                    ],
                )
                root = merkle.EMPTY_ROOT
                conn.execute(insert(head_t).values(id=1, tree_size=0, root_hash=root))
                first = Checkpoint(origin, 0, root, (f"{SEQ_LINE}0",))
                note = sign_checkpoint(first, origin, log_key.private_key)
                conn.execute(
                    insert(checkpoints_t).values(
                        tree_size=0, root_hash=root, note=note, created=_now()
                    )
                )
            write_private_key(log_key, key_path)
        except BaseException:
            engine.dispose()
            if created_file and loc.sqlite_path is not None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(loc.sqlite_path) + suffix).unlink(missing_ok=True)
            raise
        engine.dispose()
        return cls(loc, log_key=log_key, log_key_path=key_path)

    @classmethod
    def open(cls, db: str | Path, *, log_key: Path | None = None) -> Ledger:
        """Open the ledger at ``db`` (file path, ``sqlite:///path`` or ``postgresql://...``).

        The log key is read from ``log_key`` or its default place if it is there; without it
        the ledger can be read and audited but not appended to.
        """
        loc = parse_location(db)
        path = log_key or default_log_key_path(loc)
        key = None
        if path is not None and (log_key is not None or path.exists()):
            key = read_private_key(path, log=True)
        return cls(loc, log_key=key, log_key_path=path)

    def close(self) -> None:
        """Give back this handle's share of the database engine (the last one closes it)."""
        if self._engine is not None:
            _release_engine(self._engine)
            self._engine = None  # type: ignore[assignment]

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- parties
    @property
    def log_key_path(self) -> Path | None:
        """Where the log's private key file is (or would be looked for)."""
        return self._log_key_path

    @property
    def verifier_key(self) -> str:
        """The log's C2SP verifier key ``origin+keyid+base64key`` (pins checkpoint signatures)."""
        return verifier_key(self.origin, self.log_public_key)

    def register(self, party: PartyPublicKey) -> bool:
        """Admit a party's public key with its role; False if it was already registered.

        A name already taken by another key, or a key registered under another name, is refused.
        """
        with self._guard(), write_tx(self._engine) as conn:
            rows = conn.execute(
                select(parties_t.c.name, parties_t.c.role, parties_t.c.public_key).where(
                    (parties_t.c.name == party.name) | (parties_t.c.public_key == party.public_key)
                )
            ).all()
            for name, role, pub in rows:
                if name == party.name and bytes(pub) == party.public_key and role == party.role:
                    return False
                if name == party.name:
                    raise InputError(
                        f"party {name!r} is already registered with another key or role",
                        field="party",
                    )
                raise InputError(f"this key is already registered as party {name!r}", field="party")
            conn.execute(
                insert(parties_t).values(
                    name=party.name,
                    role=party.role,
                    public_key=party.public_key,
                    registered=_now(),
                )
            )
        return True

    def parties(self) -> dict[str, PartyPublicKey]:
        """Registered parties by name."""
        with self._guard(), read_tx(self._engine) as conn:
            parties = _parties(conn)
        self._party_cache = dict(parties)
        return parties

    # ---------------------------------------------------------------- appending
    def append(
        self,
        records: Mapping[str, Any] | Iterable[Mapping[str, Any]],
        key: PartyKey,
        *,
        batch_size: int = DEFAULT_BATCH,
        source: str | None = None,
        on_commit: Callable[[list[int]], None] | None = None,
    ) -> list[int]:
        """Sign ``records`` (one or many) with the party ``key`` and append them; their indices.

        Every record is checked (schema, the key registered, its role allowed for the kind)
        before anything is written; then they are appended in batches of ``batch_size``, each
        one transaction with one signed checkpoint. ``on_commit`` is called with the indices
        of each batch once it is durable.
        """
        batch = [records] if isinstance(records, Mapping) else list(records)
        parties = self.parties()
        reg = parties.get(key.name)
        if reg is None or reg.public_key != key.public.public_key or reg.role != key.role:
            raise InputError(
                f"the key of party {key.name!r} ({key.role}) is not registered in this ledger",
                source=source,
                field="key",
            )
        from cvid.ledger.records import CheckedRecord, record_bytes, sign_record

        checked = []
        for n, record in enumerate(batch, 1):
            signed = sign_record(record, key, source=_label(source, n))
            checked.append(
                CheckedRecord(str(signed["kind"]), key.name, key.role, record_bytes(signed))
            )
        return self._commit(checked, batch_size, on_commit, parties)

    def submit(
        self,
        signed: Mapping[str, Any] | Iterable[Mapping[str, Any]],
        *,
        batch_size: int = DEFAULT_BATCH,
        source: str | None = None,
        on_commit: Callable[[list[int]], None] | None = None,
    ) -> list[int]:
        """Append records already signed by their parties (see :func:`sign_record`).

        Each signature is verified against the registered key of its signer, whose role must
        be allowed for the kind; nothing is written unless every record passes.
        """
        from cvid.ledger.records import check_signed_all

        batch = [signed] if isinstance(signed, Mapping) else list(signed)

        def where(n: int) -> str:
            return _label(source, n)

        # the parties this handle read last (registered parties are never changed or removed
        # through the ledger); if a record fails against them they are read again and the
        # records checked again, and every append confirms, in its write transaction, that
        # its signers' rows are still these
        parties = self._party_cache
        if parties is None:
            checked = check_signed_all(batch, parties := self.parties(), source=where)
        else:
            try:
                checked = check_signed_all(batch, parties, source=where)
            except InputError:
                checked = check_signed_all(batch, parties := self.parties(), source=where)
        return self._commit(checked, batch_size, on_commit, parties)

    def _commit(
        self,
        checked: Sequence[CheckedRecord],
        batch_size: int,
        on_commit: Callable[[list[int]], None] | None,
        parties: Mapping[str, PartyPublicKey] | None = None,
    ) -> list[int]:
        """Append checked records in batches; with ``parties`` (what they were checked
        against) each batch first confirms its signers' rows are still those."""
        if self._log_key is None:
            where = self._log_key_path or f"--log-key or ${LOG_KEY_ENV}"
            raise InputError(f"appending needs the log's key ({where})", source=self.location.text)
        if batch_size < 1:
            raise InputError("batch size must be at least 1", field="batch_size")
        out: list[int] = []
        for start in range(0, len(checked), batch_size):
            indices = self._append_batch(checked[start : start + batch_size], parties)
            out.extend(indices)
            if on_commit is not None:
                on_commit(indices)
        return out

    def _append_batch(
        self, batch: Sequence[CheckedRecord], parties: Mapping[str, PartyPublicKey] | None
    ) -> list[int]:
        assert self._log_key is not None
        with self._guard(), write_tx(self._engine) as conn:
            raw = RawTx(conn)
            lock = "" if raw.sqlite else " FOR UPDATE"
            ((size, root),) = raw.rows(
                f"SELECT tree_size, root_hash FROM {head_t.name} WHERE id = 1{lock}"
            )
            size, root = int(size), bytes(root)
            self._check_pages(raw)
            if parties is not None:
                self._check_signers(raw, batch, parties)
            fetch = _fetcher(conn)
            # one snapshot (another thread may replace it); none on a handle's first append
            mine = self._state.signed if self._appended else None
            if mine is not None and (mine.size, mine.root) == (size, root):
                cr = CompactRange(size=mine.size, edge=list(mine.edge))
            else:
                cr = CompactRange.from_nodes(size, fetch)
            if cr.root() != root:
                raise CheckFailed(
                    f"{self.location.text}: the stored tree does not match its head (tree size "
                    f"{size}); refusing to sign; run `cvid ledger verify`"
                )
            seq = self._check_history(conn, size, root, fetch, mine, raw)
            leaves, node_rows = cr.extend_stored([rec.data for rec in batch])
            entry_rows = [
                (size + offset, lh, rec.kind, rec.signer, rec.data)
                for offset, (rec, lh) in enumerate(zip(batch, leaves, strict=True))
            ]
            raw.insert(entries_t, entry_rows)
            raw.insert(nodes_t, node_rows)
            new_size, new_root = cr.size, cr.root()
            raw.rows(
                f"UPDATE {head_t.name} SET tree_size = ?, root_hash = ? WHERE id = 1",
                (new_size, new_root),
            )
            cp = Checkpoint(self.origin, new_size, new_root, (f"{SEQ_LINE}{seq}",))
            note = sign_checkpoint(cp, self.origin, self._log_key.private_key)
            raw.insert(checkpoints_t, [(new_size, new_root, note, _now())])
        self._appended = True
        self._state.signed_here(_Signed(seq, new_size, new_root, note, tuple(cr.edge)))
        self._state.remember(note, cp)
        self._record_signed(seq, new_size, new_root, note)
        return list(range(size, new_size))

    def _check_signers(
        self, raw: RawTx, batch: Sequence[CheckedRecord], parties: Mapping[str, PartyPublicKey]
    ) -> None:
        """The signers of ``batch`` are still registered with the key and role their records
        were checked against (in the write transaction: nothing can change them before the
        commit)."""
        names = sorted({rec.signer for rec in batch})
        rows = raw.rows(
            f"SELECT name, role, public_key FROM {parties_t.name} "
            f"WHERE name IN ({', '.join('?' for _ in names)})",
            names,
        )
        now = {str(n): (str(r), bytes(k)) for n, r, k in rows}
        for name in names:
            party = parties[name]
            if now.get(name) != (party.role, party.public_key):
                self._party_cache = None
                raise CheckFailed(
                    f"{self.location.text}: party {name!r} is no longer registered with the "
                    "key and role its records were checked against (the parties table was "
                    "changed); refusing to sign"
                )

    def _check_pages(self, raw: RawTx) -> None:
        """:func:`check_sqlite_pages` before each write, the page size read once a handle (it
        cannot change while the file is in WAL mode) and the path resolved once."""
        loc = self.location
        if loc.sqlite_path is None:
            return
        if self._pages is None:
            ((page,),) = raw.rows("PRAGMA page_size")
            self._pages = (loc.sqlite_path.resolve(), int(page))
        path, page = self._pages
        check_sqlite_pages(None, loc, page_size=page, path=path)

    # ---------------------------------------------------------------- history checks
    @property
    def signed_state_path(self) -> Path | None:
        """The log signer's own record of the latest checkpoint it signed (beside its key:
        ``<log key>.signed``); an append refuses a database that no longer holds it."""
        return self._signed_path

    def _checked_row(self, row: Any) -> Checkpoint:
        """A stored checkpoint row whose note verifies with the log key and says what the row
        says, or :class:`CheckFailed`."""
        size, root, note = int(row[0]), bytes(row[1]), str(row[2])
        cp = self._state.verified.get(note)
        if cp is None:
            try:
                cp = verify_checkpoint(note, self.verifier_key, origin=self.origin)
            except NoteError as exc:
                raise CheckFailed(
                    f"{self.location.text}: the stored checkpoint of size {size} is not signed "
                    f"by this log ({exc}); refusing to sign"
                ) from None
            self._state.remember(note, cp)
        if cp.size != size or cp.root_hash != root:
            raise CheckFailed(
                f"{self.location.text}: the stored checkpoint row of size {size} does not match "
                "its signed note; refusing to sign"
            )
        return cp

    def _check_history(
        self,
        conn: Connection,
        size: int,
        root: bytes,
        fetch: Callable[[Sequence[NodeId]], list[bytes]],
        mine: _Signed | None,
        raw: RawTx | None = None,
    ) -> int:
        """Before signing: the stored tree must be the tree of the latest signed checkpoint,
        consistent with the one before it and with the last checkpoint this signer signed,
        and no checkpoint row may be missing. Returns the next checkpoint's sequence number.
        ``mine`` is the checkpoint this process signed last on this database (None on a
        handle's first append). O(log n) reads (plus one count of the checkpoint rows per
        handle)."""
        where = self.location.text
        rows = (raw or RawTx(conn)).rows(
            f"SELECT tree_size, root_hash, note FROM {checkpoints_t.name} "
            "ORDER BY tree_size DESC LIMIT 2"
        )
        if not rows:
            raise CheckFailed(f"{where}: the ledger has no signed checkpoint; refusing to sign")
        if mine is not None and self._own_latest(rows[0], size, root, mine):
            own_seq = mine.seq
            if len(rows) > 1:
                self._check_previous_seq(self._checked_row(rows[1]), own_seq, size)
            return own_seq + 1
        latest = self._checked_row(rows[0])
        if latest.size != size:
            how = "added" if size > latest.size else "removed"
            raise CheckFailed(
                f"{where}: the stored tree has {size} records but the latest signed checkpoint "
                f"is for {latest.size}: records were {how} behind the log's back; refusing to "
                "sign (run `cvid ledger verify`)"
            )
        if latest.root_hash != root:
            raise CheckFailed(
                f"{where}: the stored tree of {size} records has root {root.hex()}, not the root "
                f"{latest.root_hash.hex()} the log signed for that size: the records were "
                "rewritten; refusing to sign"
            )
        seq = checkpoint_seq(latest)
        if len(rows) > 1:
            prev = self._checked_row(rows[1])
            if seq is not None:
                self._check_previous_seq(prev, seq, size)
            self._check_consistent(
                conn,
                prev.size,
                prev.root_hash,
                size,
                root,
                fetch,
                f"the signed checkpoint of size {prev.size}",
            )
        count_since = None if mine is None else (mine.seq, mine.size, mine.root)
        if seq is None:  # a ledger written before sequence numbers
            total = conn.execute(select(func.count()).select_from(checkpoints_t)).scalar_one()
            self._check_signed_state(conn, size, root, fetch)
            return int(total)
        if count_since is None or count_since[0] > seq or count_since[1] > size:
            total = int(conn.execute(select(func.count()).select_from(checkpoints_t)).scalar_one())
            if total != seq + 1:
                raise CheckFailed(
                    f"{where}: the latest checkpoint is the log's number {seq} but {total} "
                    "checkpoints are stored: rows were deleted or inserted; refusing to sign"
                )
        else:
            t_seq, t_size, t_root = count_since
            newer = int(
                conn.execute(
                    select(func.count())
                    .select_from(checkpoints_t)
                    .where(checkpoints_t.c.tree_size > t_size)
                ).scalar_one()
            )
            if newer != seq - t_seq:
                raise CheckFailed(
                    f"{where}: {seq - t_seq} checkpoints were signed after size {t_size} but "
                    f"{newer} are stored: rows were deleted or inserted; refusing to sign"
                )
            self._check_consistent(
                conn, t_size, t_root, size, root, fetch, f"the checkpoint of size {t_size}"
            )
        self._check_signed_state(conn, size, root, fetch)
        return seq + 1

    def _check_previous_seq(self, prev: Checkpoint, seq: int, size: int) -> None:
        """The stored checkpoint below the latest (number ``seq``) must be number ``seq - 1``."""
        prev_seq = checkpoint_seq(prev)
        if prev_seq is not None and prev_seq != seq - 1:
            raise CheckFailed(
                f"{self.location.text}: signed checkpoints {prev_seq + 1}-{seq - 1} (between "
                f"tree sizes {prev.size} and {size}) are missing: rows were deleted; refusing "
                "to sign"
            )

    def _own_latest(self, row: Any, size: int, root: bytes, mine: _Signed) -> bool:
        """Whether nothing changed since this process's last append (``mine``): the stored
        head and the latest checkpoint row are byte for byte the ones it signed, no
        checkpoint row was added above it, and the signer's record beside the log key names
        the same checkpoint. Then everything the full check would prove was proved when it
        signed."""
        if (mine.size, mine.root) != (size, root):
            return False
        if (int(row[0]), bytes(row[1]), str(row[2])) != (size, root, mine.note):
            return False  # ``row`` is the stored checkpoint of the largest size
        return self._read_signed_state() in (None, (mine.seq, mine.size, mine.root))

    def _check_consistent(
        self,
        conn: Connection,
        old_size: int,
        old_root: bytes,
        size: int,
        root: bytes,
        fetch: Callable[[Sequence[NodeId]], list[bytes]],
        what: str,
    ) -> None:
        """The stored tree (``size``, ``root``) extends the tree (``old_size``, ``old_root``):
        an RFC 9162 consistency proof from stored nodes that must verify (O(log n) reads)."""
        if old_size == 0:
            ok = old_root == merkle.EMPTY_ROOT
            reason = "its root is not the empty-tree hash"
        else:
            try:
                proof = merkle.consistency_proof(old_size, size, fetch)
                merkle.verify_consistency(old_size, size, proof, old_root, root)
                ok, reason = True, ""
            except (merkle.ProofError, CheckFailed) as exc:
                ok, reason = False, str(exc)
        if not ok:
            raise CheckFailed(
                f"{self.location.text}: the stored tree of {size} records is not consistent "
                f"with {what} (root {old_root.hex()}): {reason}; history was rewritten; "
                "refusing to sign"
            )

    def _read_signed_state(self) -> tuple[int, int, bytes] | None:
        """The log signer's record of the latest checkpoint it signed: (seq, size, root), or
        None if there is none (no file, an empty or torn one, or one of another log)."""
        path = self.signed_state_path
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputError(
                f"the log signer's record of its last checkpoint is unreadable ({exc})",
                source=str(path),
            ) from None
        try:
            states = [
                (int(b["seq"]), int(b["tree_size"]), bytes.fromhex(b["root_hash"]))
                for b in self._signed_bodies(data)[1]
                if b is not None and b.get("origin") == self.origin
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"the log signer's record of its last checkpoint is unreadable ({exc})",
                source=str(path),
            ) from None
        return max(states, key=lambda s: s[1]) if states else None

    def _check_signed_state(
        self,
        conn: Connection,
        size: int,
        root: bytes,
        fetch: Callable[[Sequence[NodeId]], list[bytes]],
    ) -> None:
        state = self._read_signed_state()
        if state is None:
            return
        s_seq, s_size, s_root = state
        if s_size > size:
            raise CheckFailed(
                f"{self.location.text}: this log key signed a checkpoint of {s_size} records "
                f"(number {s_seq}, recorded in {self.signed_state_path}) but the database holds "
                f"only {size}: it was rolled back or restored from an old copy; signing now "
                "would give two checkpoints of one size with different roots; refusing to sign"
            )
        self._check_consistent(
            conn,
            s_size,
            s_root,
            size,
            root,
            fetch,
            f"the checkpoint of size {s_size} this log key signed (recorded in "
            f"{self.signed_state_path})",
        )

    def _signed_bodies(self, data: bytes) -> tuple[bool, list[Any]]:
        """:func:`_signed_bodies` of the signer's file, not parsed again when it is still
        byte for byte what this handle wrote last."""
        known = self._signed_file
        if known is not None and known[0] == data:
            return known[1][0], list(known[1][1])
        return _signed_bodies(data)

    def _record_signed(self, seq: int, size: int, root: bytes, note: str) -> None:
        """Remember the checkpoint just signed beside the log key (never lowering it).

        The file holds two fixed-size slots (:func:`_signed_slot`); this write overwrites, in
        place, the slot that does not hold the latest record, so a write cut short by a crash
        leaves the other one whole. No fsync and no rename (on ext4 a rename over a file
        forces its data to disk: milliseconds per append): the record is a lower bound (the
        database commit is the durable part), and a crash may leave it older, or empty, which
        counts as no record."""
        path = self.signed_state_path
        if path is None:
            return
        try:
            data = path.read_bytes()
            slotted, bodies = self._signed_bodies(data)
            mine = [
                (i, int(b["tree_size"]))
                for i, b in enumerate(bodies)
                if b is not None and b.get("origin") == self.origin
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            data, slotted, mine = b"", False, []
        if mine and max(s for _, s in mine) >= size:
            return
        body = {
            "origin": self.origin,
            "seq": seq,
            "tree_size": size,
            "root_hash": root.hex(),
            "checkpoint": note,
        }
        slot = _signed_slot(body)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            if slot is not None and slotted and len(data) == 2 * _SIGNED_SLOT:
                newest = max(mine, key=lambda m: m[1])[0] if mine else 1
                at = (1 - newest) * _SIGNED_SLOT
                fd = os.open(path, os.O_WRONLY)
                try:
                    os.pwrite(fd, slot, at)
                finally:
                    os.close(fd)
                after = data[:at] + slot + data[at + _SIGNED_SLOT :]
                bodies[1 - newest] = body
                self._signed_file = (after, (True, bodies))
                return
            # the first record, or one in the one-document format: write the whole file
            if slot is not None:
                content = slot + bytes(_SIGNED_SLOT)
            else:  # a record too long for a slot (a very long origin): one document
                content = json.dumps(body).encode() + b"\n"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, content)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            self._signed_file = (content, (True, [body, None])) if slot is not None else None
        except OSError:
            tmp.unlink(missing_ok=True)

    # ---------------------------------------------------------------- reading
    @property
    def size(self) -> int:
        """Number of records in the log."""
        with self._guard(), read_tx(self._engine) as conn:
            return _head(conn)[0]

    def root_hash(self, size: int | None = None) -> bytes:
        """Root hash of the tree of ``size`` records (default: all)."""
        with self._guard(), read_tx(self._engine) as conn:
            n, root = _head(conn)
            if size is None or size == n:
                return root
            _check_size(size, n, "tree size")
            return merkle.root_hash(size, _fetcher(conn))

    def get(self, index: int, *, verify: bool = True) -> Entry:
        """Record ``index`` (0-based), its signature checked unless ``verify`` is False."""
        with self._guard(), read_tx(self._engine) as conn:
            n, _ = _head(conn)
            if not 0 <= index < n:
                raise InputError(f"no record {index}; the log has {n} records", field="INDEX")
            parties = _parties(conn) if verify else {}
            rows = conn.execute(
                select(entries_t.c.idx, entries_t.c.data, entries_t.c.leaf_hash).where(
                    entries_t.c.idx == index
                )
            ).all()
        if not rows:
            raise CheckFailed(f"record {index}: missing from the database")
        return _entry(rows[0], parties, verify)

    def records(
        self, start: int = 0, stop: int | None = None, *, verify: bool = True, chunk: int = 2000
    ) -> Iterator[Entry]:
        """Records ``start`` ≤ index < ``stop`` in order, each checked unless ``verify`` is False
        (a record that fails its check raises :class:`CheckFailed` naming it)."""
        with self._guard(), read_tx(self._engine) as conn:
            n, _ = _head(conn)
            end = n if stop is None else min(stop, n)
            parties = _parties(conn) if verify else {}
        expect = max(start, 0)
        while expect < end:
            hi = min(expect + chunk, end)
            with self._guard(), read_tx(self._engine) as conn:
                rows = conn.execute(
                    select(entries_t.c.idx, entries_t.c.data, entries_t.c.leaf_hash)
                    .where(entries_t.c.idx >= expect, entries_t.c.idx < hi)
                    .order_by(entries_t.c.idx)
                ).all()
            for row in rows:
                if int(row[0]) != expect:
                    raise CheckFailed(f"record {expect}: missing from the database")
                yield _entry(row, parties, verify)
                expect += 1
            if expect < hi:
                raise CheckFailed(f"record {expect}: missing from the database")

    # ---------------------------------------------------------------- proofs and checkpoints
    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """Proof that record ``index`` is in the tree of ``size`` records (default: current)."""
        with self._guard(), read_tx(self._engine) as conn:
            n, head_root = _head(conn)
            size = n if size is None else int(size)
            _check_size(size, n, "tree size")
            if not 0 <= index < size:
                raise InputError(
                    f"record {index} is not in a tree of {size} records", field="INDEX"
                )
            ranges = merkle.inclusion_ranges(index, size)
            wanted: set[NodeId] = {(0, index)}
            for a, b in ranges:
                wanted.update(merkle.subtree_nodes(a, b))
            if size != n:
                wanted.update(merkle.subtree_nodes(0, size))
            fetch = _fetcher(conn, prefetch=wanted)
            proof = merkle.inclusion_proof(index, size, fetch)
            root = head_root if size == n else merkle.root_hash(size, fetch)
            leaf = fetch([(0, index)])[0]
        return InclusionProof(index, size, leaf, root, tuple(proof))

    def consistency_proof(self, old: int, new: int | None = None) -> ConsistencyProof:
        """Proof that the tree of ``new`` records (default: current) extends that of ``old``."""
        with self._guard(), read_tx(self._engine) as conn:
            n, head_root = _head(conn)
            new = n if new is None else int(new)
            _check_size(new, n, "new size")
            if not 1 <= old <= new:
                raise InputError(
                    f"old size {old} must be between 1 and the new size {new}", field="OLD"
                )
            wanted: set[NodeId] = set(merkle.subtree_nodes(0, old))
            if old != new:
                for a, b in merkle.consistency_ranges(old, new):
                    wanted.update(merkle.subtree_nodes(a, b))
            if new != n:
                wanted.update(merkle.subtree_nodes(0, new))
            fetch = _fetcher(conn, prefetch=wanted)
            proof = merkle.consistency_proof(old, new, fetch)
            old_root = merkle.root_hash(old, fetch)
            new_root = head_root if new == n else merkle.root_hash(new, fetch)
        return ConsistencyProof(old, new, old_root, new_root, tuple(proof))

    def checkpoint(self, *, cosigned: bool = True) -> str:
        """The latest checkpoint: a C2SP signed note over origin, tree size and root hash,
        with the witnesses' cosignature lines stored for it unless ``cosigned`` is False."""
        with self._guard(), read_tx(self._engine) as conn:
            size, note = _latest_checkpoint(conn)
            lines = _cosignature_lines(conn, size) if cosigned else []
        return note + "".join(ln + "\n" for ln in lines)

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every stored checkpoint as (tree size, signed note), oldest first."""
        with self._guard(), read_tx(self._engine) as conn:
            rows = conn.execute(
                select(checkpoints_t.c.tree_size, checkpoints_t.c.note).order_by(
                    checkpoints_t.c.tree_size
                )
            ).all()
        return [(int(s), str(n)) for s, n in rows]

    def cosignatures(self, size: int | None = None) -> list[dict[str, Any]]:
        """The witnesses' cosignatures stored for the checkpoint of ``size`` (default: the
        latest): ``{"witness", "key_id", "timestamp", "vkey", "line"}`` each."""
        with self._guard(), read_tx(self._engine) as conn:
            if size is None:
                size = _head(conn)[0]
            rows = conn.execute(
                select(
                    cosignatures_t.c.witness,
                    cosignatures_t.c.key_id,
                    cosignatures_t.c.timestamp,
                    cosignatures_t.c.line,
                    cosignatures_t.c.vkey,
                )
                .where(cosignatures_t.c.tree_size == size)
                .order_by(cosignatures_t.c.witness)
            ).all()
        return [
            {"witness": w, "key_id": k, "timestamp": int(t), "line": ln, "vkey": v}
            for w, k, t, ln, v in rows
        ]

    def witnessed_checkpoint(self) -> str | None:
        """The largest stored checkpoint that has at least one cosignature, with its
        cosignature lines (None if no witness cosigned any)."""
        with self._guard(), read_tx(self._engine) as conn:
            top = conn.execute(select(func.max(cosignatures_t.c.tree_size))).scalar_one()
            if top is None:
                return None
            note = conn.execute(
                select(checkpoints_t.c.note).where(checkpoints_t.c.tree_size == int(top))
            ).scalar_one_or_none()
            if note is None:
                return None
            lines = _cosignature_lines(conn, int(top))
        return str(note) + "".join(ln + "\n" for ln in lines)

    def witness_view(self) -> dict[str, Any]:
        """The latest checkpoint with its cosignatures, and the largest checkpoint that any
        witness cosigned, read in one snapshot (what the service serves)::

            {"note", "tree_size", "cosignatures": [...],
             "witnessed": {"note", "tree_size", "cosignatures": [...]} or None}

        ``note`` includes the cosignature lines; each cosignature is ``{"witness", "key_id",
        "timestamp", "vkey", "line"}`` (the vkey is the one it verified with when stored).
        """
        with self._guard(), read_tx(self._engine) as conn:
            latest = _with_cosignatures(conn, *_latest_checkpoint(conn))
            top = conn.execute(select(func.max(cosignatures_t.c.tree_size))).scalar_one()
            witnessed = None
            if top is not None:
                note = conn.execute(
                    select(checkpoints_t.c.note).where(checkpoints_t.c.tree_size == int(top))
                ).scalar_one_or_none()
                if note is not None:
                    witnessed = _with_cosignatures(conn, int(top), str(note))
        return {**latest, "witnessed": witnessed}

    def add_cosignature(self, note: str, witness_vkey: str) -> int:
        """Store the cosignature by ``witness_vkey`` found in ``note`` (a cosigned checkpoint of
        this log); the tree size it is for. The checkpoint must be one the ledger stores and
        the cosignature must verify (C2SP tlog-cosignature); storing it again changes nothing.
        """
        from cvid.ledger.witness import find_cosignature

        try:
            body, _ = split_note(note)
            cp = verify_checkpoint(note, self.verifier_key, origin=self.origin)
            cos = find_cosignature(note, witness_vkey)
        except NoteError as exc:
            raise InputError(f"cosigned checkpoint: {exc}", field="checkpoint") from None
        if cos is None:
            raise InputError(
                f"the checkpoint carries no cosignature by {witness_vkey}", field="checkpoint"
            )
        with self._guard(), write_tx(self._engine) as conn:
            stored = conn.execute(
                select(checkpoints_t.c.note).where(checkpoints_t.c.tree_size == cp.size)
            ).scalar_one_or_none()
            if stored is None or split_note(str(stored))[0] != body:
                raise CheckFailed(
                    f"{self.location.text}: the cosigned checkpoint of size {cp.size} is not the "
                    "one this ledger stores for that size (split view?)"
                )
            exists = conn.execute(
                select(cosignatures_t.c.line).where(
                    cosignatures_t.c.tree_size == cp.size,
                    cosignatures_t.c.witness == cos.witness,
                    cosignatures_t.c.key_id == cos.key_id.hex(),
                )
            ).first()
            if exists is None:
                conn.execute(
                    insert(cosignatures_t).values(
                        tree_size=cp.size,
                        witness=cos.witness,
                        key_id=cos.key_id.hex(),
                        timestamp=cos.timestamp,
                        line=cos.line,
                        vkey=witness_vkey,
                        added=_now(),
                    )
                )
        return cp.size

    # ---------------------------------------------------------------- audit and export
    def audit(
        self,
        *,
        known_checkpoints: Iterable[str] = (),
        witnesses: Sequence[str] = (),
        quorum: int | None = None,
    ) -> AuditReport:
        """Recompute every hash, check every signature, node and checkpoint; see the report.

        All of it reads one snapshot (one read transaction). Each of ``known_checkpoints``
        (signed notes kept from earlier) must verify and be consistent with the tree. With
        ``witnesses`` (C2SP cosignature/v1 verifier keys), a stored checkpoint must carry valid
        cosignatures by ``quorum`` of them (default: all); the largest such is the report's
        ``witnessed_size``.
        """
        from cvid.ledger.audit import audit_database

        known = _known_roots(known_checkpoints, self.verifier_key, self.origin)
        if witnesses and quorum is None:
            quorum = len(set(witnesses))
        with self._guard(), read_tx(self._engine) as conn:
            return audit_database(
                conn,
                self.location.text,
                self.origin,
                self.log_public_key,
                known=known,
                witnesses=tuple(witnesses),
                quorum=quorum,
            )

    def export(self, out: Path) -> Path:
        """Write a bundle (records, latest checkpoint, public keys) for offline verification."""
        from cvid.ledger.bundle import write_bundle

        with self._guard(), read_tx(self._engine) as conn:
            return write_bundle(conn, out, self.origin, self.verifier_key)

    # ---------------------------------------------------------------- helpers
    def _guard(self) -> AbstractContextManager[None]:
        return _db_guard(self.location.text)


@contextmanager
def _db_guard(source: str) -> Iterator[None]:
    """Turn database errors into cvid errors that name the ledger."""
    try:
        yield
    except IntegrityError as exc:
        raise CheckFailed(f"{source}: the database refused the write ({_db_reason(exc)})") from None
    except SQLAlchemyError as exc:
        raise InputError(
            f"database error, the ledger may be damaged ({_db_reason(exc)})", source=source
        ) from None


def _db_reason(exc: SQLAlchemyError) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip().splitlines()[0]
    return str(exc).strip().splitlines()[0]


def _has_tables(conn: Connection) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(conn).has_table(meta_t.name))


def _latest_checkpoint(conn: Connection) -> tuple[int, str]:
    """(tree size, signed note) of the largest stored checkpoint, or CheckFailed."""
    row = conn.execute(
        select(checkpoints_t.c.tree_size, checkpoints_t.c.note)
        .order_by(checkpoints_t.c.tree_size.desc())
        .limit(1)
    ).first()
    if row is None:
        raise CheckFailed("the ledger has no checkpoint")
    return int(row[0]), str(row[1])


def _with_cosignatures(conn: Connection, size: int, note: str) -> dict[str, Any]:
    rows = conn.execute(
        select(
            cosignatures_t.c.witness,
            cosignatures_t.c.key_id,
            cosignatures_t.c.timestamp,
            cosignatures_t.c.vkey,
            cosignatures_t.c.line,
        )
        .where(cosignatures_t.c.tree_size == size)
        .order_by(cosignatures_t.c.witness, cosignatures_t.c.key_id)
    ).all()
    cos: list[dict[str, Any]] = [
        {"witness": str(w), "key_id": str(k), "timestamp": int(t), "vkey": str(v), "line": str(ln)}
        for w, k, t, v, ln in rows
    ]
    full = note + "".join(c["line"] + "\n" for c in cos)
    return {"note": full, "tree_size": size, "cosignatures": cos}


def _cosignature_lines(conn: Connection, size: int) -> list[str]:
    rows = conn.execute(
        select(cosignatures_t.c.line)
        .where(cosignatures_t.c.tree_size == size)
        .order_by(cosignatures_t.c.witness, cosignatures_t.c.key_id)
    )
    return [str(ln) for (ln,) in rows]


def _known_roots(notes: Iterable[str], vkey: str, origin: str) -> dict[int, tuple[str, bytes]]:
    """Checkpoints a verifier kept: {size: (label, root)}; one that does not verify with the
    log key is bad input (it proves nothing about this log)."""
    known: dict[int, tuple[str, bytes]] = {}
    for n, note in enumerate(notes, 1):
        try:
            cp = verify_checkpoint(note, vkey, origin=origin)
        except NoteError as exc:
            raise InputError(
                f"does not verify with this log's key: {exc}", source=f"known checkpoint {n}"
            ) from None
        label = f"known checkpoint {n} (size {cp.size})"
        if cp.size in known and known[cp.size][1] != cp.root_hash:
            raise CheckFailed(
                f"{label} and {known[cp.size][0]} are both signed by the log for size "
                f"{cp.size} with different roots: the log showed a split view"
            )
        known[cp.size] = (label, cp.root_hash)
    return known


def _head(conn: Connection, *, lock: bool = False) -> tuple[int, bytes]:
    q = select(head_t.c.tree_size, head_t.c.root_hash).where(head_t.c.id == 1)
    if lock:
        q = q.with_for_update()
    row = conn.execute(q).one()
    return int(row[0]), bytes(row[1])


def _check_size(size: int, n: int, what: str) -> None:
    if size < 1:
        raise InputError(f"{what} must be at least 1, not {size}", field="--size")
    if size > n:
        raise InputError(f"{what} {size} is beyond the log (it has {n} records)", field="--size")


def _parties(conn: Connection) -> dict[str, PartyPublicKey]:
    rows = conn.execute(select(parties_t.c.name, parties_t.c.role, parties_t.c.public_key))
    return {str(n): PartyPublicKey(str(n), str(r), bytes(k)) for n, r, k in rows}


def _fetcher(
    conn: Connection, prefetch: Iterable[NodeId] = ()
) -> Callable[[Sequence[NodeId]], list[bytes]]:
    cache = fetch_nodes(conn, list(prefetch))

    def fetch(ids: Sequence[NodeId]) -> list[bytes]:
        missing = [i for i in ids if i not in cache]
        if missing:
            cache.update(fetch_nodes(conn, missing))
        out = []
        for level, index in ids:
            h = cache.get((level, index))
            if h is None:
                what = f"record {index}" if level == 0 else f"tree node level {level} index {index}"
                raise CheckFailed(f"{what}: missing from the database")
            out.append(h)
        return out

    return fetch


def _entry(row: Any, parties: Mapping[str, PartyPublicKey], verify: bool) -> Entry:
    index, data, stored_leaf = int(row[0]), bytes(row[1]), bytes(row[2])
    if not verify:
        return Entry.from_data(index, data, stored_leaf, verified=False)
    from cvid.ledger.records import check_signed  # the record models: only when verifying

    where = f"record {index}"
    if leaf_hash(data) != stored_leaf:
        raise CheckFailed(f"{where}: data does not match its stored leaf hash")
    try:
        entry = Entry.from_data(index, data, stored_leaf, verified=True)
        check_signed(entry.record, parties, source=where)
    except (InputError, ValueError) as exc:
        raise CheckFailed(f"{exc}") from None
    return entry
