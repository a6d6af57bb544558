"""What the API's routes share: the service and the caller of a request, and the bounds of
path and query numbers (row ids, record indices)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from cvid.web.security import Caller
from cvid.web.service import Service

#: Largest record index or tree size a request may name (2**53: exact in every JSON reader).
MAX_INDEX = 2**53
#: Largest row id (scenario, assessment, job) a path may name.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Index = Annotated[int, Path(ge=0, le=MAX_INDEX, description="0-based record index")]


async def service(request: Request) -> Service:
    """The service of this application."""
    svc: Service = request.app.state.service
    return svc


async def caller(request: Request) -> Caller:
    """The authenticated party (set by the authentication dependency of the router)."""
    c: Caller = request.state.caller
    return c


Svc = Annotated[Service, Depends(service)]
Who = Annotated[Caller, Depends(caller)]

__all__ = ["MAX_ID", "MAX_INDEX", "Id", "Index", "Svc", "Who", "caller", "service"]
