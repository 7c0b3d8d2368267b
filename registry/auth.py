"""Registry accounts: passwords (Argon2id), sign-in with the program's lock-out after too many
failures (app/thresholds.py), and opaque tokens (a short-lived access token and a refresh token).

Tokens are random; only their SHA-256 is stored, so a copy of the database signs no one in.
Any worker can check any token: the state is in the database, not the process.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, select

from app.records import Account
from app.roles import Role
from registry import tables as t
from registry.settings import Settings

ACCESS = "access"
REFRESH = "refresh"


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
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
    conn: Connection, settings: Settings, account_id: str, email: str, password: str
) -> None:
    conn.execute(
        t.accounts.update()
        .where(t.accounts.c.id == account_id)
        .values(email=email.strip().casefold(), password_hash=hasher(settings).hash(password))
    )


def email_taken(conn: Connection, email: str) -> bool:
    row = conn.execute(
        select(t.accounts.c.id).where(t.accounts.c.email == email.strip().casefold())
    ).first()
    return row is not None


def sign_in(
    conn: Connection, settings: Settings, email: str, password: str
) -> tuple[str, Tokens] | SignInRefused:
    """The account id and new tokens, or why not. Failed attempts are written here, so the
    caller commits even when refused."""
    now = settings.now()
    a = t.accounts.c
    row = conn.execute(
        select(a.id, a.password_hash, a.failed_sign_ins, a.locked_until, a.active).where(
            a.email == email.strip().casefold()
        )
    ).first()
    ph = hasher(settings)
    wrong = SignInRefused("The email or password is not right. Check both and try again.")
    if row is None or row.password_hash is None:
        # Same work as a wrong password, so timing does not tell which emails exist.
        with contextlib.suppress(VerificationError):
            ph.verify(_DUMMY_HASHES.setdefault(settings.argon2_time_cost, ph.hash("x")), password)
        return wrong
    if row.locked_until and datetime.fromisoformat(row.locked_until) > now:
        until = datetime.fromisoformat(row.locked_until)
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        return SignInRefused(
            f"Too many wrong passwords: this account is locked for {minutes} more minute(s). "
            "Wait, or ask the program's Contact Center to help.",
            until,
        )
    try:
        ph.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        failures = int(row.failed_sign_ins) + 1
        values: dict[str, object] = {"failed_sign_ins": failures}
        if failures >= settings.sign_in_attempts:
            until = now + timedelta(minutes=settings.lockout_minutes)
            values = {"failed_sign_ins": 0, "locked_until": until.isoformat()}
            conn.execute(t.accounts.update().where(a.id == row.id).values(**values))
            return SignInRefused(
                f"Too many wrong passwords: this account is locked for "
                f"{settings.lockout_minutes} minutes.",
                until,
            )
        conn.execute(t.accounts.update().where(a.id == row.id).values(**values))
        left = settings.sign_in_attempts - failures
        return SignInRefused(
            f"{wrong.message} {left} attempt(s) left before a {settings.lockout_minutes}-minute "
            "lock."
        )
    if not row.active:
        return SignInRefused("This account is no longer active. Contact the program.")
    conn.execute(
        t.accounts.update().where(a.id == row.id).values(failed_sign_ins=0, locked_until=None)
    )
    return row.id, issue_tokens(conn, settings, row.id)


_DUMMY_HASHES: dict[int, str] = {}


def issue_tokens(conn: Connection, settings: Settings, account_id: str) -> Tokens:
    now = settings.now()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
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
            },
            {
                "token_sha256": token_hash(refresh),
                "account_id": account_id,
                "kind": REFRESH,
                "expires_at": (now + timedelta(days=settings.refresh_token_days)).isoformat(),
                "revoked": False,
            },
        ],
    )
    return Tokens(access, refresh, int(lives.total_seconds()))


def refresh(conn: Connection, settings: Settings, refresh_token: str) -> Tokens | None:
    """New tokens for a live refresh token, which is used up (rotation)."""
    account_id = _holder(conn, settings, refresh_token, REFRESH)
    if account_id is None:
        return None
    revoke(conn, refresh_token)
    return issue_tokens(conn, settings, account_id)


def revoke(conn: Connection, token: str) -> None:
    conn.execute(
        t.tokens.update().where(t.tokens.c.token_sha256 == token_hash(token)).values(revoked=True)
    )


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


def _holder(conn: Connection, settings: Settings, token: str, kind: str) -> str | None:
    tk = t.tokens.c
    row = conn.execute(
        select(tk.account_id, tk.expires_at, tk.revoked).where(
            tk.token_sha256 == token_hash(token), tk.kind == kind
        )
    ).first()
    if row is None or row.revoked or datetime.fromisoformat(row.expires_at) <= settings.now():
        return None
    return str(row.account_id)
