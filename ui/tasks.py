"""Work off the GUI thread: one thread owns every touch of the store (so the database is never
used from two threads), and results come back to the window through a Qt signal.

`StoreWorker.run(job, done, failed)` runs `job()` on the store thread, then calls
`done(result)` or `failed(error)` on the GUI thread. Jobs run one at a time, in order.
A job given no `failed` still fails out loud: the worker's `on_failure` (the window's: a
message in words, the details logged without patient information) is called instead, so no
failure can pass unseen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

_log = logging.getLogger("clozapine.desk")


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
    def __init__(
        self, name: str = "store", on_failure: Callable[[BaseException], None] | None = None
    ) -> None:
        self.on_failure = on_failure or tell_failure
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

        on_failure = failed or self.on_failure

        def finished(future: Future[Any]) -> None:
            error = future.exception()
            if error is None:
                result = future.result()
                thunk = (lambda: done(result)) if done else (lambda: None)
            else:
                thunk = lambda: on_failure(error)  # noqa: E731
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


def log_failure(error: BaseException) -> None:
    """A failure's type and where it happened, for whoever looks after the workstation; not
    its message, which may quote a patient's name or a typed value."""
    from desk.shell import problem_trace

    _log.warning("a background job failed:\n%s", problem_trace(error))


def show_failure(
    words: str, title: str = "Clozapine REMS Desk", parent: QWidget | None = None
) -> QMessageBox:
    """A failure said in a box that does not stop the window (no nested event loop: the
    work around it goes on, and a test is never held up by it)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, words, QMessageBox.StandardButton.Ok,
        parent or QApplication.activeWindow(),
    )  # fmt: skip
    box.setObjectName("background-failure")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def tell_failure(error: BaseException) -> None:
    """The last resort for a worker made without the window's words: say it plainly."""
    log_failure(error)
    show_failure(
        f"Something went wrong on this workstation ({type(error).__name__}). Nothing already "
        "saved was lost; try again, and if it happens again, tell your IT support."
    )
