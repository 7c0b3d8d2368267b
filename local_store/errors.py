"""What can go wrong opening or writing the store, each said so a person knows what to do."""

from __future__ import annotations

from datetime import datetime

from app import thresholds as t


class StoreError(Exception):
    """A problem with the workstation's encrypted store. `str()` is the message to show."""


class KeyringUnavailable(StoreError):
    """No OS keyring to hold the workstation's secrets. We never fall back to plaintext."""

    def __init__(self) -> None:
        super().__init__(
            "This computer has no secure password store (OS keyring) that Clozapine REMS Desk "
            "can use, so it cannot keep patient data safely here. On Windows and macOS the "
            "store is built in; on Linux, sign in to a desktop session with GNOME Keyring or "
            "KWallet running, then start the app again (on a Linux without a desktop, the "
            'README\'s "A keyring on Linux" says how to run one). '
            "Ask your IT support if this persists."
        )


class DeviceSecretMissing(StoreError):
    """The keyring works but does not hold this store's device secret."""

    def __init__(self) -> None:
        super().__init__(
            "This computer's keyring, for the user signed in to it, does not hold the key "
            "of this store, so the store cannot be opened here. It may have been copied from "
            "another computer or user account: open it where it was set up, or ask IT "
            "support to restore that user's keyring."
        )


class WrongPassword(StoreError):
    def __init__(self, attempts_left: int) -> None:
        self.attempts_left = attempts_left
        left = (
            f"{attempts_left} more wrong attempt{'s' if attempts_left != 1 else ''} will lock "
            f"the account for {t.SIGN_IN_LOCKOUT_MINUTES} minutes."
            if attempts_left > 0
            else ""
        )
        super().__init__(f"The email or password is not right. Check both and try again. {left}")


class UnknownAccount(StoreError):
    def __init__(self) -> None:
        super().__init__("The email or password is not right. Check both and try again.")


class AccountLocked(StoreError):
    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        super().__init__(
            f"This account is locked after {t.SIGN_IN_ATTEMPTS} wrong passwords. "
            f"Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''} (at {until.astimezone().strftime('%H:%M')}), "
            "or ask the workstation administrator to reset the password."
        )


class AccountProblem(StoreError):
    """An account cannot be created or changed as asked (duplicate email, weak password...)."""


class StoreWriteFailed(StoreError):
    """A change could not be saved; everything saved before it is intact."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            "The change was not saved: the computer could not write to its disk "
            f"({detail}). Free some disk space or ask IT support, then try again. "
            "Everything saved before is intact."
        )


class StoreDamaged(StoreError):
    """The database file is not a store this workstation can open."""


class SessionLocked(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "This session is locked (after a period without activity, or after signing out). "
            "Enter your password to continue."
        )
