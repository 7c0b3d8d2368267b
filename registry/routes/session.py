"""Handshake, sign-in, token refresh, sign-out, and who am I."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from app.records import Account
from registry import acts, auth, schemas
from registry.deps import BearerToken, CurrentAccount, Reg
from registry.ledger import SqlLedger
from registry.openapi_answers import answers
from registry.service import ApiError, Registry, error_body
from registry.settings import MIN_CLIENT_VERSION, PROTOCOL_VERSION
from registry.throttle import SignInGuard, Throttled

router = APIRouter(tags=["session"])


@router.get("/v1/handshake", response_model=schemas.Handshake)
def handshake(reg: Reg) -> dict[str, Any]:
    today = reg.read(reg.program_today)
    return {
        "protocol": PROTOCOL_VERSION,
        "server_time": reg.settings.now().isoformat(),
        "min_client_version": MIN_CLIENT_VERSION,
        "test_clock": reg.settings.test_clock,
        "program_date": today.isoformat(),
        "contact": reg.settings.program_contact(),
    }


@router.post(
    "/v1/session", response_model=schemas.TokensOut, responses=answers(400, 401, 413, 429, 503)
)
async def sign_in(body: schemas.SignIn, request: Request) -> Any:
    # Async, so that a flood of sign-ins waits for the hash pool without holding request
    # threads; the registry is taken from the app, not a (threaded) dependency, for the same
    # reason: an attempt over the limit is answered from the event loop alone.
    reg: Registry = request.app.state.registry
    address = request.client.host if request.client else "unknown"
    result = await auth.sign_in(
        reg.engine, reg.settings, _guard(request, reg), body.email, body.password, address
    )
    if isinstance(result, Throttled):
        return JSONResponse(
            error_body(result.code, result.message),
            result.status,
            headers={"Retry-After": str(result.retry_after)},
        )
    if isinstance(result, auth.SignInRefused):
        extra = {"locked_until": result.locked_until.isoformat()} if result.locked_until else {}
        code = "ACCOUNT_LOCKED" if result.locked_until else "SIGN_IN_REFUSED"
        raise ApiError(401, code, result.message, **extra)
    account_id, tokens = result
    return await anyio.to_thread.run_sync(tokens_out, reg, tokens, account_id)


def _guard(request: Request, reg: Registry) -> SignInGuard:
    """This process's sign-in limits and hash pool, made with the app's first sign-in (on
    the event loop's one thread, so never twice)."""
    guard: SignInGuard | None = getattr(request.app.state, "sign_in_guard", None)
    if guard is None:
        guard = request.app.state.sign_in_guard = SignInGuard(reg.settings)
    return guard


@router.post(
    "/v1/session/refresh", response_model=schemas.TokensOut, responses=answers(400, 401, 413)
)
def refresh(body: schemas.Refresh, reg: Reg) -> Any:
    def run(conn: Connection) -> Any:
        tokens = auth.refresh(conn, reg.settings, body.refresh_token)
        holder = None
        if tokens is not None:
            holder = auth.authenticate(conn, reg.settings, tokens.access_token)
        return tokens, holder

    tokens, holder = reg.write(run)
    if tokens is None or holder is None:
        raise ApiError(401, "SIGN_IN_REQUIRED", "Your registry sign-in has ended. Sign in again.")
    return tokens_out(reg, tokens, holder.id)


@router.delete("/v1/session", status_code=204, responses=answers(401, 403))
def sign_out(reg: Reg, account: CurrentAccount, token: BearerToken) -> Response:
    reg.write(lambda conn: auth.revoke(conn, token), replayable=True)
    return Response(status_code=204)


@router.get("/v1/me", responses=answers(401, 403))
def me(account: CurrentAccount) -> dict[str, Any]:
    return acts.account_json(account)


class PasswordChange(schemas.Body):
    current_password: schemas.Password
    new_password: schemas.Password


@router.post("/v1/me/password", responses=answers(400, 401, 403, 413, 422))
def change_password(
    body: PasswordChange, reg: Reg, account: CurrentAccount, token: BearerToken
) -> dict[str, Any]:
    """The signed-in person's own password: the current one, then the new one (the same
    rules as everywhere). Every other sign-in of the account ends; this one goes on. Not
    kept under an Idempotency-Key: the request carries passwords, and asked again it is
    refused (the current password has changed)."""
    result = reg.write(
        lambda conn: auth.change_password(
            conn, reg.settings, token, body.current_password, body.new_password
        )
    )
    if isinstance(result, auth.SignInRefused):
        code = "ACCOUNT_LOCKED" if result.locked_until else "NOT_PERMITTED"
        raise ApiError(403, code, result.message)
    return {"changed": True, "other_sign_ins_ended": result.other_sign_ins_ended}


def tokens_out(reg: Registry, tokens: auth.Tokens, account_id: str) -> dict[str, Any]:
    def run(conn: Connection) -> Account | None:
        return SqlLedger(conn, "").account(account_id)

    account = reg.read(run)
    assert account is not None
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": "bearer",
        "expires_in": tokens.expires_in,
        "account": acts.account_json(account),
    }
