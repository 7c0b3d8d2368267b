"""The workstation: its store, its accounts, and signing in.

Nothing opens without a password. Creating a workstation makes a random data key, a device
secret in the OS keyring, the encrypted database, and the first account's wrapped copy of
the key. Signing in unwraps the key (Argon2id) and opens the database with it. Five wrong
passwords lock an account for 30 minutes (FAQ, Technical Support Q10); the wrong attempts
and lock-outs are audited when the next person signs in, because the audit log is inside
the database that a failed sign-in cannot open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app import thresholds as t
from app.clock import Clock
from app.passwords import password_problem
from app.records import Account
from app.roles import Role
from local_store import device_secret, keys, schema
from local_store import workstation_file as wsfile
from local_store.audit import AuditAction, AuditLog
from local_store.database import Database
from local_store.errors import (
    AccountLocked,
    AccountProblem,
    StoreDamaged,
    UnknownAccount,
    WrongPassword,
)
from local_store.ledger import StoreLedger
from local_store.paths import DATABASE_NAME, WORKSTATION_NAME
from local_store.session import Session

LOCKOUT = timedelta(minutes=t.SIGN_IN_LOCKOUT_MINUTES)
IDLE_LOCK = timedelta(minutes=t.IDLE_LOCK_MINUTES)
MAX_PENDING = 500  # failed sign-ins kept for the audit log until someone signs in


@dataclass(frozen=True)
class NewAccount:
    """One person, one account, one role, one email (FAQ, General Q4-Q5)."""

    email: str
    name: str
    role: Role
    prescriber_id: str | None = None  # a designee's prescriber; a prescriber's own id
    pharmacy_id: str | None = None
    id: str = ""


@dataclass(frozen=True)
class AccountSummary:
    """What the sign-in screen may show before anyone signs in."""

    id: str
    email: str
    name: str
    role: Role
    locked_until: datetime | None


class Workstation:
    def __init__(
        self,
        folder: Path,
        clock: Clock,
        *,
        kdf: keys.KdfParams = keys.DEFAULT_KDF,
        idle_timeout: timedelta = IDLE_LOCK,
    ) -> None:
        self.folder = folder
        self.clock = clock
        self.kdf = kdf
        self.idle_timeout = idle_timeout

    @property
    def database_path(self) -> Path:
        return self.folder / DATABASE_NAME

    @property
    def file_path(self) -> Path:
        return self.folder / WORKSTATION_NAME

    def exists(self) -> bool:
        return self.file_path.exists()

    # First run
    def create(self, first: NewAccount, password: str) -> Session:
        """Set up the store and its first account; returns that account's session."""
        if self.exists() or self.database_path.exists():
            raise AccountProblem(f"A store already exists in {self.folder}.")
        _check_password(password, first)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        store_id = str(uuid.uuid4())
        secret = device_secret.create_device_secret(store_id)
        data_key = keys.new_data_key()
        account = _workstation_account(first, data_key, password, secret, self.kdf)
        contents = wsfile.WorkstationFile(store_id, {account.id: account})
        db = Database.open(self.database_path, data_key)
        try:
            schema.migrate(db, self.clock.now)
            db.actor_id = account.id
            with db.transaction():
                db.execute(
                    "INSERT INTO store_info (key, value) VALUES ('store_id', ?)", (store_id,)
                )
                save_program_account(db, account)
                audit = AuditLog(db, keys.derive(data_key, "audit"))
                audit.record(
                    self.clock.now(),
                    account.id,
                    AuditAction.ACCOUNT,
                    account.id,
                    f"store created; first account ({account.role.value})",
                )
            wsfile.write(self.file_path, contents, _file_key(secret))
        except BaseException:
            # Nothing half-made is left behind: the next attempt starts clean.
            db.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.database_path}{suffix}").unlink(missing_ok=True)
            device_secret.delete_secret(device_secret.device_secret_name(store_id))
            raise
        return self._session(account, data_key, db)

    def accounts(self) -> list[AccountSummary]:
        contents = self._read()[0]
        return [
            AccountSummary(a.id, a.email, a.name, a.role, a.locked_until)
            for a in contents.accounts.values()
            if a.active
        ]

    # Signing in
    def sign_in(self, email: str, password: str) -> Session:
        contents, secret = self._read()
        account = contents.by_email(email)
        if account is None or not account.active:
            # As slow as a real check, so timing does not tell which emails have accounts.
            keys.spend_like_unwrap(password, self.kdf)
            self._note(contents, secret, "", AuditAction.SIGN_IN_FAILED, "unknown email")
            raise UnknownAccount()
        data_key = self._unlock_key(contents, secret, account, password)
        db = Database.open(self.database_path, data_key)
        try:
            schema.migrate(db, self.clock.now)
            db.actor_id = account.id
            session = self._session(account, data_key, db)
            with db.transaction():
                for event in contents.pending:
                    session.audit.record(
                        event.at,
                        event.account_id,
                        AuditAction(event.action),
                        event.account_id,
                        event.detail,
                    )
                session.audit.record(self.clock.now(), account.id, AuditAction.SIGN_IN, account.id)
        except BaseException:
            db.close()
            raise
        if contents.pending:
            contents.pending.clear()
            wsfile.write(self.file_path, contents, _file_key(secret))
        return session

    def check_password(self, account_id: str, password: str) -> bytes:
        """Re-authenticate (to sign a form, to unlock an idle session); returns the data key.
        Wrong attempts count toward the lock-out like any sign-in."""
        contents, secret = self._read()
        account = contents.accounts.get(account_id)
        if account is None:
            raise UnknownAccount()
        return self._unlock_key(contents, secret, account, password)

    def _unlock_key(
        self,
        contents: wsfile.WorkstationFile,
        secret: bytes,
        account: wsfile.WorkstationAccount,
        password: str,
    ) -> bytes:
        now = self.clock.now()
        if account.locked_until is not None:
            if now < account.locked_until:
                raise AccountLocked(account.locked_until, now)
            account.locked_until = None
            account.failed_attempts = 0
        try:
            data_key = keys.unwrap(account.wrapped, password, secret, account.id)
        except ValueError:
            account.failed_attempts += 1
            contents.pending.append(
                wsfile.PendingEvent(
                    now,
                    account.id,
                    AuditAction.SIGN_IN_FAILED.value,
                    f"wrong password ({account.failed_attempts})",
                )
            )
            if account.failed_attempts >= t.SIGN_IN_ATTEMPTS:
                account.locked_until = now + LOCKOUT
                contents.pending.append(
                    wsfile.PendingEvent(
                        now,
                        account.id,
                        AuditAction.LOCKOUT.value,
                        f"locked until {account.locked_until.isoformat()}",
                    )
                )
            wsfile.write(self.file_path, contents, _file_key(secret))
            if account.locked_until is not None:
                raise AccountLocked(account.locked_until, now) from None
            raise WrongPassword(t.SIGN_IN_ATTEMPTS - account.failed_attempts) from None
        if account.failed_attempts:
            account.failed_attempts = 0
            wsfile.write(self.file_path, contents, _file_key(secret))
        return data_key

    # Accounts (called by a signed-in session)
    def add_account(self, data_key: bytes, new: NewAccount, password: str) -> str:
        contents, secret = self._read()
        if contents.by_email(new.email) is not None:
            raise AccountProblem(
                f"{new.email} already has an account here. One person, one account: use it, "
                "or ask the workstation administrator to reset its password."
            )
        _check_password(password, new)
        account = _workstation_account(new, data_key, password, secret, self.kdf)
        contents.accounts[account.id] = account
        wsfile.write(self.file_path, contents, _file_key(secret))
        return account.id

    def set_password(self, data_key: bytes, account_id: str, password: str) -> None:
        """Re-wrap the same data key under a new password: nothing is re-encrypted."""
        contents, secret = self._read()
        account = contents.accounts[account_id]
        _check_password(password, NewAccount(account.email, account.name, account.role))
        account.wrapped = keys.wrap(data_key, password, secret, account.id, self.kdf)
        account.failed_attempts = 0
        account.locked_until = None
        wsfile.write(self.file_path, contents, _file_key(secret))

    def account(self, account_id: str) -> wsfile.WorkstationAccount:
        return self._read()[0].accounts[account_id]

    def _read(self) -> tuple[wsfile.WorkstationFile, bytes]:
        if not self.exists():
            raise StoreDamaged(
                f"There is no store in {self.folder} yet. Start the app to set one up."
            )
        store_id = wsfile.peek_store_id(self.file_path)
        secret = device_secret.load_device_secret(store_id)
        return wsfile.read(self.file_path, _file_key(secret)), secret

    def _note(
        self,
        contents: wsfile.WorkstationFile,
        secret: bytes,
        account_id: str,
        action: AuditAction,
        detail: str,
    ) -> None:
        contents.pending.append(
            wsfile.PendingEvent(self.clock.now(), account_id, action.value, detail)
        )
        # Someone typing at the sign-in screen must not grow the file without end.
        if len(contents.pending) > MAX_PENDING:
            dropped = len(contents.pending) - MAX_PENDING + 1
            contents.pending[:dropped] = [
                wsfile.PendingEvent(
                    self.clock.now(),
                    "",
                    AuditAction.SIGN_IN_FAILED.value,
                    "earlier failed sign-ins were not kept (too many to keep)",
                )
            ]
        wsfile.write(self.file_path, contents, _file_key(secret))

    def _session(
        self, account: wsfile.WorkstationAccount, data_key: bytes, db: Database
    ) -> Session:
        return Session(self, account, data_key, db)


