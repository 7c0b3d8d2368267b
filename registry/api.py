"""The registry's HTTP API (FastAPI): the app, its error answers, and its routers.

Routes (registry/routes/, one module per resource) are thin: the account comes from a
dependency (registry/deps.py), the act runs in `registry.service.Registry` under its
Idempotency-Key, and every answer is {"error": CODE, "message": what to do} when refused.
A body is capped before it is parsed (registry/limits.py); a 500 is a bug.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from app.errors import RemsError
from registry.deps import IDEMPOTENCY_KEY
from registry.fast_rda import FastRda
from registry.limits import TOO_LARGE, BodyCap
from registry.routes import ROUTERS
from registry.routes import test_clock as test_clock_routes
from registry.service import (
    ApiError,
    Registry,
    database_interrupted,
    error_body,
    error_response,
    invalid_answer,
    key_required,
    refusal,
    version,
)
from registry.settings import Settings, check_test_clock

# Re-exported: what other modules and tests knew as registry.api's.
__all__ = ["ApiError", "Registry", "create_app", "refusal"]

_HTTP_CODES = {
    400: "INVALID_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: TOO_LARGE,
}


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    check_test_clock(settings)
    reg = Registry(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Few request threads: with SQLite's one writer, dozens of threads only fight the
        # writer for the GIL while it holds the lock (measured: p99 969 ms with 40 threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        reg.act_limiter = anyio.CapacityLimiter(settings.act_threads)
        yield

    api = FastAPI(
        lifespan=lifespan,
        title="Clozapine REMS reference registry",
        version=version(),
        description=(
            "The program's central registry: certification, enrollment, ANCs, Patient Status "
            "Forms, REMS Dispense Authorizations and the change feed desktops sync from. "
            "Every POST except sign-in and /v1/batch needs an Idempotency-Key header. "
            "Request bodies are capped at 256 KiB (413)."
        ),
    )
    api.state.registry = reg
    api.add_middleware(BodyCap)
    api.add_middleware(FastRda, registry=reg)  # outside BodyCap: it hands big bodies on

    @api.exception_handler(ApiError)
    def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return error_response(error)

    @api.exception_handler(RemsError)
    def _refused(_: Request, error: RemsError) -> JSONResponse:
        """A read the rules refuse (an act's refusal is answered, and kept, by `post`)."""
        return error_response(error)

    @api.exception_handler(RequestValidationError)
    def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        if any(_is_missing_key(e) for e in error.errors()):
            missing = key_required()
            return JSONResponse(error_body(missing.code, missing.message), missing.status)
        status, body = invalid_answer(error.errors())
        return JSONResponse(body, status)

    @api.exception_handler(DBAPIError)
    def _database(_: Request, error: DBAPIError) -> JSONResponse:
        answer = database_interrupted(error)
        if answer is None:
            raise error  # a fault of ours: Starlette's 500, logged
        return answer

    @api.exception_handler(HTTPException)
    def _http(_: Request, error: HTTPException) -> JSONResponse:
        """Starlette's own answers (unknown path, a body that is not JSON, too large) in
        the registry's shape."""
        code = _HTTP_CODES.get(error.status_code, "INVALID_REQUEST")
        message = str(error.detail) if error.status_code == 413 else _plain(error)
        return JSONResponse(error_body(code, message), error.status_code, headers=error.headers)

    for router in ROUTERS:
        api.include_router(router)
    if settings.test_clock:  # only when started with it, only on loopback (checked above)
        api.include_router(test_clock_routes.router)
    return api


def _is_missing_key(error: Any) -> bool:
    """No Idempotency-Key, or an empty one (one too long is a plain INVALID_REQUEST)."""
    return tuple(error.get("loc", ())) == ("header", IDEMPOTENCY_KEY) and error.get("type") in {
        "missing",
        "string_too_short",
    }


def _plain(error: HTTPException) -> str:
    if error.status_code == 404:
        return "There is no such address at the registry. Check the registry's address."
    if error.status_code == 405:
        return "This address does not take that method."
    return f"{error.detail}. Check the request."
