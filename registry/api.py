"""The registry's HTTP API (FastAPI). Routes are thin: authenticate, claim the
Idempotency-Key, run the act from `registry.acts` in one transaction, answer.

Errors always answer {"error": CODE, "message": what to do}: 400 a malformed request,
401 sign in again, 403 not allowed (role, scope, certification), 404 unknown patient,
409 the same request is still being processed, 410 the change feed needs a resync,
422 the rules refuse it (or an Idempotency-Key reused for another request).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError

from app.clock import FixedClock
from app.errors import AccessRefused, ErrorCode, RemsError
from app.program import Program
from app.records import Account
from app.roles import Role
from registry import acts, assessment, auth, feed, idempotency, schemas
from registry import tables as t
from registry.database import run_in_transaction, transaction
from registry.ledger import (
    PHARMACY_LIST,
    PRESCRIBER_LIST,
    SqlLedger,
    pharmacy_audience,
    prescriber_audience,
)
from registry.meta import get_meta, put_meta
from registry.settings import MIN_CLIENT_VERSION, PROTOCOL_VERSION, Settings, check_test_clock

BATCH_LIMIT = 100
INTERNAL = "INTERNAL_ERROR"
_log = logging.getLogger("registry")
# Module-level so FastAPI can resolve them from the (postponed) annotations.
Auth = Annotated[str | None, Header()]
Key = Annotated[str | None, Header(alias="Idempotency-Key")]
_TEST_TODAY = "test_today"
Act = Callable[[acts.Context], acts.Result]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


def refusal(error: RemsError) -> acts.Result:
    if error.code is ErrorCode.UNKNOWN_PATIENT:
        status = 404
    elif isinstance(error, AccessRefused):
        status = 403
    else:
        status = 422
    return status, _error_body(error.code.value, error.message)


class Registry:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    # Clocks
    def program_today(self, conn: Connection) -> date:
        if self.settings.test_clock:
            value = get_meta(conn, _TEST_TODAY)
            if value:
                return date.fromisoformat(value)
        return self.settings.now().astimezone().date()

    # Who is asking
    def account(self, authorization: str | None) -> Account:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise ApiError(401, "SIGN_IN_REQUIRED", "Sign in to the registry first.")
        token = authorization.split(" ", 1)[1].strip()
        with transaction(self.engine, readonly=True) as conn:
            account = auth.authenticate(conn, self.settings, token)
        if account is None:
            raise ApiError(
                401, "SIGN_IN_REQUIRED", "Your registry sign-in has ended. Sign in again."
            )
        if not account.active:  # e.g. an Authorized Representative who was replaced
            raise ApiError(403, ErrorCode.NOT_PERMITTED.value, "This account is no longer active.")
        return account

    # Acts
    def _context(
        self,
        conn: Connection,
        account: Account | None,
        key: str,
        today: date | None = None,
        *,
        acting: bool = False,
    ) -> acts.Context:
        ledger = SqlLedger(conn, self.settings.now().isoformat(), acting=acting)
        program = Program(ledger, FixedClock(today or self.program_today(conn)))
        return acts.Context(conn, self.settings, ledger, program, account, key)

    def _run(
        self,
        conn: Connection,
        account: Account | None,
        key: str,
        act: Act,
        today: date | None = None,
    ) -> acts.Result:
        """The act in a savepoint: a refusal keeps nothing it wrote, but its answer is kept."""
        ctx = self._context(conn, account, key, today, acting=True)
        savepoint = conn.begin_nested()
        try:
            status, body = act(ctx)
            ctx.ledger.flush_changes()
        except RemsError as error:
            savepoint.rollback()
            return refusal(error)
        except (KeyError, ValueError, TypeError) as error:
            savepoint.rollback()
            return 422, _error_body(
                "INVALID_REQUEST", f"The form could not be read ({error}). Check its fields."
            )
        except DBAPIError:
            raise  # the whole transaction is retried (a conflict) or fails
        except Exception:
            # A fault of ours: this item alone fails, is not remembered, and may be retried;
            # in a batch, the other items still go through.
            savepoint.rollback()
            _log.exception("an act failed (key %s)", key)
            return 500, _error_body(
                INTERNAL, "The registry could not process this. It will be tried again."
            )
        savepoint.commit()
        return status, body

    def post(
        self,
        path: str,
        key: str | None,
        account: Account | None,
        body: BaseModel | None,
        act: Act,
    ) -> JSONResponse:
        """A POST with its Idempotency-Key: claimed, acted once, the answer kept 30 days."""
        if not key or len(key) > 64:
            raise ApiError(
                400,
                "IDEMPOTENCY_KEY_REQUIRED",
                "Every POST needs an Idempotency-Key header (a new UUID per request).",
            )
        owner = account.id if account else "public"
        digest = idempotency.request_hash(
            "POST", path, body.model_dump(mode="json") if body else None
        )
        takeover = self._takeover()
        with transaction(self.engine) as conn:
            claim = idempotency.claim(conn, key, owner, digest, self.settings.now(), takeover)
        if isinstance(claim, idempotency.Replay):
            return JSONResponse(claim.body, claim.status_code, headers={"Idempotent-Replay": "1"})
        if isinstance(claim, idempotency.Refused):
            code = "IN_FLIGHT" if claim.status_code == 409 else "IDEMPOTENCY_KEY_REUSED"
            raise ApiError(claim.status_code, code, claim.message)

        def body_fn(conn: Connection) -> acts.Result:
            status, answer = self._run(conn, account, key, act)
            _settle_key(conn, key, status, answer)
            return status, answer

        try:
            status, answer = run_in_transaction(self.engine, body_fn)
        except BaseException:
            with transaction(self.engine) as conn:
                idempotency.release(conn, key)
            raise
        return JSONResponse(answer, status)

    def _takeover(self) -> timedelta:
        return timedelta(seconds=self.settings.in_flight_takeover_seconds)

    def batch(self, account: Account, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several queued items in one transaction, each claimed and decided on its own
        (a savepoint each): one item's refusal never touches another's."""
        now = self.settings.now()
        takeover = self._takeover()

        def body_fn(conn: Connection) -> list[dict[str, Any]]:
            results: list[dict[str, Any]] = []
            today = self.program_today(conn)  # one date for the whole batch
            for item in items:
                key, path = str(item.get("key", "")), str(item.get("path", ""))
                model = _BATCH_BODIES.get(path)
                if model is None or not key or len(key) > 64:
                    results.append(_item(key, 400, "INVALID_REQUEST", "Unknown path or key."))
                    continue
                try:
                    body = model.model_validate(item.get("body"))
                except ValidationError as error:
                    results.append(_item(key, 422, "INVALID_REQUEST", _validation_text(error)))
                    continue
                data = body.model_dump(mode="json")
                digest = idempotency.request_hash("POST", path, data)
                claim = idempotency.claim(conn, key, account.id, digest, now, takeover)
                if isinstance(claim, idempotency.Replay):
                    results.append({"key": key, "status": claim.status_code, "body": claim.body})
                    continue
                if isinstance(claim, idempotency.Refused):
                    code = "IN_FLIGHT" if claim.status_code == 409 else "IDEMPOTENCY_KEY_REUSED"
                    results.append(_item(key, claim.status_code, code, claim.message))
                    continue
                status, answer = self._run(
                    conn,
                    account,
                    key,
                    functools.partial(_act_on, acts.BATCHABLE[path], data),
                    today,
                )
                _settle_key(conn, key, status, answer)
                results.append({"key": key, "status": status, "body": answer})
            return results

        result: list[dict[str, Any]] = run_in_transaction(self.engine, body_fn)
        return result

    def read(self, fn: Callable[[Connection], Any]) -> Any:
        return run_in_transaction(self.engine, fn, readonly=True)

    def write(self, fn: Callable[[Connection], Any]) -> Any:
        return run_in_transaction(self.engine, fn)

    def audited(self, account: Account, fn: Callable[[Connection], Any]) -> Any:
        """A read that the program's operator's audit trail records."""
        operator = account.role is Role.PROGRAM_OPERATOR
        return self.write(fn) if operator else self.read(fn)


