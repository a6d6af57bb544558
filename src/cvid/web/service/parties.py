"""Parties and their API tokens (stored hashed, remembered a few seconds by hash) and keys
(registered in the ledger under the party's name and role)."""

from __future__ import annotations

import threading
import time
from typing import Any

from cvid.errors import InputError
from cvid.ledger import PartyPublicKey
from cvid.web.security import ROLES, Caller, new_token, same_hash, token_hash
from cvid.web.service.errors import NotFound
from cvid.web.service.ledger import LedgerAccess

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
#: How long a checked token is remembered (seconds) by this process.
TOKEN_CACHE_SECONDS = 5.0


def check_name(name: str) -> str:
    """A party name: 1-64 of a-z 0-9 . _ - starting with a letter or digit (as the ledger)."""
    if not (1 <= len(name) <= 64) or not set(name) <= _NAME_CHARS or name[0] in "._-":
        raise InputError(
            "a party name is 1-64 characters a-z 0-9 . _ - starting with a letter or digit",
            field="name",
        )
    return name


class Parties(LedgerAccess):
    """Create parties, check, rotate and revoke their tokens, register their keys."""

    def _init_parties(self) -> None:
        self._token_lock = threading.Lock()
        self._token_cache: dict[str, tuple[Caller, float]] = {}

    def _forget_tokens(self, name: str) -> None:
        """Drop the remembered tokens of party ``name`` (its token or key changed)."""
        with self._token_lock:
            for h in [h for h, (who, _) in self._token_cache.items() if who.name == name]:
                del self._token_cache[h]

    def cached_caller(self, token: str) -> Caller | None:
        """The party of a token checked in the last :data:`TOKEN_CACHE_SECONDS`, or None
        (no database access: safe to call from the event loop)."""
        hit = self._token_cache.get(token_hash(token))
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        return None

    def authenticate(self, token: str) -> Caller | None:
        """The party holding ``token``, or None.

        Known tokens are remembered for :data:`TOKEN_CACHE_SECONDS` (by hash) so that reads
        do not query the party table each time; a rotated token is forgotten at once.
        """
        h = token_hash(token)
        t = time.monotonic()
        hit = self._token_cache.get(h)
        if hit is not None and hit[1] > t:
            return hit[0]
        row = self.store.party_by_token(h)
        if row is None or not same_hash(row["token_sha256"], h):
            return None
        who = Caller(row["name"], row["role"], row["public_key"])
        with self._token_lock:
            if len(self._token_cache) > 10_000:
                self._token_cache.clear()
            self._token_cache[h] = (who, t + TOKEN_CACHE_SECONDS)
        return who

    def add_party(
        self, name: str, role: str, public_key: str | None, by: str
    ) -> tuple[dict[str, Any], str]:
        """Create a party with a new token (returned once, stored hashed); if a public key is
        given it is registered in the ledger under the same name and role."""
        check_name(name)
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
        if any(p["name"] == name for p in self.store.parties()):
            raise InputError(f"party {name!r} already exists", field="name")
        if public_key is not None:  # the ledger refuses a name or key taken by another party
            self.ledger.register(PartyPublicKey(name, role, _public_key_bytes(public_key)))
        token = new_token()
        party = self.store.add_party(name, role, token_hash(token), public_key, by)
        return party, token

    def register_key(self, name: str, public_key: str) -> dict[str, Any]:
        """Give a party without a key its Ed25519 public key (service and ledger)."""
        party = next((p for p in self.store.parties() if p["name"] == name), None)
        if party is None:
            raise NotFound(f"no party {name!r}")
        if party["public_key"] is not None:
            raise InputError(
                f"party {name!r} already has a key; create a new party for a new key",
                field="public_key",
            )
        raw = _public_key_bytes(public_key)
        self.ledger.register(PartyPublicKey(name, party["role"], raw))
        self.store.set_public_key(name, public_key)
        self.sessions.refresh_party(Caller(name, party["role"], public_key))
        self._forget_tokens(name)
        return {**party, "public_key": public_key}

    def rotate_token(self, name: str) -> str:
        """Give a party a new token; the old one stops working at once."""
        token = new_token()
        if not self.store.set_token(name, token_hash(token)):
            raise NotFound(f"no party {name!r}")
        self.sessions.revoke_party(name)  # a replaced token also ends the party's sessions
        self._forget_tokens(name)
        return token

    def revoke_token(self, name: str) -> None:
        """Revoke a party's token: it stops working at once and no token replaces it until
        :meth:`rotate_token` issues a new one (the party and its ledger key stay)."""
        import secrets

        from cvid.web.store import REVOKED_PREFIX

        dead = REVOKED_PREFIX + secrets.token_hex(28)
        if not self.store.set_token(name, dead):
            raise NotFound(f"no party {name!r}")
        self._forget_tokens(name)

    def ensure_admin(self, name: str = "admin") -> str | None:
        """If the service has no admin yet, create one and return its token (else None)."""
        if self.store.count_role("admin"):
            return None
        return self.add_party(name, "admin", None, "cvid serve")[1]


def _public_key_bytes(text: str) -> bytes:
    import base64
    import binascii

    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("not valid base64", field="public_key") from None
    if len(raw) != 32:
        raise InputError(
            "an Ed25519 public key is 32 bytes (44 base64 characters)", field="public_key"
        )
    return raw


__all__ = ["TOKEN_CACHE_SECONDS", "Parties", "check_name"]
