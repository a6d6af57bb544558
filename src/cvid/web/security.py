"""API tokens (stored only as SHA-256 hashes), the roles' rights, and the failed-login limiter."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

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
