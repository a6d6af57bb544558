"""``/me`` and ``/parties``: who the caller is; the parties, their tokens and keys (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from cvid.ledger import KIND_SIGNERS
from cvid.web.models import KeyIn, MeOut, NewPartyOut, PartyIn, PartyOut, TokenOut
from cvid.web.routes.deps import Svc, Who
from cvid.web.security import RIGHTS
from cvid.web.service import Forbidden

router = APIRouter(tags=["parties"])
Name = Annotated[str, Path(max_length=64)]


@router.get("/me", response_model=MeOut)
def me(who: Who) -> MeOut:
    """Who the token belongs to and what its role may do."""
    return MeOut(
        name=who.name,
        role=who.role,
        public_key=who.public_key,
        rights=sorted(k for k, v in RIGHTS.items() if who.role in v),
        may_sign=sorted(k for k, v in KIND_SIGNERS.items() if who.role in v),
    )


@router.get("/parties", response_model=list[PartyOut])
def list_parties(svc: Svc) -> list[PartyOut]:
    """Every party: name, role, public key (tokens are never shown)."""
    return [PartyOut.model_validate(p) for p in svc.store.parties()]


@router.post("/parties", status_code=201, response_model=NewPartyOut)
def create_party(body: PartyIn, svc: Svc, who: Who, request: Request) -> NewPartyOut:
    """Create a party (admin only). The token is in this response only; keep it."""
    if not who.may("parties.write"):
        raise Forbidden(f"a {who.role} may not create parties")
    party, token = svc.add_party(body.name, body.role, body.public_key, who.name)
    request.state.audit = f"created party {body.name} ({body.role})"
    return NewPartyOut.model_validate({**party, "token": token})


@router.post("/parties/{name}/token", response_model=TokenOut)
def rotate_token(name: Name, svc: Svc, who: Who, request: Request) -> TokenOut:
    """Replace a party's token (admin only); the old token stops working."""
    if not who.may("parties.write"):
        raise Forbidden(f"a {who.role} may not issue tokens")
    token = svc.rotate_token(name)
    request.state.audit = f"new token for {name}"
    return TokenOut(name=name, token=token)


@router.post("/parties/{name}/key", response_model=PartyOut)
def register_key(name: Name, body: KeyIn, svc: Svc, who: Who, request: Request) -> PartyOut:
    """Register the Ed25519 public key of a party that has none yet (admin only), in the
    service and in the ledger under the party's name and role."""
    if not who.may("parties.write"):
        raise Forbidden(f"a {who.role} may not register keys")
    party = svc.register_key(name, body.public_key)
    request.state.audit = f"registered the key of {name}"
    return PartyOut.model_validate(party)
