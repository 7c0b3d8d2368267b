"""The registry's request handling under the routes: who is asking, the Idempotency-Key,
the act (a lone POST in one transaction with no savepoint; batch items in a savepoint
each), and the answer kept with its key.

Errors always answer {"error": CODE, "message": what to do}: 400 a malformed request,
401 sign in again, 403 not allowed (role, scope, certification), 404 unknown patient,
409 the same request is still being processed, 410 the change feed needs a resync,
413 a request too large, 422 the rules refuse it (or an Idempotency-Key reused for another
request), 429 too many sign-in attempts, 503 the database connection was lost
(DATABASE_INTERRUPTED) or sign-in is busy (SIGN_IN_BUSY).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from app.clock import FixedClock
from app.errors import AccessRefused, ErrorCode, RemsError
from app.program import Program
from app.records import Account
from app.use_cases.access import check_active
from app.use_cases.scope import sight_of
from app.version import VERSION
from registry import acts, auth, idempotency, queued
from registry.database import run_in_transaction
from registry.ledger import (
    PHARMACY_LIST,
    PRESCRIBER_LIST,
    SqlLedger,
    pharmacy_audience,
    prescriber_audience,
    write_feed,
)
from registry.meta import get_meta
from registry.settings import Settings

T = TypeVar("T")

BATCH_LIMIT = 100
INTERNAL = "INTERNAL_ERROR"
DATABASE_INTERRUPTED = "DATABASE_INTERRUPTED"
_log = logging.getLogger("registry")
TEST_TODAY = "test_today"
Act = Callable[[acts.Context], acts.Result]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(error: ApiError | RemsError) -> JSONResponse:
    """An ApiError, or a refusal the rules raised outside an act, as the registry answers
    them (the app's exception handlers and the short way in for RDAs alike)."""
    if isinstance(error, ApiError):
        return JSONResponse(error_body(error.code, error.message, **error.extra), error.status)
    status, body = refusal(error)
    return JSONResponse(body, status)


def database_interrupted(error: DBAPIError) -> JSONResponse | None:
    """503 for a database the registry lost (a connection ended that `run_in_transaction`
    could not, or would not, start again; or none to be had, as while PostgreSQL
    restarts); None for any other database error, a fault of ours (500)."""
    lost = error.connection_invalidated or (
        isinstance(error, OperationalError) and error.statement is None  # no connection
    )
    if not lost:
        return None
    _log.warning("the database connection was lost while answering a request", exc_info=error)
    body = error_body(
        DATABASE_INTERRUPTED,
        "The registry lost its database connection while answering this. If it was a "
        "change, it may or may not have been saved: check, then try again in a moment.",
    )
    return JSONResponse(body, 503, headers={"Retry-After": "1"})


def key_required() -> ApiError:
    return ApiError(
        400,
        "IDEMPOTENCY_KEY_REQUIRED",
        "Every POST needs an Idempotency-Key header (a new UUID per request).",
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


_ANC_NUMBER = (
    "The ANC value must be a number (at most 10 significant digits), with the text as typed "
    "in as_entered. Check the value on the lab report."
)


def invalid_answer(errors: Sequence[Any]) -> acts.Result:
    """A request that does not fit its schema, in words: the same answer for a lone request
    and a batched item. 422 INVALID_ANC for an ANC value that is not a number."""
    first = errors[0] if errors else {}
    loc = tuple(first.get("loc", ()))
    where = ".".join(str(p) for p in loc)
    if loc[-1:] == ("value",) or loc[-2:-1] == ("value",):  # only an ANC has a `value`
        return 422, error_body(ErrorCode.INVALID_ANC.value, _ANC_NUMBER)
    return 400, error_body("INVALID_REQUEST", f"{where}: {first.get('msg', 'invalid')}.")


def refusal(error: RemsError) -> acts.Result:
    if error.code is ErrorCode.UNKNOWN_PATIENT:
        status = 404
    elif isinstance(error, AccessRefused):
        status = 403
    else:
        status = 422
    return status, error_body(error.code.value, error.message)


class Registry:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        # The threads acts run on (queued POSTs and /v1/batch), apart from reads', so a long
        # read (a feed page) never holds an act up (Settings.act_threads says how many and
        # why). Made in the event loop.
        self.act_limiter: CapacityLimiter | None = None

    async def on_act_thread(self, act: Callable[[], T]) -> T:
        """Run an act (a queued POST, a batch) on the acts' threads."""
        return await anyio.to_thread.run_sync(act, limiter=self.act_limiter)

    # Clocks
    def program_today(self, conn: Connection) -> date:
        if self.settings.test_clock:
            value = get_meta(conn, TEST_TODAY)
            if value:
                return date.fromisoformat(value)
        return self.settings.now().astimezone().date()

    # Who is asking
    def account_for_token(self, token: str) -> Account:
        """The account a bearer token belongs to, or 401/403 in words."""
        account: Account = self.read(lambda conn: self._account_in(conn, token))
        return account

    def _account_in(self, conn: Connection, token: str) -> Account:
        account = auth.authenticate(conn, self.settings, token)
        if account is None:
            raise ApiError(
                401, "SIGN_IN_REQUIRED", "Your registry sign-in has ended. Sign in again."
            )
        try:  # e.g. an Authorized Representative who was replaced
            return check_active(account)
        except AccessRefused as refused:
            raise ApiError(403, refused.code.value, refused.message) from None

    # Acts
    def context(
        self,
        conn: Connection,
        account: Account | None,
        key: str,
        today: date | None = None,
        *,
        acting: bool = False,
        account_read_here: bool = False,
    ) -> acts.Context:
        """`account_read_here`: `account` was read in this transaction (with its bearer
        token), so the rules need not read it again."""
        ledger = SqlLedger(conn, self.settings.now().isoformat(), acting=acting)
        if account is not None and account_read_here:
            ledger.knows_account(account)
        program = Program(ledger, FixedClock(today or self.program_today(conn)))
        return acts.Context(conn, self.settings, ledger, program, account, key)

    def _run(
        self,
        conn: Connection,
        account: Account | None,
        key: str,
        act: Act,
        today: date | None = None,
        *,
        account_read_here: bool = False,
        alone: bool = False,
    ) -> tuple[acts.Result, list[dict[str, Any]]]:
        """The act, in a savepoint unless `alone`: a refusal keeps nothing it wrote, but its
        answer is kept. Returns the answer and the act's feed rows, which the caller writes
        (`write_feed`) last, after the answer, just before the commit.

        `alone`: the transaction holds this act and nothing the caller must keep, so there
        is no savepoint (about a tenth of an RDA's CPU on SQLite, two round trips on
        PostgreSQL): a refusal raises `_ActRefused` instead, and `post` rolls the
        transaction back whole and keeps the answer in another."""
        ctx = self.context(
            conn, account, key, today, acting=True, account_read_here=account_read_here
        )
        savepoint = None if alone else conn.begin_nested()
        try:
            status, body = act(ctx)
            rows = ctx.ledger.feed_rows()
        except DBAPIError:
            raise  # the whole transaction is retried (a conflict) or fails
        except Exception as error:
            answer = _answer_to(error, key)
            if savepoint is None:
                raise _ActRefused(answer, _key_owner(account)) from None
            savepoint.rollback()
            return answer, []
        if savepoint is not None:
            savepoint.commit()
        return (status, body), rows

    def post(
        self,
        path: str,
        key: str | None,
        account: Account | None,
        body: BaseModel | None,
        act: Act,
        *,
        token: str | None = None,
    ) -> JSONResponse:
        """A POST with its Idempotency-Key: claimed, acted once, the answer kept 30 days.

        One transaction: the key's claim, the act and its answer commit together, or none of
        them does (a worker that dies mid-act leaves the key unclaimed, free for the retry).
        A refusal rolls back all of it, and its answer is kept with the key in a second
        transaction. A second request with the key meanwhile waits for the first to commit
        (SQLite's write lock, PostgreSQL's unique index) and gets its answer replayed; if
        the first was refused, the second claims the key and acts itself, and whichever
        answer is kept first is the key's (`_keep_answer` replays it to the other). A key
        left in flight by a registry from before this (or claimed directly) is 409 until its
        takeover time.
        `token`: the bearer token, checked in the same transaction (instead of `account`)."""
        if not key or len(key) > 64:
            raise key_required()
        digest = idempotency.request_hash(
            "POST", path, body.model_dump(mode="json") if body else None
        )
        takeover = self._takeover()

        def body_fn(conn: Connection) -> acts.Result | idempotency.Replay:
            who = self._account_in(conn, token) if token is not None else account
            replay = self._claim(conn, key, _key_owner(who), digest, takeover)
            if replay is not None:
                return replay
            read_here = token is not None
            (status, answer), feed = self._run(
                conn, who, key, act, account_read_here=read_here, alone=True
            )
            _settle_key(conn, key, status, answer)
            write_feed(conn, feed)
            return status, answer

        try:
            done = run_in_transaction(self.engine, body_fn, replayable=True)
        except _ActRefused as refused:  # rolled back: nothing the act wrote was kept
            done = self._keep_answer(key, refused.owner, digest, takeover, refused.answer)
        if isinstance(done, idempotency.Replay):
            return JSONResponse(done.body, done.status_code, headers={"Idempotent-Replay": "1"})
        status, answer = done
        return JSONResponse(answer, status)

    def _claim(
        self,
        conn: Connection,
        key: str,
        owner: str,
        digest: str,
        takeover: timedelta,
        now: datetime | None = None,
    ) -> idempotency.Replay | None:
        """The key claimed for this request (None), or the first answer to replay; a key
        in flight or used for another request is answered 409 or 422 (ApiError)."""
        when = now or self.settings.now()
        claim = idempotency.claim(conn, key, owner, digest, when, takeover)
        if isinstance(claim, idempotency.Replay):
            return claim
        if isinstance(claim, idempotency.Refused):
            code = "IN_FLIGHT" if claim.status_code == 409 else "IDEMPOTENCY_KEY_REUSED"
            raise ApiError(claim.status_code, code, claim.message)
        return None

    def _keep_answer(
        self, key: str, owner: str, digest: str, takeover: timedelta, answer: acts.Result
    ) -> acts.Result | idempotency.Replay:
        """A refused act's answer, kept with its key (claimed again: the refused
        transaction's claim rolled back with it). A failure of ours is not kept."""
        if not _kept(answer[0]):
            return answer  # the key stays free: the retry acts

        def body_fn(conn: Connection) -> acts.Result | idempotency.Replay:
            replay = self._claim(conn, key, owner, digest, takeover)
            if replay is not None:
                return replay  # another request with the key finished meanwhile
            idempotency.finish(conn, key, *answer)
            return answer

        kept: acts.Result | idempotency.Replay = run_in_transaction(
            self.engine, body_fn, replayable=True
        )
        return kept

    def post_queued(
        self,
        queued_act: queued.QueuedAct,
        args: queued.PathArgs,
        key: str | None,
        token: str,
        body: BaseModel,
    ) -> JSONResponse:
        """A queued act sent alone: its route, made from the table the batch reads. The
        bearer token is checked in the act's own transaction."""
        data = body.model_dump(mode="json")
        return self.post(
            queued_act.path(args), key, None, body, queued_act.bound(args, data), token=token
        )

    def _takeover(self) -> timedelta:
        return timedelta(seconds=self.settings.in_flight_takeover_seconds)

    def batch(self, account: Account, items: list[Any]) -> list[dict[str, Any]]:
        """Several queued items in one transaction, each claimed and decided on its own
        (a savepoint each): one item's refusal never touches another's."""
        now = self.settings.now()
        takeover = self._takeover()

        def body_fn(conn: Connection) -> list[dict[str, Any]]:
            results: list[dict[str, Any]] = []
            feed: list[dict[str, Any]] = []  # every item's, in the items' order
            today = self.program_today(conn)  # one date for the whole batch
            for item in items:
                if not isinstance(item, dict):
                    results.append(_item("", 400, "INVALID_REQUEST", "Each item is an object."))
                    continue
                key, path = str(item.get("key", "")), str(item.get("path", ""))
                if not key or len(key) > 64:
                    results.append(_item(key, 400, "INVALID_REQUEST", "Each item needs a key."))
                    continue
                try:
                    request = queued.request_for(path)
                except queued.PathRefused as error:
                    results.append(_item(key, 400, "INVALID_REQUEST", str(error)))
                    continue
                try:
                    body = request.act.body.model_validate(item.get("body"))
                except ValidationError as error:
                    # Answered as the route answers the same body (its errors are "body.…").
                    errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
                    status, answer = invalid_answer(errors)
                    results.append({"key": key, "status": status, "body": answer})
                    continue
                data = body.model_dump(mode="json")
                # The same path and body as the route would see: a retry sent alone (or
                # batched after a lone try) is the same request under its key.
                digest = idempotency.request_hash("POST", request.path, data)
                try:
                    replay = self._claim(conn, key, account.id, digest, takeover, now)
                except ApiError as refused:  # in flight, or the key used for another request
                    results.append(_item(key, refused.status, refused.code, refused.message))
                    continue
                if replay is not None:
                    results.append({"key": key, "status": replay.status_code, "body": replay.body})
                    continue
                (status, answer), rows = self._run(
                    conn,
                    account,
                    key,
                    request.act.bound(request.args, data),
                    today,
                )
                _settle_key(conn, key, status, answer)
                feed += rows
                results.append({"key": key, "status": status, "body": answer})
            write_feed(conn, feed)
            return results

        # Every item is keyed: a retry replays what committed.
        result: list[dict[str, Any]] = run_in_transaction(self.engine, body_fn, replayable=True)
        return result

    def read(self, fn: Callable[[Connection], Any]) -> Any:
        return run_in_transaction(self.engine, fn, readonly=True)

    def write(self, fn: Callable[[Connection], Any], *, replayable: bool = False) -> Any:
        """`replayable`: doing it twice is doing it once (a sign-out), so it is started
        again even when the connection was lost during its COMMIT."""
        return run_in_transaction(self.engine, fn, replayable=replayable)

    def audited(self, account: Account, fn: Callable[[Connection], Any]) -> Any:
        """A read that the program's operator's audit trail records."""
        return self.write(fn) if sight_of(account).audited else self.read(fn)


class _ActRefused(Exception):
    """An act alone in its transaction was refused (or failed): its transaction is rolled
    back whole, and `post` keeps the answer with the key (`owner`'s) afterwards."""

    def __init__(self, answer: acts.Result, owner: str) -> None:
        super().__init__(answer[0])
        self.answer, self.owner = answer, owner


def _key_owner(account: Account | None) -> str:
    """Whose an Idempotency-Key is: the account's, or the public's (enrollment links)."""
    return account.id if account else "public"


def _kept(status: int) -> bool:
    """Whether an answer is kept with its key: a failure of ours is not, so a retry acts."""
    return status != 500


def _answer_to(error: Exception, key: str) -> acts.Result:
    """What an act that raised answers: the rules' refusal, an unreadable form, or a fault
    of ours (not remembered with the key, so a retry acts; in a batch, the other items
    still go through)."""
    if isinstance(error, RemsError):
        return refusal(error)
    if isinstance(error, KeyError | ValueError | TypeError):
        return 422, error_body(
            "INVALID_REQUEST", f"The form could not be read ({error}). Check its fields."
        )
    _log.error("an act failed (key %s)", key, exc_info=error)
    return 500, error_body(INTERNAL, "The registry could not process this. It will be tried again.")


def _settle_key(conn: Connection, key: str, status: int, answer: Any) -> None:
    """Keep the answer with its key; an internal failure is not kept, so a retry acts."""
    if _kept(status):
        idempotency.finish(conn, key, status, answer)
    else:
        idempotency.release(conn, key)


def _item(key: str, status: int, code: str, message: str) -> dict[str, Any]:
    return {"key": key, "status": status, "body": error_body(code, message)}


def audiences(account: Account) -> list[str] | None:
    """Which feed audiences an account reads (None: all of them, the program operator), as
    app/ says what it sees."""
    sight = sight_of(account)
    if sight.every_patient:
        return None
    return [
        *([prescriber_audience(sight.prescriber_id)] if sight.prescriber_id else []),
        *([pharmacy_audience(sight.pharmacy_id)] if sight.pharmacy_id else []),
        *([PHARMACY_LIST] if sight.pharmacy_list else []),
        *([PRESCRIBER_LIST] if sight.prescriber_list else []),
    ]


def version() -> str:
    return VERSION  # from app/, so a frozen registry (no package metadata) says it too
