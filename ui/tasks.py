"""Work off the GUI thread: one thread owns every touch of the store (so the database is never
used from two threads), and results come back to the window through a Qt signal.

`StoreWorker.run(job, done, failed)` runs `job()` on the store thread, then calls
`done(result)` or `failed(error)` on the GUI thread. Jobs run one at a time, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot


class _Delivery(QObject):
    """Lives on the GUI thread; a signal emitted from the store thread is queued to it."""

    arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.arrived.connect(self._call)

    @Slot(object)
    def _call(self, thunk: Callable[[], None]) -> None:
        thunk()


class StoreWorker:
    def __init__(self, name: str = "store") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._delivery = _Delivery()
        self.busy = 0  # jobs not finished yet (tests wait for 0)
        self.closed = False

    def run(
        self,
        job: Callable[[], Any],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        if self.closed:
            return  # the window closed: a late reply (a sync, a registry call) has no one to tell
        self.busy += 1

        def finished(future: Future[Any]) -> None:
            error = future.exception()
            if error is None:
                result = future.result()
                thunk = (lambda: done(result)) if done else (lambda: None)
            elif failed is not None:
                thunk = lambda: failed(error)  # noqa: E731
            else:
                thunk = lambda: _unhandled(error)  # noqa: E731
            self._delivery.arrived.emit(lambda: self._finish(thunk))

        self._pool.submit(job).add_done_callback(finished)

    def _finish(self, thunk: Callable[[], None]) -> None:
        self.busy -= 1
        if not self.closed:  # after shutdown the widgets to tell may be gone
            thunk()

    def run_now(self, job: Callable[[], Any]) -> Any:
        """Wait for a job (closing the window, tests): the store thread still does it."""
        return self._pool.submit(job).result()

    def shutdown(self, wait: bool = True) -> None:
        self.closed = True
        self._pool.shutdown(wait=wait)


def _unhandled(error: BaseException) -> None:
    raise error
