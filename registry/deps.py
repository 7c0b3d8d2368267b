"""What every route is given: the registry, the account asking, and the Idempotency-Key.

Who may do what is `app.roles` (rules.md §1); a route names the action it performs with
`allowed(Action.X)` and never restates a role rule. Scope (which patient, which pharmacy)
is the act's business: it depends on the record, not only the role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.errors import ErrorCode
from app.records import Account
from app.roles import Action, may
from registry import limits
from registry.service import ApiError, Registry

# auto_error off: a missing or malformed header answers our own 401, in words.
_bearer = HTTPBearer(auto_error=False, description="The access token from POST /v1/session")


def registry(request: Request) -> Registry:
    reg: Registry = request.app.state.registry
    return reg


Reg = Annotated[Registry, Depends(registry)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def bearer_token(credentials: Credentials) -> str:
    """The request's bearer token (401 in words if there is none)."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "SIGN_IN_REQUIRED", "Sign in to the registry first.")
    return credentials.credentials


BearerToken = Annotated[str, Depends(bearer_token)]


def current_account(reg: Reg, token: BearerToken) -> Account:
    """The signed-in account behind the request's bearer token (401 if none, 403 inactive)."""
    return reg.account_for_token(token)


CurrentAccount = Annotated[Account, Depends(current_account)]
# Required: a request without one (or with an empty one) is answered 400
# IDEMPOTENCY_KEY_REQUIRED by the app's validation handler (registry/api.py).
IDEMPOTENCY_KEY = "Idempotency-Key"
IdempotencyKey = Annotated[
    str,
    Header(
        alias=IDEMPOTENCY_KEY,
        min_length=1,
        max_length=limits.ID,
        description="A new UUID per request; a retry sends the same one and gets the same answer",
    ),
]


def allowed(action: Action, refusal: str) -> Callable[[Account], Account]:
    """A dependency: the current account, if its role may do `action` (else 403 in words)."""

    def check(account: CurrentAccount) -> Account:
        if not may(account.role, action):
            raise ApiError(403, ErrorCode.NOT_PERMITTED.value, refusal)
        return account

    return check