def _settle_key(conn: Connection, key: str, status: int, answer: Any) -> None:
    """Keep the answer with its key; an internal failure is not kept, so a retry acts."""
    if status == 500:
        idempotency.release(conn, key)
    else:
        idempotency.finish(conn, key, status, answer)


def _act_on(
    act: Callable[[acts.Context, dict[str, Any]], acts.Result],
    data: dict[str, Any],
    ctx: acts.Context,
) -> acts.Result:
    return act(ctx, data)


def _item(key: str, status: int, code: str, message: str) -> dict[str, Any]:
    return {"key": key, "status": status, "body": _error_body(code, message)}


def _validation_text(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}. Check this field."


_BATCH_BODIES: dict[str, type[BaseModel]] = {
    "/v1/enrollments": schemas.FormIn,
    "/v1/psfs": schemas.FormIn,
    "/v1/rda": schemas.RdaIn,
    "/v1/dispense-rationales": schemas.DispenseRationaleIn,
}


def audiences(account: Account) -> list[str] | None:
    """Which feed audiences an account reads (None: all of them, the program operator)."""
    if account.role is Role.PROGRAM_OPERATOR:
        return None
    if account.role.is_office and account.prescriber_id:
        return [prescriber_audience(account.prescriber_id), PHARMACY_LIST]
    if account.role.is_pharmacy and account.pharmacy_id:
        return [pharmacy_audience(account.pharmacy_id), PHARMACY_LIST, PRESCRIBER_LIST]
    if account.role is Role.WHOLESALER:
        return [PHARMACY_LIST]
    return []


