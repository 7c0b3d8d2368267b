"""Sending an RDA or a Dispense Rationale so that the registry acts on it once.

The request's Idempotency-Key comes from the store first (`Session.dispensing_key`: the same
request by the same person today has one key until its answer is recorded), then the request
goes with it. So a second click after a lost answer, or the same request after a restart,
gets the registry's answer to the first (a replay) and counts nothing twice. The caller
records the answer with `settles=<the key>` (`Session.record_registry_answer`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desk.registry import RegistryApi, StillProcessing
from desk.session import Session
from ui.registry_calls import RegistryCalls
from ui.tasks import StoreWorker

T = TypeVar("T")


class DispensingRequests:
    def __init__(self, session: Session, worker: StoreWorker, calls: RegistryCalls) -> None:
        self.session, self.worker, self.calls = session, worker, calls

    def send(
        self,
        path: str,
        body: dict[str, Any],
        ask: Callable[[RegistryApi, dict[str, Any], str], T],
        done: Callable[[T], None],
        failed: Callable[[str, bool], None],
        still_processing: Callable[[str], None],
    ) -> None:
        """`ask(api, body, key)` (a `RegistryApi` method: `RegistryApi.request_rda`) with the
        key for `path` and `body`, off the GUI thread; then `done`, or `failed(words,
        offline)`, or `still_processing(words)` (409 IN_FLIGHT) on it."""
        session = self.session

        def post(key: str) -> None:
            def call(api: RegistryApi) -> T | StillProcessing:
                try:
                    return ask(api, body, key)
                except StillProcessing as answer:
                    return answer

            def answered(result: T | StillProcessing) -> None:
                if isinstance(result, StillProcessing):
                    still_processing(str(result))
                else:
                    done(result)

            self.calls.run(call, answered, failed)

        def not_started(error: BaseException) -> None:
            failed(f"Nothing was sent to the registry: {error}", False)

        self.worker.run(lambda: session.dispensing_key(path, body), post, not_started)
