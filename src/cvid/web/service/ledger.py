"""Ledger access: a few threads that each own a handle on the ledger (SQLite connections may
only be used by the thread that made them), appends by the caller's own key, and the
witnesses' cosignatures with the detection of split views."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from cvid.errors import CheckFailed, InputError
from cvid.ledger import KIND_SIGNERS, Ledger
from cvid.web.security import Caller
from cvid.web.service.base import ServiceBase
from cvid.web.service.errors import Forbidden, SplitViewFound, require

#: Threads that each own a handle on the ledger.
LEDGER_THREADS = 4
T = TypeVar("T")


class LedgerAccess(ServiceBase):
    """The ledger of the service, its lanes (thread and handle) and its witness policy."""

    #: The witness policy: C2SP cosignature/v1 verifier keys of the witnesses whose
    #: cosignatures count, and how many of them must cosign (default: all). Empty: the
    #: dashboard follows the witnesses that have cosigned this log, without a quorum.
    witnesses: tuple[str, ...] = ()
    quorum: int | None = None

    def _open_lanes(self, log_key: Path | None) -> None:
        """Open :data:`LEDGER_THREADS` handles on the ledger, each on its own thread; ledger
        calls are spread over them (appends are serialized by the database's write lock)."""
        self._lanes: list[tuple[ThreadPoolExecutor, Ledger]] = []
        for n in range(LEDGER_THREADS):
            lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cvid-ledger-{n}")
            self._lanes.append(
                (lane, lane.submit(Ledger.open, self.url.text, log_key=log_key).result())
            )
        self._next_lane = itertools.count()
        self._proxy = _LedgerProxy(self._lane)

    def _close_lanes(self) -> None:
        for lane, led in self._lanes:
            lane.submit(led.close).result()
            lane.shutdown(wait=True)

    def _lane(self) -> tuple[ThreadPoolExecutor, Ledger]:
        return self._lanes[next(self._next_lane) % len(self._lanes)]

    @property
    def ledger(self) -> Ledger:
        """The ledger; each call runs on the ledger's own thread (iterators come as lists)."""
        return cast(Ledger, self._proxy)

    async def aon_ledger(self, fn: Callable[[Ledger], T]) -> T:
        """Await ``fn(ledger)`` run on a ledger thread (from the event loop, no extra hop)."""
        lane, led = self._lane()
        return await asyncio.wrap_future(lane.submit(fn, led))

    def on_ledger(self, fn: Callable[[Ledger], T]) -> T:
        """Run ``fn(ledger)`` on the ledger's thread (one hop for several reads)."""
        lane, led = self._lane()
        return lane.submit(fn, led).result()

    # ------------------------------------------------------------------ ledger
    def append(self, records: Sequence[Any], caller: Caller) -> list[int]:
        """Append records signed by the caller's own key; the role rules of the ledger hold.

        Refused with :class:`Forbidden` if a record is signed by another party or is of a kind
        the caller's role may not sign; with :class:`InputError` if a record is malformed or
        its signature does not verify. Nothing is written unless every record passes.
        """
        require(caller, "ledger.append", "append to the ledger")
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


__all__ = ["LEDGER_THREADS", "LedgerAccess"]
