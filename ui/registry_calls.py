"""Calls to the registry that a person waits for (a look-up, an RDA, a Dispense Rationale, a
staff list): on their own thread, never the GUI's nor the store's, through the registry
link's session (one sign-in, one refresh token). A call that cannot reach the registry fails
with words a pharmacist can act on; what to do offline is the caller's to offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desk.shell import SaidToThePerson
from ui.tasks import StoreWorker, log_failure

if TYPE_CHECKING:
    from sync.client import Answer, RegistryClient

NOT_CONNECTED = (
    "Not connected to the registry yet: this workstation is offline or still starting its "
    "link. Try again in a moment."
)


class NotConnected(Exception):
    pass


class RegistryRefused(SaidToThePerson):
    """The registry answered and refused the request itself: its words say why."""


class StillProcessing(RegistryRefused):
    """409 IN_FLIGHT: the registry has this request (its Idempotency-Key) and has not finished
    it. Asking again with the same key is safe; it gets the first request's answer."""


STILL_PROCESSING = (
    "The registry is still processing the first request. Ask again in a moment: it is the "
    "same request, so the registry acts on it only once."
)


def accepted(answer: Answer) -> Any:
    """The body of an answer the registry accepted; a refusal raises `RegistryRefused`."""
    if answer.status == 409 and answer.error == "IN_FLIGHT":
        raise StillProcessing(STILL_PROCESSING)
    if not answer.ok:
        raise RegistryRefused(refusal_words(answer))
    return answer.body


def refusal_words(answer: Answer) -> str:
    """A refused call as the registry put it: its message, and its code for the Contact Center."""
    code = answer.error or f"HTTP {answer.status}"
    if answer.status >= 500:  # not a refusal: the registry itself failed
        return (
            f"The registry answered with an error: {answer.message or 'no reason given'} "
            f"({code}). Try again in a while; if it goes on, call the Contact Center."
        )
    return f"{answer.message or 'The registry refused this.'} ({code})"


def problem_words(error: BaseException) -> tuple[str, bool]:
    """What went wrong in words, and whether it is that the registry was out of reach. Only
    a network failure (or no link yet, or a sign-in the registry asks for) is "offline":
    an error the registry answered, or one on this workstation, is said as what it is."""
    from sync.client import RegistryUnreachable, SignInRequired

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


def offline_words(error: BaseException) -> str:
    from sync.client import RegistryNotTrusted, RegistryUnreachable, SignInRequired

    if isinstance(error, NotConnected):
        return NOT_CONNECTED
    if isinstance(error, RegistryNotTrusted):
        return str(error)
    if isinstance(error, RegistryUnreachable):
        return "The registry cannot be reached (the network or the registry is down)."
    if isinstance(error, SignInRequired):
        return "The registry asks you to sign in again: use the button in the status bar."
    return f"Something went wrong talking to the registry: {error}"


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
        call: Callable[[RegistryClient], Any],
        done: Callable[[Any], None],
        failed: Callable[[str, bool], None],
    ) -> None:
        """`call(client)` off the GUI thread; `done(result)` or `failed(words, offline)` back
        on it (`offline`: the registry could not be reached or asked for a sign-in)."""
        from sync.client import RegistryUnreachable

        def job() -> Any:
            client = self._client()
            if client is None:
                raise NotConnected()
            return call(client)

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