def _file_key(secret: bytes) -> bytes:
    return keys.derive(secret, "workstation file")


def _check_password(password: str, new: NewAccount) -> None:
    problem = password_problem(password, email=new.email, name=new.name)
    if problem:
        raise AccountProblem(problem)


def _workstation_account(
    new: NewAccount, data_key: bytes, password: str, secret: bytes, kdf: keys.KdfParams
) -> wsfile.WorkstationAccount:
    email = wsfile.normalize_email(new.email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountProblem(f"{new.email!r} is not an email address. Type the full address.")
    if not new.name.strip():
        raise AccountProblem("Type the person's full name: it is printed with their signature.")
    if new.role is Role.DESIGNEE and not new.prescriber_id:
        raise AccountProblem("A designee account must be linked to a prescriber.")
    account_id = new.id or str(uuid.uuid4())
    prescriber_id = new.prescriber_id
    if new.role is Role.PRESCRIBER and not prescriber_id:
        prescriber_id = account_id  # a prescriber's own program id, until the registry's
    return wsfile.WorkstationAccount(
        id=account_id,
        email=email,
        name=new.name.strip(),
        role=new.role,
        prescriber_id=prescriber_id,
        pharmacy_id=new.pharmacy_id,
        wrapped=keys.wrap(data_key, password, secret, account_id, kdf),
    )


def save_program_account(db: Database, account: wsfile.WorkstationAccount) -> None:
    """The account as the rules see it (role, prescriber link), kept in the store."""
    with db.transaction():
        StoreLedger(db).save_account(
            Account(
                account.id,
                account.role,
                account.name,
                account.prescriber_id,
                account.pharmacy_id,
                account.active,
            )
        )
        db.execute("UPDATE accounts SET email = ? WHERE id = ?", (account.email, account.id))
