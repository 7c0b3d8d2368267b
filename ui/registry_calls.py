"""Calls to the registry that a person waits for (a look-up, an RDA, a Dispense Rationale, a
staff list): on their own thread, never the GUI's nor the store's, through the registry
link's session (one sign-in, one refresh token). A call that cannot reach the registry fails
with words a pharmacist can act on; what to do offline is the caller's to offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desk.registry import (
    NOT_CONNECTED,
    STILL_PROCESSING,
    NotConnected,
    RegistryApi,
    RegistryClient,
    RegistryRefused,
    RegistryUnreachable,
    SignInRequired,
    StillProcessing,
    accepted,
    offline_words,
    refusal_words,
)
from desk.shell import SaidToThePerson
from ui.tasks import StoreWorker, log_failure

__all__ = [
    "NOT_CONNECTED",
    "STILL_PROCESSING",
    "NotConnected",
    "RegistryCalls",
    "RegistryRefused",
    "StillProcessing",
    "accepted",
    "offline_words",
    "problem_words",
    "refusal_words",
]

T = TypeVar("T")


def problem_words(error: BaseException) -> tuple[str, bool]:
    """What went wrong in words, and whether it is that the registry was out of reach. Only
    a network failure (or no link yet, or a sign-in the registry asks for) is "offline":
    an error the registry answered, or one on this workstation, is said as what it is."""
    if isinstance(error, RegistryRefused):
        return str(error), False
    if isinstance(error, NotConnected | RegistryUnreachable | SignInRequired):
        return offline_words(error), True
    log_failure(error)
    if isinstance(error, SaidToThePerson):
        return str(error), False
    return (
        f"Something went wrong on this workstation ({type(error).__name__}); nothing was "
        "lost. Try again, and if it happens again, tell your IT support.",
        False,
    )


class RegistryCalls:
    def __init__(
        self,
        client: Callable[[], RegistryClient | None],
        on_reach: Callable[[str | None], None] | None = None,
    ) -> None:
        """`on_reach(None)` after a call the registry answered; `on_reach(words)` after one
        that could not reach it over the network (the status bar then says Offline)."""
        self._client = client
        self._on_reach = on_reach or (lambda _words: None)
        self._worker = StoreWorker("registry-call")

    def run(
        self,
        call: Callable[[RegistryApi], T],
        done: Callable[[T], None],
        failed: Callable[[str, bool], None],
    ) -> None:
        """`call(api)` off the GUI thread; `done(result)` or `failed(words, offline)` back
        on it (`offline`: the registry could not be reached or asked for a sign-in)."""

        def job() -> T:
            client = self._client()
            if client is None:
                raise NotConnected()
            return call(RegistryApi(client))

        def answered(result: Any) -> None:
            self._on_reach(None)
            done(result)

        def not_answered(error: BaseException) -> None:
            words, offline = problem_words(error)
            if isinstance(error, RegistryUnreachable):
                self._on_reach(words)
            elif isinstance(error, RegistryRefused):
                self._on_reach(None)  # it answered: it is up
            failed(words, offline)

        self._worker.run(job, answered, not_answered)

    def shutdown(self) -> None:
        """No waiting for a call in flight (it may wait on the network): its reply is dropped."""
        self._worker.shutdown(wait=False)