def _version() -> str:
    try:
        return importlib.metadata.version("clozapine-desk")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - always installed
        return "0"


def create_app(settings: Settings, engine: Engine) -> FastAPI:
    check_test_clock(settings)
    reg = Registry(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Few request threads: with SQLite's one writer, dozens of threads only fight the
        # writer for the GIL while it holds the lock (measured: p99 969 ms with 40 threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        yield

    api = FastAPI(
        lifespan=lifespan,
        title="Clozapine REMS reference registry",
        version=_version(),
        description=(
            "The program's central registry: certification, enrollment, ANCs, Patient Status "
            "Forms, REMS Dispense Authorizations and the change feed desktops sync from. "
            "Every POST except sign-in and /v1/batch needs an Idempotency-Key header."
        ),
    )

    @api.exception_handler(ApiError)
    def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(_error_body(error.code, error.message, **error.extra), error.status)

    @api.exception_handler(RemsError)
    def _refused(_: Request, error: RemsError) -> JSONResponse:
        """A read the rules refuse (an act's refusal is answered, and kept, by `post`)."""
        status, body = refusal(error)
        return JSONResponse(body, status)

    @api.exception_handler(RequestValidationError)
    def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            _error_body("INVALID_REQUEST", f"{where}: {first.get('msg', 'invalid')}."), 400
        )

    # Handshake and sign-in
    @api.get("/v1/handshake", response_model=schemas.Handshake)
    def handshake() -> dict[str, Any]:
        today = reg.read(reg.program_today)
        return {
            "protocol": PROTOCOL_VERSION,
            "server_time": settings.now().isoformat(),
            "min_client_version": MIN_CLIENT_VERSION,
            "test_clock": settings.test_clock,
            "program_date": today.isoformat(),
        }

    @api.post("/v1/session", response_model=schemas.TokensOut)
    def sign_in(body: schemas.SignIn) -> Any:
        def run(conn: Connection) -> Any:
            return auth.sign_in(conn, settings, body.email, body.password)

        result = reg.write(run)
        if isinstance(result, auth.SignInRefused):
            extra = {"locked_until": result.locked_until.isoformat()} if result.locked_until else {}
            code = "ACCOUNT_LOCKED" if result.locked_until else "SIGN_IN_REFUSED"
            raise ApiError(401, code, result.message, **extra)
        account_id, tokens = result
        return _tokens_out(reg, tokens, account_id)

    @api.post("/v1/session/refresh", response_model=schemas.TokensOut)
    def refresh(body: schemas.Refresh) -> Any:
        def run(conn: Connection) -> Any:
            tokens = auth.refresh(conn, settings, body.refresh_token)
            holder = None
            if tokens is not None:
                holder = auth.authenticate(conn, settings, tokens.access_token)
            return tokens, holder

        tokens, holder = reg.write(run)
        if tokens is None or holder is None:
            raise ApiError(
                401, "SIGN_IN_REQUIRED", "Your registry sign-in has ended. Sign in again."
            )
        return _tokens_out(reg, tokens, holder.id)

    @api.delete("/v1/session", status_code=204)
    def sign_out(authorization: Auth = None) -> Response:
        reg.account(authorization)
        token = (authorization or "").split(" ", 1)[1].strip()
        reg.write(lambda conn: auth.revoke(conn, token))
        return Response(status_code=204)

    @api.get("/v1/me")
    def me(authorization: Auth = None) -> dict[str, Any]:
        return acts.account_json(reg.account(authorization))

    # Enrollment, certification, invitations
    @api.post("/v1/prescribers", status_code=201)
    def enroll_prescriber(body: schemas.NewPrescriber, key: Key = None) -> JSONResponse:
        return reg.post(
            "/v1/prescribers",
            key,
            None,
            body,
            lambda ctx: acts.enroll_prescriber(ctx, body.model_dump()),
        )

    @api.post("/v1/pharmacies", status_code=201)
    def enroll_pharmacy(body: schemas.NewPharmacy, key: Key = None) -> JSONResponse:
        return reg.post(
            "/v1/pharmacies",
            key,
            None,
            body,
            lambda ctx: acts.enroll_pharmacy(ctx, body.model_dump()),
        )

    @api.get("/v1/assessment")
    def assessment_questions(authorization: Auth = None) -> dict[str, Any]:
        account = reg.account(authorization)
        return {
            "questions": [
                {"id": q.id, "text": q.text, "choices": list(q.choices)}
                for q in assessment.questions_for(account.role)
            ]
        }

    @api.post("/v1/assessment")
    def take_assessment(
        body: schemas.AssessmentAnswers, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            "/v1/assessment",
            key,
            account,
            body,
            lambda ctx: acts.take_assessment(ctx, body.model_dump()),
        )

    @api.post("/v1/invitations", status_code=201)
    def invite(body: schemas.Invitation, authorization: Auth = None, key: Key = None) -> Any:
        account = reg.account(authorization)
        return reg.post(
            "/v1/invitations", key, account, body, lambda ctx: acts.invite(ctx, body.model_dump())
        )

    @api.post("/v1/invitations/accept", status_code=201)
    def accept(body: schemas.AcceptInvitation, key: Key = None) -> JSONResponse:
        return reg.post(
            "/v1/invitations/accept",
            key,
            None,
            body,
            lambda ctx: acts.accept_invitation(ctx, body.model_dump()),
        )

    @api.post("/v1/wholesalers", status_code=201)
    def add_wholesaler(
        body: schemas.NewWholesaler, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            "/v1/wholesalers",
            key,
            account,
            body,
            lambda ctx: acts.add_wholesaler(ctx, body.model_dump()),
        )

    @api.post("/v1/pharmacies/{pharmacy_id}/reconfirm")
    def reconfirm(pharmacy_id: str, authorization: Auth = None, key: Key = None) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            f"/v1/pharmacies/{pharmacy_id}/reconfirm",
            key,
            account,
            None,
            lambda ctx: acts.reconfirm_pharmacy(ctx, pharmacy_id),
        )

    @api.post("/v1/pharmacies/{pharmacy_id}/deactivate")
    def deactivate_pharmacy(
        pharmacy_id: str, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            f"/v1/pharmacies/{pharmacy_id}/deactivate",
            key,
            account,
            None,
            lambda ctx: acts.deactivate_pharmacy(ctx, pharmacy_id),
        )

    @api.get("/v1/pharmacies/{pharmacy_id}/certification")
    def pharmacy_certification(pharmacy_id: str, authorization: Auth = None) -> dict[str, Any]:
        account = reg.account(authorization)

        def run(conn: Connection) -> dict[str, Any]:
            ctx = reg._context(conn, account, "")
            certified = ctx.program.check_pharmacy(pharmacy_id, account.id)
            ctx.audit_operator("check_pharmacy", f"pharmacy:{pharmacy_id}")
            return {"pharmacy_id": pharmacy_id, "certified": certified}

        result: dict[str, Any] = reg.audited(account, run)
        return result

    @api.get("/v1/pharmacies/{pharmacy_id}/staff")
    def pharmacy_staff(pharmacy_id: str, authorization: Auth = None) -> dict[str, Any]:
        """The pharmacy's people and the invitations not yet accepted: for its AR only."""
        account = reg.account(authorization)
        if account.role is not Role.PHARMACY_AR or account.pharmacy_id != pharmacy_id:
            raise ApiError(
                403,
                "NOT_PERMITTED",
                "Only the pharmacy's Authorized Representative sees its staff.",
            )
        a, i = t.accounts.c, t.invitations.c

        def run(conn: Connection) -> dict[str, Any]:
            people = conn.execute(
                select(a.id, a.name, a.email, a.role, a.active)
                .where(a.pharmacy_id == pharmacy_id)
                .order_by(a.role, a.name, a.id)
            )
            now = settings.now().isoformat()
            waiting = conn.execute(
                select(i.email, i.name, i.role, i.expires_at)
                .where(i.pharmacy_id == pharmacy_id, i.accepted_by.is_(None), i.expires_at > now)
                .order_by(i.expires_at)
            )
            return {
                "people": [
                    {
                        "account_id": r.id,
                        "name": r.name,
                        "email": r.email or "",
                        "role": r.role,
                        "active": bool(r.active),
                    }
                    for r in people
                ],
                "invitations": [
                    {"email": r.email, "name": r.name, "role": r.role, "expires_at": r.expires_at}
                    for r in waiting
                ],
            }

        result: dict[str, Any] = reg.read(run)
        return result

    @api.get("/v1/pharmacies")
    def certified_pharmacies(
        authorization: Auth = None, q: str = "", limit: Annotated[int, Query(le=1000)] = 200
    ) -> dict[str, Any]:
        """The certified-pharmacy list: wholesalers check orders, offices and patients find one."""
        account = reg.account(authorization)
        if account.role is Role.WORKSTATION_ADMIN:
            raise ApiError(403, "NOT_PERMITTED", "This account cannot look up pharmacies.")

        def run(conn: Connection) -> dict[str, Any]:
            ctx = reg._context(conn, account, "")
            today = ctx.program.clock.today()
            found = []
            for pharmacy in ctx.ledger.pharmacies():
                if q and q.casefold() not in pharmacy.name.casefold():
                    continue
                if ctx.program.check_pharmacy(pharmacy.id):
                    found.append(
                        {
                            "pharmacy_id": pharmacy.id,
                            "name": pharmacy.name,
                            "setting": pharmacy.setting.value,
                        }
                    )
            return {"as_of": today.isoformat(), "pharmacies": found[:limit]}

        result: dict[str, Any] = reg.read(run)
        return result

    # Patients
    @api.post("/v1/enrollments", status_code=201)
    def enroll_patient(body: schemas.FormIn, authorization: Auth = None, key: Key = None) -> Any:
        account = reg.account(authorization)
        data = body.model_dump(mode="json")
        return reg.post(
            "/v1/enrollments", key, account, body, lambda ctx: acts.enroll_patient(ctx, data)
        )

    @api.post("/v1/patients/{patient_id}/ancs", status_code=201)
    def report_anc(
        patient_id: str, body: schemas.AncIn, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        data = body.model_dump(mode="json")
        return reg.post(
            f"/v1/patients/{patient_id}/ancs",
            key,
            account,
            body,
            lambda ctx: acts.report_anc(ctx, patient_id, data),
        )

    @api.post("/v1/psfs", status_code=201)
    def submit_psf(body: schemas.FormIn, authorization: Auth = None, key: Key = None) -> Any:
        account = reg.account(authorization)
        data = body.model_dump(mode="json")
        return reg.post("/v1/psfs", key, account, body, lambda ctx: acts.submit_psf(ctx, data))

    @api.post("/v1/patients/{patient_id}/deactivate")
    def deactivate_patient(
        patient_id: str, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            f"/v1/patients/{patient_id}/deactivate",
            key,
            account,
            None,
            lambda ctx: acts.deactivate_patient(ctx, patient_id),
        )

    @api.post("/v1/patients/lookup")
    def look_up(body: schemas.PatientLookup, authorization: Auth = None, key: Key = None) -> Any:
        account = reg.account(authorization)
        return reg.post(
            "/v1/patients/lookup",
            key,
            account,
            body,
            lambda ctx: acts.look_up_patient(ctx, body.model_dump()),
        )

    @api.get("/v1/patients/{patient_id}")
    def patient(patient_id: str, authorization: Auth = None) -> dict[str, Any]:
        account = reg.account(authorization)

        def run(conn: Connection) -> dict[str, Any]:
            ctx = reg._context(conn, account, "")
            _check_patient_scope(ctx, account, patient_id)
            summary = ctx.program.patient_summary(patient_id)
            ctx.audit_operator("view_patient", f"patient:{patient_id}")
            return {
                "patient_id": summary.patient_id,
                "name": summary.name,
                "dob": summary.dob.isoformat(),
                "population": summary.population.value,
                "hospice": summary.hospice,
                "prescriber_id": summary.prescriber_id,
                "treatment_status": summary.treatment_status.value,
                "monitoring": summary.monitoring.value,
                "recommended_monitoring": summary.recommended_monitoring.value,
                "next_anc_due": summary.next_anc_due.isoformat() if summary.next_anc_due else None,
                "psf_due": summary.psf_due.isoformat() if summary.psf_due else None,
                "dispense_rationales_used": summary.dispense_rationales_used,
            }

        result: dict[str, Any] = reg.audited(account, run)
        return result

    @api.patch("/v1/operator/patients/{patient_id}")
    def correct_patient(
        patient_id: str,
        body: schemas.PatientCorrection,
        authorization: Auth = None,
        key: Key = None,
    ) -> JSONResponse:
        account = reg.account(authorization)
        return reg.post(
            f"/v1/operator/patients/{patient_id}",
            key,
            account,
            body,
            lambda ctx: acts.correct_patient(ctx, patient_id, body.model_dump()),
        )

    @api.get("/v1/notifications")
    def notifications(
        authorization: Auth = None,
        since: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        """The office's neutropenia notifications after `since` (their seq), oldest first.
        They also come through the change feed; this is for a quick look at sign-in."""
        account = reg.account(authorization)
        if not account.role.is_office or not account.prescriber_id:
            raise ApiError(403, "NOT_PERMITTED", "Notifications go to the prescriber's office.")
        n = t.notifications.c

        def run(conn: Connection) -> dict[str, Any]:
            rows = conn.execute(
                select(t.notifications)
                .where(n.prescriber_id == account.prescriber_id, n.seq > since)
                .order_by(n.seq)
                .limit(limit)
            )
            return {
                "notifications": [
                    {
                        "seq": r.seq,
                        "patient_id": r.patient_id,
                        "code": r.code,
                        "per_ul": r.per_ul,
                        "drawn": r.drawn,
                        "on": r.on_date,
                    }
                    for r in rows
                ]
            }

        result: dict[str, Any] = reg.read(run)
        return result

    @api.get("/v1/operator/audit")
    def operator_audit(authorization: Auth = None, since: int = 0) -> dict[str, Any]:
        account = reg.account(authorization)
        if account.role is not Role.PROGRAM_OPERATOR:
            raise ApiError(403, "NOT_PERMITTED", "Only the program can read its audit trail.")
        a = t.operator_audit.c

        def run(conn: Connection) -> dict[str, Any]:
            rows = conn.execute(
                select(t.operator_audit).where(a.seq > since).order_by(a.seq).limit(1000)
            ).all()
            acts.audit(
                conn, settings.now(), account.id, "read_audit", "operator_audit", f"after {since}"
            )
            return {"entries": [dict(r._mapping) for r in rows]}

        result: dict[str, Any] = reg.write(run)
        return result

    # Dispensing
    @api.post("/v1/rda")
    def request_rda(body: schemas.RdaIn, authorization: Auth = None, key: Key = None) -> Any:
        account = reg.account(authorization)
        data = body.model_dump(mode="json")
        return reg.post("/v1/rda", key, account, body, lambda ctx: acts.request_rda(ctx, data))

    @api.post("/v1/dispense-rationales")
    def dispense_rationale(
        body: schemas.DispenseRationaleIn, authorization: Auth = None, key: Key = None
    ) -> JSONResponse:
        account = reg.account(authorization)
        data = body.model_dump(mode="json")
        return reg.post(
            "/v1/dispense-rationales",
            key,
            account,
            body,
            lambda ctx: acts.dispense_rationale(ctx, data),
        )

    # Sync
    @api.post("/v1/batch")
    def batch(request_body: dict[str, Any], authorization: Auth = None) -> dict[str, Any]:
        """Up to 100 queued items, each {key, path, body} with its own Idempotency-Key."""
        account = reg.account(authorization)
        items = request_body.get("items")
        if not isinstance(items, list) or not 0 < len(items) <= BATCH_LIMIT:
            raise ApiError(400, "INVALID_REQUEST", f"A batch has 1 to {BATCH_LIMIT} items.")
        return {"results": reg.batch(account, items)}

    @api.get("/v1/changes")
    def changes(
        authorization: Auth = None,
        since: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 1000,
    ) -> Response:
        """{"changes": [{seq, kind, key, op, body}], "cursor": N, "more": bool}"""
        account = reg.account(authorization)
        wanted = audiences(account)

        def run(conn: Connection) -> feed.Page:
            found = feed.page(conn, wanted, since, limit)
            if account.role is Role.PROGRAM_OPERATOR:
                acts.audit(
                    conn,
                    settings.now(),
                    account.id,
                    "read_changes",
                    "feed",
                    f"{found.count} changes after {since}",
                )
            return found

        try:
            found: feed.Page = reg.audited(account, run)
        except feed.ResyncRequired:
            raise ApiError(
                410,
                "RESYNC_REQUIRED",
                "This workstation has been offline longer than the registry keeps changes. "
                "It will download everything again.",
            ) from None
        return Response(found.as_json(), media_type="application/json")

    # Test clock: only when started with it, only on loopback (checked above).
    if settings.test_clock:

        @api.put("/v1/test/clock")
        def set_clock(body: schemas.ClockIn) -> dict[str, str]:
            day = date.fromisoformat(body.today)
            reg.write(lambda conn: put_meta(conn, _TEST_TODAY, day.isoformat()))
            return {"today": day.isoformat()}

        @api.delete("/v1/test/clock")
        def clear_clock() -> dict[str, str]:
            """Back to the real date (the desktop's demo registry, once its history is in)."""
            reg.write(lambda conn: put_meta(conn, _TEST_TODAY, ""))
            return {"today": ""}

        @api.post("/v1/test/echo", status_code=204)
        def echo(_: dict[str, Any]) -> Response:
            """A trivial endpoint: the floor the sync benchmark compares pushes against."""
            return Response(status_code=204)

    return api


def _tokens_out(reg: Registry, tokens: auth.Tokens, account_id: str) -> dict[str, Any]:
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


def _check_patient_scope(ctx: acts.Context, account: Account, patient_id: str) -> None:
    """Offices see their prescriber's patients; a pharmacy the ones it looked up or
    dispensed to; the program everyone; wholesalers no one."""
    patient = ctx.ledger.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    if account.role is Role.PROGRAM_OPERATOR:
        return
    if account.role.is_office and patient.prescriber_id == account.prescriber_id:
        return
    if (
        account.role.is_pharmacy
        and account.pharmacy_id
        and ctx.ledger.pharmacy_sees(account.pharmacy_id, patient_id)
    ):
        return
    raise AccessRefused(
        ErrorCode.NOT_PERMITTED,
        "This patient is not one you can see. Pharmacies look a patient up by name and date "
        "of birth first; offices see their own prescriber's patients.",
    )
