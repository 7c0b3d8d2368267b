"""Registry accounts: passwords (Argon2id, the policy of app/passwords.py), sign-in with the
program's lock-out after too many failures (app/thresholds.py), and opaque tokens (a
short-lived access token and a refresh token).

Tokens are random; only their SHA-256 is stored, so a copy of the database signs no one in.
Any worker can check any token: the state is in the database, not the process. The tokens
of one sign-in are a family: a refresh token works once (rotation), and using one again (a
copy in someone else's hands, or the real one after its copy was used) ends the family, as
does signing out.

Sign-in runs in three steps so the hash never holds a database lock or a request thread:
read the account, verify the password on the hash pool (registry/throttle.py), record.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, bindparam, select

from app.errors import ErrorCode, InvalidEntry
from app.passwords import normalize, password_problem
from app.records import Account
from app.roles import Role
from registry import tables as t
from registry.database import run_in_transaction
from registry.settings import Settings
from registry.throttle import BUSY, SignInGuard, Throttled

T = TypeVar("T")
ACCESS = "access"
REFRESH = "refresh"


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives


@dataclass(frozen=True)
class SignInRefused:
    message: str
    locked_until: datetime | None = None


def set_credentials(
    conn: Connection,
    settings: Settings,
    account_id: str,
    email: str,
    password: str,
    *,
    name: str = "",
) -> None:
    """The account's email and password; a password the policy refuses is refused (422)
    with its reason, as on the workstation."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidEntry(ErrorCode.NOT_PERMITTED, problem)
    conn.execute(
        t.accounts.update()
        .where(t.accounts.c.id == account_id)
        .values(
            email=email.strip().casefold(),
            password_hash=hasher(settings).hash(normalize(password)),
        )
    )


def email_taken(conn: Connection, email: str) -> bool:
    row = conn.execute(
        select(t.accounts.c.id).where(t.accounts.c.email == email.strip().casefold())
    ).first()
    return row is not None


WRONG = "The email or password is not right. Check both and try again."


@dataclass(frozen=True)
class _Candidate:
    account_id: str | None  # None: no such account (the hash is a stand-in, same work)
    password_hash: str


async def sign_in(
    engine: Engine,
    settings: Settings,
    guard: SignInGuard,
    email: str,
    password: str,
    address: str,
) -> tuple[str, Tokens] | SignInRefused | Throttled:
    """The account id and new tokens, or why not. Over a rate limit, or with the hash pool
    full, nothing is read or hashed."""
    throttled = guard.admit(email, address)
    if throttled is not None:
        return await _slowly(settings, throttled)
    with guard.pool.seat() as seated:
        if not seated:
            return await _slowly(settings, BUSY)
        found = await _in_thread(engine, lambda conn: _look_up(conn, settings, email))
        if isinstance(found, SignInRefused):
            return found
        ph = hasher(settings)
        if not found.password_hash:  # first use of this cost: the stand-in hash is made once
            found = _Candidate(None, await guard.pool.run(lambda: _dummy_hash(settings)))
        right = await guard.pool.run(lambda: _verifies(ph, found.password_hash, password))
    account_id = found.account_id
    if account_id is None:
        return SignInRefused(WRONG)
    if not right:
        return await _in_thread(
            engine, lambda conn: _record_failure(conn, settings, account_id), write=True
        )
    return await _in_thread(
        engine, lambda conn: _record_success(conn, settings, account_id), write=True
    )


async def _slowly(settings: Settings, refusal: Throttled) -> Throttled:
    """A refusal answered after a short pause on the event loop (no thread, no CPU): a
    client that ignores Retry-After cannot turn the refusals themselves into a flood."""
    await anyio.sleep(settings.sign_in_refusal_pause_seconds)
    return refusal


async def _in_thread(engine: Engine, body: Callable[[Connection], T], *, write: bool = False) -> T:
    """A short transaction on a request thread (the hash is not done there)."""
    result: T = await anyio.to_thread.run_sync(
        lambda: run_in_transaction(engine, body, readonly=not write)
    )
    return result


