"""Attacks on issue #18's lab import in the window (pytest-qt, the demo clinic): a tired
person closing the review while its ANCs are being recorded, with the same file dropped
twice behind it: each file is reviewed once at a time, and each ANC queued once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from local_store.outbox import OutboxKind, OutboxState
from tests.support.desk_window import DESIGNEE, WAIT, sign_in, start_demo
from tests.support.memory_keyring import MemoryKeyring
from ui.lab_review import LabReviewDialog
from ui.main_window import DeskWindow
from ui.workspace import Workspace

SAMPLES = Path(__file__).parent / "lab_samples"


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def six_results(folder: Path, name: str, days_ago: int) -> Path:
    """The six-result sample drawn `days_ago`, its specimen numbers made that day's."""
    drawn = date.today() - timedelta(days=days_ago)
    text = (SAMPLES / "oru-six-results.hl7").read_bytes()
    path = folder / name
    day = drawn.strftime("%Y%m%d").encode()
    path.write_bytes(text.replace(b"20261130", day).replace(b"ACC-", b"ACC-" + day + b"-"))
    return path


def anc_items(workspace: Workspace) -> int:
    live = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY_WAIT, OutboxState.ACKED)
    items = workspace.worker.run_now(lambda: workspace.session.outbox.items(*live))
    return sum(1 for i in items if i.kind == OutboxKind.REPORT_ANC.value)


def reviews() -> list[LabReviewDialog]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, LabReviewDialog) and w.isVisible()
    ]


def test_closing_a_review_while_it_records_never_opens_one_file_twice(
    demo: DeskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    workspace = sign_in(qtbot, demo, DESIGNEE)
    demo.desk.registry_process.kill()  # type: ignore[union-attr]  # offline: counts hold
    first = six_results(tmp_path, "monday.hl7", 2)
    second = six_results(tmp_path, "tuesday.hl7", 1)
    flow = workspace.lab_imports
    flow.open(first, second, second)  # dropped twice: nothing seemed to happen the first time
    qtbot.waitUntil(lambda: len(reviews()) == 1, timeout=WAIT)
    [review] = reviews()
    before = anc_items(workspace)
    busy = threading.Event()
    workspace.worker.run(busy.wait)  # the store thread is busy (a sync, a big file)
    review.ok.click()  # Record 4 ANCs…
    review.reject()  # …and, tired, Esc at once: "Close, record nothing"
    busy.set()
    qtbot.waitUntil(lambda: workspace.worker.busy == 0, timeout=WAIT)
    qtbot.wait(500)
    opened = reviews()
    for dialog in opened:  # each review the desk shows is accepted as it stands
        dialog.ok.click()
        qtbot.waitUntil(dialog.isHidden, timeout=WAIT)
    qtbot.waitUntil(lambda: workspace.worker.busy == 0, timeout=WAIT)
    # Monday's four and Tuesday's four, once each (today 12: Tuesday's are queued twice).
    assert anc_items(workspace) - before == 8, (anc_items(workspace) - before, len(opened))
    assert len(opened) == 1, [d.windowTitle() for d in opened]
