"""API tokens (stored only as SHA-256 hashes), the roles' rights, the failed-login limiter,
browser sessions (separate from tokens), the audit rate limit on unauthenticated traffic,
trusted-proxy client addresses and the redaction of secrets from responses and logs."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
import traceback
import urllib.parse
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cvid.errors import InputError

TOKEN_PREFIX = "cvid_"
ROLES = ("inspectorate", "state", "observer", "admin")

#: Who may do each write (reads are open to every authenticated party). The ledger's own
#: table :data:`cvid.ledger.KIND_SIGNERS` further decides which kinds a party may append.
RIGHTS: dict[str, frozenset[str]] = {
    "parties.write": frozenset({"admin"}),
    "scenarios.write": frozenset({"admin", "inspectorate"}),
    "assessments.write": frozenset({"admin", "inspectorate", "state", "observer"}),
    "simulations.write": frozenset({"admin", "inspectorate", "observer"}),
    "ledger.append": frozenset({"admin", "inspectorate", "state", "observer"}),
    "audit.read": frozenset({"admin", "observer"}),
}


def new_token() -> str:
    """A fresh API token: the prefix and 32 random bytes (URL-safe base64)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a token: the only form in which tokens are stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode(), b.encode())


def csrf_token(token: str) -> str:
    """The anti-forgery value a page form carries: derived from the session's token, so a
    page of another site cannot know it."""
    return hashlib.sha256(b"cvid-csrf\n" + token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Caller:
    """The authenticated party behind a request."""

    name: str
    role: str
    public_key: str | None

    def may(self, right: str) -> bool:
        """True if this party's role has ``right`` (see :data:`RIGHTS`)."""
        return self.role in RIGHTS[right]


class FailedLoginLimiter:
    """Counts failed token checks per client address in a sliding window; once a client has
    ``limit`` failures within ``window`` seconds it is refused (HTTP 429) until the oldest
    failure leaves the window."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, client: str, now: float) -> deque[float]:
        q = self._failures.setdefault(client, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, client: str) -> float:
        """Seconds the client must wait, or 0 if it may try now."""
        now = time.monotonic()
        with self._lock:
            q = self._prune(client, now)
            if len(q) < self.limit:
                return 0.0
            return max(q[0] + self.window - now, 0.001)

    def fail(self, client: str) -> None:
        """Record one failed attempt."""
        now = time.monotonic()
        with self._lock:
            self._prune(client, now).append(now)
            if len(self._failures) > 10_000:  # forget idle clients
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]


# ---------------------------------------------------------------------- secrets out of sight
REDACTED = "***"


def url_password(url: str) -> str | None:
    """The password in a database URL (``scheme://user:PASSWORD@host/...``), or None."""
    if "://" not in url:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return None
    return password or None


def redact_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``: the only form in which a
    database URL is shown, logged or stored."""
    password = url_password(url)
    if password is None:
        return url
    scheme, rest = url.split("://", 1)
    userinfo, at, host = rest.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:{REDACTED}{at}{host}"


class Redactor:
    """Replaces every occurrence of the process's secrets (as written and percent-decoded)
    in text and in JSON-like values."""

    def __init__(self, secrets_: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for s in secrets_:
            self.add(s)

    def add(self, secret: str | None) -> None:
        """Hide ``secret`` (and its percent-decoded and -encoded forms) from now on."""
        if not secret or len(secret) < 3:  # too short to redact without mangling text
            return
        forms = {secret, urllib.parse.unquote(secret), urllib.parse.quote(secret, safe="")}
        with self._lock:
            self._secrets |= {f for f in forms if len(f) >= 3}

    def add_url(self, url: str) -> None:
        """Hide the password of a database URL."""
        self.add(url_password(url))

    @property
    def active(self) -> bool:
        return bool(self._secrets)

    def text(self, value: str) -> str:
        """``value`` with every secret replaced by ``***``."""
        for s in sorted(self._secrets, key=len, reverse=True):
            if s in value:
                value = value.replace(s, REDACTED)
        return value

    def json(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string redacted."""
        if not self._secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value


#: The secrets of every service started in this process (database passwords); every log record
#: made in this process is redacted with it once :func:`redact_logs` has run.
SECRETS = Redactor()
_factory_installed = False


def redact_logs() -> None:
    """Redact :data:`SECRETS` from every log record of this process (message, arguments and
    traceback), whichever logger or handler it goes to."""
    global _factory_installed
    with SECRETS._lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not SECRETS.active:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return record
        record.msg, record.args = SECRETS.text(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = SECRETS.text(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            )
        return record

    logging.setLogRecordFactory(factory)


# ---------------------------------------------------------------------- client addresses
def parse_trusted(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Trusted proxy addresses or networks (``127.0.0.1``, ``10.0.0.0/8``); bad input is an
    :class:`~cvid.errors.InputError` naming ``--trusted-proxy``."""
    out = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            raise InputError(
                f"{v!r} is not an IP address or network", field="--trusted-proxy"
            ) from None
    return out


def _is_in(address: str, nets: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def forwarded_client(
    peer: str,
    forwarded_for: str | None,
    forwarded_proto: str | None,
    trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> tuple[str, str | None]:
    """The client address and scheme (or None: as connected) of a request.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` count only when the peer is a trusted
    proxy; then the client is the right-most forwarded address that is not itself a trusted
    proxy (addresses further left were written by the client and can be forged)."""
    if not trusted or not _is_in(peer, trusted):
        return peer, None
    client = peer
    if forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            client = hop
            if not _is_in(hop, trusted):
                break
        try:
            client = str(ipaddress.ip_address(client))
        except ValueError:
            client = peer  # junk in the header: keep the proxy's address
    proto = None
    if forwarded_proto:
        p = forwarded_proto.split(",")[0].strip().lower()
        proto = p if p in ("http", "https") else None
    return client, proto


# ---------------------------------------------------------------------- audit rate limit
@dataclass
class _Bucket:
    tokens: float
    stamp: float
    window_start: float = 0.0
    suppressed: int = 0
    first_path: str = ""


class AuditLimiter:
    """A token bucket per client address for audit rows of unauthenticated requests: a
    client may add ``burst`` rows at once and ``rate`` rows a second after that; beyond it
    its requests are counted, and one summary row per ``window`` seconds says how many were
    not logged one by one. A global bucket (``burst``×``clients_factor``) caps the total
    over all addresses, so spreading a flood over many addresses does not help."""

    def __init__(
        self, rate: float = 1.0, burst: float = 20.0, window: float = 60.0, global_factor: int = 10
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.window = window
        self._buckets: dict[str, _Bucket] = {}
        self._global = _Bucket(burst * global_factor, time.monotonic())
        self._global_rate = rate * global_factor
        self._global_burst = burst * global_factor
        self._lock = threading.Lock()

    def _take(self, b: _Bucket, rate: float, burst: float, now: float) -> bool:
        b.tokens = min(burst, b.tokens + (now - b.stamp) * rate)
        b.stamp = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return True
        return False

    def allow(self, client: str, path: str = "") -> bool:
        """True if an audit row for this unauthenticated request may be written now; else
        the request is counted for the client's summary row."""
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                if len(self._buckets) >= 100_000:  # forget full, quiet buckets
                    for k in [k for k, v in self._buckets.items() if not v.suppressed][:50_000]:
                        del self._buckets[k]
                b = self._buckets[client] = _Bucket(self.burst, now)
            if self._take(b, self.rate, self.burst, now) and self._take(
                self._global, self._global_rate, self._global_burst, now
            ):
                return True
            if not b.suppressed:
                b.window_start = now
                b.first_path = path
            b.suppressed += 1
            return False

    def due(self, *, all_: bool = False) -> list[tuple[str, int, float, str]]:
        """Summaries whose window has ended (or all, at shutdown): (client, count, seconds,
        first path), each returned once."""
        now = time.monotonic()
        out = []
        with self._lock:
            for client, b in self._buckets.items():
                if b.suppressed and (all_ or now - b.window_start >= self.window):
                    out.append((client, b.suppressed, now - b.window_start, b.first_path))
                    b.suppressed = 0
        return out


# ---------------------------------------------------------------------- browser sessions
@dataclass
class Session:
    """A browser session: who, the anti-forgery token of its forms, when it was made and
    last used (monotonic seconds)."""

    caller: Caller
    csrf: str
    created: float
    seen: float


class Sessions:
    """Server-side browser sessions. The cookie holds a random session id (never an API
    token); the table keeps only its SHA-256. A session ends after ``idle`` seconds without
    use, ``absolute`` seconds after login, at logout, or when the party's token is replaced."""

    def __init__(self, idle: float = 1800.0, absolute: float = 12 * 3600.0) -> None:
        self.idle = idle
        self.absolute = absolute
        self._table: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, caller: Caller) -> tuple[str, Session]:
        """A new session for ``caller``: its id (for the cookie, shown only here) and record."""
        sid = secrets.token_urlsafe(32)
        t = time.monotonic()
        s = Session(caller, secrets.token_hex(32), t, t)
        with self._lock:
            if len(self._table) > 50_000:
                self._expire(t)
            self._table[token_hash(sid)] = s
        return sid, s

    def _expire(self, t: float) -> None:
        for k in [k for k, s in self._table.items() if not self._alive(s, t)]:
            del self._table[k]

    def _alive(self, s: Session, t: float) -> bool:
        return t - s.seen < self.idle and t - s.created < self.absolute

    def get(self, sid: str) -> Session | None:
        """The live session of ``sid`` (its idle clock restarts), or None."""
        if not sid or len(sid) > 100:
            return None
        h = token_hash(sid)
        t = time.monotonic()
        with self._lock:
            s = self._table.get(h)
            if s is None:
                return None
            if not self._alive(s, t):
                del self._table[h]
                return None
            s.seen = t
            return s

    def revoke(self, sid: str) -> bool:
        """End one session; True if it was live."""
        with self._lock:
            return self._table.pop(token_hash(sid), None) is not None

    def revoke_party(self, name: str) -> int:
        """End every session of a party (its token was replaced or its key registered)."""
        with self._lock:
            gone = [k for k, s in self._table.items() if s.caller.name == name]
            for k in gone:
                del self._table[k]
        return len(gone)

    def refresh_party(self, caller: Caller) -> None:
        """Update the party details held by its sessions."""
        with self._lock:
            for s in self._table.values():
                if s.caller.name == caller.name:
                    s.caller = caller


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