def _look_up(conn: Connection, settings: Settings, email: str) -> _Candidate | SignInRefused:
    a = t.accounts.c
    row = conn.execute(
        select(a.id, a.password_hash, a.locked_until).where(a.email == email.strip().casefold())
    ).first()
    if row is None or row.password_hash is None:
        # Same work as a wrong password, so timing does not tell which emails exist.
        return _Candidate(None, _DUMMY_HASHES.get(settings.argon2_time_cost, ""))
    locked = _locked(settings, row.locked_until)
    return locked or _Candidate(str(row.id), str(row.password_hash))


def _locked(settings: Settings, locked_until: str | None) -> SignInRefused | None:
    now = settings.now()
    if not locked_until or datetime.fromisoformat(locked_until) <= now:
        return None
    until = datetime.fromisoformat(locked_until)
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return SignInRefused(
        f"Too many wrong passwords: this account is locked for {minutes} more minute(s). "
        "Wait, or ask the program's Contact Center to help.",
        until,
    )


def _verifies(ph: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return ph.verify(password_hash, normalize(password))
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash(settings: Settings) -> str:
    return _DUMMY_HASHES.setdefault(settings.argon2_time_cost, hasher(settings).hash("x"))


def _record_failure(conn: Connection, settings: Settings, account_id: str) -> SignInRefused:
    """One more failure, counted in the database (attempts racing each other all count)."""
    a = t.accounts.c
    conn.execute(
        t.accounts.update().where(a.id == account_id).values(failed_sign_ins=a.failed_sign_ins + 1)
    )
    row = conn.execute(select(a.failed_sign_ins, a.locked_until).where(a.id == account_id)).one()
    locked = _locked(settings, row.locked_until)
    if locked:  # another attempt locked it meanwhile
        return locked
    failures = int(row.failed_sign_ins)
    if failures >= settings.sign_in_attempts:
        until = settings.now() + timedelta(minutes=settings.lockout_minutes)
        conn.execute(
            t.accounts.update()
            .where(a.id == account_id)
            .values(failed_sign_ins=0, locked_until=until.isoformat())
        )
        return SignInRefused(
            f"Too many wrong passwords: this account is locked for "
            f"{settings.lockout_minutes} minutes.",
            until,
        )
    left = settings.sign_in_attempts - failures
    return SignInRefused(
        f"{WRONG} {left} attempt(s) left before a {settings.lockout_minutes}-minute lock."
    )


def _record_success(
    conn: Connection, settings: Settings, account_id: str
) -> tuple[str, Tokens] | SignInRefused:
    a = t.accounts.c
    row = conn.execute(select(a.active, a.locked_until).where(a.id == account_id)).one()
    locked = _locked(settings, row.locked_until)
    if locked:  # wrong passwords from elsewhere locked it while this one was checked
        return locked
    if not row.active:
        return SignInRefused("This account is no longer active. Contact the program.")
    conn.execute(
        t.accounts.update().where(a.id == account_id).values(failed_sign_ins=0, locked_until=None)
    )
    return account_id, issue_tokens(conn, settings, account_id)


_DUMMY_HASHES: dict[int, str] = {}


def issue_tokens(
    conn: Connection, settings: Settings, account_id: str, family: str | None = None
) -> Tokens:
    """A new access and refresh token, of `family` (a refresh) or of a new one (a sign-in)."""
    now = settings.now()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    family = family or secrets.token_hex(16)
    lives = timedelta(minutes=settings.access_token_minutes)
    conn.execute(
        t.tokens.insert(),
        [
            {
                "token_sha256": token_hash(access),
                "account_id": account_id,
                "kind": ACCESS,
                "expires_at": (now + lives).isoformat(),
                "revoked": False,
                "family": family,
            },
            {
                "token_sha256": token_hash(refresh),
                "account_id": account_id,
                "kind": REFRESH,
                "expires_at": (now + timedelta(days=settings.refresh_token_days)).isoformat(),
                "revoked": False,
                "family": family,
            },
        ],
    )
    return Tokens(access, refresh, int(lives.total_seconds()))


def refresh(conn: Connection, settings: Settings, refresh_token: str) -> Tokens | None:
    """New tokens for a live refresh token, which is used up (rotation). A refresh token
    used again ends its whole family: whoever holds the newer tokens must sign in again."""
    tk = t.tokens.c
    digest = token_hash(refresh_token)
    row = conn.execute(
        select(tk.account_id, tk.expires_at, tk.family).where(
            tk.token_sha256 == digest, tk.kind == REFRESH
        )
    ).first()
    if row is None or datetime.fromisoformat(row.expires_at) <= settings.now():
        return None
    # Used up here, and only if not already: of two refreshes with one token, one wins.
    used = conn.execute(
        t.tokens.update()
        .where(tk.token_sha256 == digest, tk.revoked.is_(False))
        .values(revoked=True)
    )
    if used.rowcount != 1:  # already used (or signed out): a reuse
        _revoke_family(conn, digest, row.family)
        return None
    return issue_tokens(conn, settings, str(row.account_id), row.family)


def revoke(conn: Connection, token: str) -> None:
    """Sign-out: the token and every token of its sign-in (the refresh token too)."""
    digest = token_hash(token)
    family = conn.execute(
        select(t.tokens.c.family).where(t.tokens.c.token_sha256 == digest)
    ).scalar()
    _revoke_family(conn, digest, family)


def _revoke_family(conn: Connection, digest: str, family: str | None) -> None:
    tk = t.tokens.c
    which = tk.family == family if family else tk.token_sha256 == digest
    conn.execute(t.tokens.update().where(which).values(revoked=True))


_tk, _ac = t.tokens.c, t.accounts.c
# Every request checks its token: one statement, built once.
_TOKEN_HOLDER = (
    select(
        _tk.account_id,
        _tk.expires_at,
        _tk.revoked,
        _ac.id,
        _ac.role,
        _ac.name,
        _ac.prescriber_id,
        _ac.pharmacy_id,
        _ac.active,
    )
    .join_from(t.tokens, t.accounts, _tk.account_id == _ac.id)
    .where(_tk.token_sha256 == bindparam("hash"), _tk.kind == bindparam("kind"))
)


def authenticate(conn: Connection, settings: Settings, access_token: str) -> Account | None:
    row = conn.execute(_TOKEN_HOLDER, {"hash": token_hash(access_token), "kind": ACCESS}).first()
    if row is None or row.revoked or datetime.fromisoformat(row.expires_at) <= settings.now():
        return None
    return Account(
        row.id, Role(row.role), row.name, row.prescriber_id, row.pharmacy_id, bool(row.active)
    )


@dataclass(frozen=True)
class PasswordChanged:
    other_sign_ins_ended: int  # token families revoked (this sign-in's is kept)


def change_password(
    conn: Connection, settings: Settings, access_token: str, current: str, new: str
) -> PasswordChanged | SignInRefused:
    """The signed-in person changes their own password. The current one must be right (a
    wrong one counts toward the lock, as at sign-in); the new one meets the same rules as
    everywhere (app/passwords.py); every other sign-in of the account ends, this one stays."""
    tk, a = t.tokens.c, t.accounts.c
    holder = conn.execute(
        select(tk.account_id, tk.family).where(tk.token_sha256 == token_hash(access_token))
    ).one()
    account_id, family = str(holder.account_id), holder.family
    row = conn.execute(
        select(a.email, a.name, a.password_hash, a.locked_until).where(a.id == account_id)
    ).one()
    locked = _locked(settings, row.locked_until)
    if locked:
        return locked
    if not row.password_hash or not _verifies(hasher(settings), row.password_hash, current):
        refused = _record_failure(conn, settings, account_id)
        if refused.locked_until:
            return refused
        return SignInRefused(
            "The current password is not right, so nothing was changed. "
            + refused.message.removeprefix(WRONG).strip()
        )
    set_credentials(conn, settings, account_id, row.email or "", new, name=row.name or "")
    conn.execute(
        t.accounts.update().where(a.id == account_id).values(failed_sign_ins=0, locked_until=None)
    )
    others = (tk.account_id == account_id) & tk.revoked.is_(False)
    if family:
        others &= (tk.family != family) | tk.family.is_(None)
    families = conn.execute(select(tk.family).where(others).distinct()).all()
    conn.execute(t.tokens.update().where(others).values(revoked=True))
    return PasswordChanged(len(families))
