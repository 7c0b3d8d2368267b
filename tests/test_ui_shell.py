"""The window's shell as a person meets it: the roster's filter and due dates, the idle lock
over every open window, the status bar's honesty about the registry and the outbox, the
window's size on a small screen, and background failures said in words (issue #15)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QMenu,
    QMessageBox,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from desk.demo.accounts import DEMO_ACCOUNTS
from desk.demo.seed import seed_demo_registry
from desk.shell import EMBEDDED, Desk, DeskConfig
from local_store.errors import StoreError
from local_store.keys import FAST_KDF
from tests.support.absent_keyring import absent_keyring
from tests.support.desk_window import sign_in, start_demo, workspace_of
from tests.support.memory_keyring import MemoryKeyring
from ui import theme
from ui.add_anc import AddAncDialog
from ui.main_window import DeskWindow
from ui.psf_editor import SAVE_DELAY_MS, PsfEditor

DESIGNEE = DEMO_ACCOUNTS["sam-rivera"]
REPO = Path(__file__).resolve().parent.parent
WAIT = 30_000  # ms


@pytest.fixture
def demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    """The README's demo: a store, an embedded registry with the demo clinic, the window."""
    window = start_demo(tmp_path / "demo", qtbot)
    yield window
    window.close()


def roster_rows(window: DeskWindow) -> dict[str, list[str]]:
    assert window.workspace is not None
    model = workspace_of(window).roster_model
    rows = {}
    for row in range(model.rowCount()):
        cells = [str(model.data(model.index(row, c))) for c in range(model.columnCount())]
        rows[cells[0].removeprefix("⚠ ")] = cells
    return rows


def filter_roster(qtbot: QtBot, window: DeskWindow, typed: str) -> list[str]:
    assert window.workspace is not None
    box = workspace_of(window).roster.filter
    box.clear()
    model = workspace_of(window).roster_model
    with qtbot.waitSignal(model.pageLoaded, timeout=WAIT):
        qtbot.keyClicks(box, typed)
    qtbot.waitUntil(lambda: model.generation > 0 and not window.worker.busy, timeout=WAIT)
    return sorted(roster_rows(window))


# Item 8: the roster's filter and due dates
def test_the_roster_filter_finds_any_part_of_a_name_ignoring_case_and_accents(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert filter_roster(qtbot, demo, "kow") == ["Tomasz Kowalski"]
    assert filter_roster(qtbot, demo, "TRAN") == ["Linh Tran"]
    assert filter_roster(qtbot, demo, "olcer") == ["María José Núñez-Ölçer"]
    assert filter_roster(qtbot, demo, "tomasz k") == ["Tomasz Kowalski"]
    assert filter_roster(qtbot, demo, "zzz") == []


def test_a_past_psf_due_date_is_flagged_overdue_like_a_past_anc_due_date(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert demo.workspace is not None
    model = workspace_of(demo).roster_model
    names = list(roster_rows(demo))
    row = names.index("Linh Tran")  # her latest PSF is 45 days old: due 8 days ago
    psf_due = model.index(row, 8)
    assert str(model.data(psf_due)).startswith("OVERDUE ")
    assert model.data(psf_due, Qt.ItemDataRole.FontRole).bold()
    kowalski = model.index(names.index("Tomasz Kowalski"), 8)  # a PSF 10 days ago: not due
    assert not str(model.data(kowalski)).startswith("OVERDUE")


# Item 6: a first start without a keyring, then a start with one
@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(absent_keyring())
    yield
    keyring.set_keyring(previous)


def test_without_a_keyring_the_demo_says_so_once_in_words_and_makes_nothing(
    tmp_path: Path, no_keyring: None, qtbot: QtBot
) -> None:
    folder = tmp_path / "demo"
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    message = window.first_run.message
    qtbot.waitUntil(lambda: "keyring" in message.text(), timeout=90_000)
    words = message.text()
    assert words.count("no secure password store") == 1
    assert "keyring.backends" not in words and "not secure" not in words
    assert "keyrings.alt" not in words  # keyring's own advice, a plaintext file: never
    assert "README" in words  # where to read how to get one on a Linux without a desktop
    assert not desk.is_set_up()
    assert not any(folder.glob("demo-registry.db*")) and not (folder / "desk.json").exists()
    window.close()


def _half_made_demo(folder: Path) -> None:
    """What a first start without a keyring used to leave: the training registry made and
    filled (its accounts' emails taken), its configuration saved, and no store."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    desk.save_config(DeskConfig(EMBEDDED))
    operator_password = "an operator password of the failed start"
    process = desk._embedded_registry(operator_password)
    try:
        seed_demo_registry(process.url, operator_password, SystemClock().today())
    finally:
        desk.stop()


@pytest.mark.parametrize("first_start", ["without a keyring", "half made by an older version"])
def test_after_a_first_start_without_a_keyring_the_next_start_opens_the_demo(
    tmp_path: Path, qtbot: QtBot, first_start: str
) -> None:
    folder = tmp_path / "demo"
    previous = keyring.get_keyring()
    if first_start == "without a keyring":
        keyring.set_keyring(absent_keyring())
        try:
            desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
            with pytest.raises(StoreError):
                desk.create_demo(SystemClock().today())
            desk.stop()
        finally:
            keyring.set_keyring(previous)
    else:
        _half_made_demo(folder)
    keyring.set_keyring(MemoryKeyring())
    try:
        desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
        window = DeskWindow(desk, SystemClock().today, sync_interval=0.5)
        qtbot.addWidget(window)
        window.show()
        window.first_run.create_demo()
        qtbot.waitUntil(
            lambda: hasattr(window, "sign_in_page") or _message_kind(window) == "problem",
            timeout=90_000,
        )
        assert hasattr(window, "sign_in_page"), window.first_run.message.text()
        sign_in(qtbot, window, DESIGNEE)
        assert "Tomasz Kowalski" in roster_rows(window)
        window.close()
    finally:
        keyring.set_keyring(previous)


def _message_kind(window: DeskWindow) -> str:
    return window.first_run.message.objectName() if window.first_run.message.text() else ""


# Item 5: the idle lock covers every window, asks once, and gives back what was typed
def _patient_id(window: DeskWindow, name: str) -> str:
    assert window.workspace is not None
    model = workspace_of(window).roster_model
    row = list(roster_rows(window)).index(name)
    return str(model.data(model.index(row, 0), Qt.ItemDataRole.UserRole))


def _words_on_screen() -> str:
    """Every word a person could read now: titles and the text of each visible widget."""
    words: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        words.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            for reader in ("text", "toPlainText", "placeholderText"):
                read = getattr(widget, reader, None)
                if callable(read):
                    with contextlib.suppress(TypeError):
                        words.append(str(read()))
            if isinstance(widget, QTabBar):
                words += [widget.tabText(n) for n in range(widget.count())]
    return "\n".join(words)


def test_the_idle_lock_hides_every_window_asks_once_and_keeps_what_was_typed(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    workspace = workspace_of(demo)
    kowalski = _patient_id(demo, "Tomasz Kowalski")
    workspace.new_psf(kowalski)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PsfEditor), timeout=WAIT)
    editor = workspace.last_dialog
    assert isinstance(editor, PsfEditor)
    qtbot.keyClicks(editor.adverse, "mild sedation")
    workspace.add_anc(kowalski)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, AddAncDialog), timeout=WAIT)
    anc = workspace.last_dialog
    assert isinstance(anc, AddAncDialog)
    qtbot.keyClicks(anc.value, "1500")
    assert "Kowalski" in _words_on_screen() and "06/03/1972" in _words_on_screen()

    session = demo.session
    assert session is not None
    session.workstation.idle_timeout = timedelta(seconds=1)
    qtbot.wait(SAVE_DELAY_MS)  # the draft saves itself (what the person typed is kept)
    qtbot.waitUntil(lambda: not demo.worker.busy, timeout=WAIT)
    qtbot.wait(1300)  # then nobody types or clicks
    prompts: list[str] = []

    def prompt(*_args: object, **_kwargs: object) -> tuple[str, bool]:
        prompts.append(_words_on_screen())
        # The idle timer goes on firing while the prompt waits: no second prompt stacks.
        demo.check_idle()
        qtbot.wait(300)
        return DESIGNEE[1], True

    monkeypatch.setattr(QInputDialog, "getText", prompt)
    demo.check_idle()
    qtbot.waitUntil(lambda: bool(prompts) and not session.locked, timeout=WAIT)
    qtbot.wait(300)
    assert len(prompts) == 1
    assert "Kowalski" not in prompts[0] and "06/03/1972" not in prompts[0]
    assert "Tomasz" not in prompts[0]
    # Unlocked: the editor and the dialog are back as they were, with what was typed.
    qtbot.waitUntil(lambda: editor.isVisible() and anc.isVisible(), timeout=WAIT)
    assert editor.adverse.text() == "mild sedation"
    assert anc.value.text() == "1500"
    assert workspace.isVisible()


def test_a_window_that_opens_while_locked_stays_hidden_until_unlock(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A print preview or a chart's dialog asked for just before the lock arrives after it."""
    sign_in(qtbot, demo, DESIGNEE)
    workspace = workspace_of(demo)
    kowalski = _patient_id(demo, "Tomasz Kowalski")
    seen: list[str] = []

    def prompt(*_args: object, **_kwargs: object) -> tuple[str, bool]:
        workspace._add_anc_dialog(kowalski, "Tomasz Kowalski")  # its answer arrives now
        qtbot.wait(200)
        seen.append(_words_on_screen())
        return DESIGNEE[1], True

    monkeypatch.setattr(QInputDialog, "getText", prompt)
    demo.lock_now()
    qtbot.waitUntil(lambda: bool(seen) and isinstance(workspace.last_dialog, AddAncDialog))
    assert "Kowalski" not in seen[0]
    dialog = workspace.last_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)


# Item 10: the status bar tells the truth about the registry and the outbox
@pytest.fixture
def quiet_demo(tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot) -> Iterator[DeskWindow]:
    """The demo with the background sync every hour: only what the person does reaches
    the registry after the first sync."""
    window = start_demo(tmp_path / "demo", qtbot, sync_interval=3600)
    yield window
    window.close()


def _status(window: DeskWindow) -> str:
    return window.sync_status.label.text()


def test_a_refused_item_is_counted_in_the_status_bar(demo: DeskWindow, qtbot: QtBot) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    qtbot.waitUntil(lambda: _status(demo).startswith("● Online"), timeout=WAIT)
    session = demo.session
    assert session is not None
    # An ANC for a patient the registry does not know: it refuses it.
    demo.worker.run_now(lambda: session.queue_anc("p-nobody", "1500", "/µL", "2026-11-30"))
    demo.sync_now()
    qtbot.waitUntil(lambda: "1 refused — see Outbox" in _status(demo), timeout=WAIT)
    assert "nothing queued" in _status(demo)
    assert theme.ALERT_TEXT in demo.sync_status.label.styleSheet()  # not the green of "all well"
    qtbot.waitUntil(
        lambda: (
            demo.statusBar().currentMessage()
            == "Synced with the registry. 1 refused item waits in the Outbox for you."
        ),
        timeout=WAIT,
    )
    # The registry goes down: the next answer is offline, and "Synced" goes at once (not
    # when its 8 seconds are up), so the bar never says synced and offline side by side.
    process = demo.desk.registry_process
    assert process is not None
    process.kill()
    demo.sync_now()
    qtbot.waitUntil(lambda: _status(demo).startswith("○ Offline"), timeout=WAIT)
    qtbot.waitUntil(lambda: "Synced" not in demo.statusBar().currentMessage(), timeout=2000)


def test_a_look_up_that_cannot_reach_the_registry_turns_the_status_offline(
    quiet_demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, quiet_demo, DESIGNEE)
    qtbot.waitUntil(lambda: _status(quiet_demo).startswith("● Online"), timeout=WAIT)
    process = quiet_demo.desk.registry_process
    assert process is not None and quiet_demo.workspace is not None
    process.kill()  # the registry goes down between two syncs
    answers: list[tuple[str, bool]] = []
    workspace_of(quiet_demo).calls.run(
        lambda api: api.handshake(),
        lambda _r: answers.append(("", False)),
        lambda words, offline: answers.append((words, offline)),
    )
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT)
    assert answers[0] == (
        "The registry cannot be reached (the network or the registry is down).",
        True,
    )
    assert _status(quiet_demo).startswith("○ Offline since")
    # "Sync now" says what will happen, in words.
    session = quiet_demo.session
    assert session is not None
    quiet_demo.worker.run_now(
        lambda: session.queue_anc(_patient_id(quiet_demo, "Linh Tran"), "2100", "/µL", "2026-11-30")
    )
    quiet_demo.sync_now()
    qtbot.waitUntil(lambda: "cannot" in quiet_demo.statusBar().currentMessage(), timeout=WAIT)
    words = quiet_demo.statusBar().currentMessage()
    assert (
        "The registry cannot be reached; 1 item stays queued and will be sent when it is back"
        in (words)
    ), words
    # The asked sync answers (offline) ...
    qtbot.waitUntil(
        lambda: (
            quiet_demo.last_report is not None
            and quiet_demo.last_report.connectivity.value != "online"
        ),
        timeout=WAIT,
    )
    # ... then the registry comes back, found by the person's next look-up: the queue goes,
    # and the message that said the registry cannot be reached goes with it at once, not
    # when its 15 seconds are up.
    process.start()
    workspace_of(quiet_demo).calls.run(
        lambda api: api.handshake(), lambda _r: None, lambda words, offline: None
    )
    qtbot.waitUntil(lambda: "nothing queued" in _status(quiet_demo), timeout=WAIT)
    qtbot.waitUntil(lambda: "cannot" not in quiet_demo.statusBar().currentMessage(), timeout=2000)


# Build 2: background failures reach the person
def test_a_failing_job_with_no_handler_tells_the_person_in_words(
    demo: DeskWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(qtbot, demo, DESIGNEE)

    def broken() -> None:
        raise KeyError("Tomasz Kowalski")  # a message that quotes a patient

    demo.worker.run(broken)
    qtbot.waitUntil(lambda: demo.last_failure is not None, timeout=WAIT)
    box = demo.findChild(QMessageBox, "background-failure")
    assert box is not None and box.isVisible()
    assert "Something went wrong on this workstation (KeyError)" in box.text()
    assert "nothing already saved was lost" in box.text()
    assert "Kowalski" not in box.text()
    assert "KeyError" in caplog.text and "Kowalski" not in caplog.text  # logged, without PHI


def test_a_registry_call_that_fails_on_this_workstation_is_not_called_offline(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    assert demo.workspace is not None
    qtbot.waitUntil(lambda: demo.link is not None and demo.link.client() is not None, timeout=WAIT)
    answers: list[tuple[str, bool]] = []

    def call(client: object) -> object:
        answer: dict[str, object] = {}
        return answer["patient"]  # an answer read wrongly here

    workspace_of(demo).calls.run(
        call, lambda _r: None, lambda words, offline: answers.append((words, offline))
    )
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT)
    words, offline = answers[0]
    assert not offline
    assert words.startswith("Something went wrong on this workstation (KeyError); nothing was lost")


# Item 9: the window on a 1366×768 screen
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_signed_in_window_fits_the_screen_status_bar_and_all(size: tuple[int, int]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("QT_QPA_PLATFORM", None)  # the child names its platform (and screen) itself
    out = subprocess.run(
        [sys.executable, str(REPO / "tests" / "support" / "window_on_screen.py"), *map(str, size)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    x, y, width, height = seen["frame"]
    fx, fy, free_width, free_height = seen["free"]
    assert (fx, fy, free_width, free_height) == (0, 0, *size)
    assert x >= fx and y >= fy and x + width <= fx + free_width and y + height <= fy + free_height
    assert seen["status_bar_visible"] and seen["status_bar_bottom"] < fy + free_height
    # The roster's ten columns fit, each wide enough for its text ("OVERDUE 12/01/2026").
    assert seen["roster_clipped"] == [] and not seen["roster_wider_than_view"]


def test_quit_in_the_session_menu_closes_the_window_signed_out_and_stops_the_registry(
    quiet_demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, quiet_demo, DESIGNEE)
    registry = quiet_demo.desk.registry_process
    assert registry is not None and registry.process is not None
    (menu,) = [m for m in quiet_demo.menuBar().findChildren(QMenu) if m.title() == "&Session"]
    (action,) = [a for a in menu.actions() if a.text() == "&Quit"]
    assert action.shortcut().toString() == "Ctrl+Q"
    action.trigger()
    qtbot.waitUntil(lambda: not quiet_demo.isVisible(), timeout=WAIT)
    assert quiet_demo.session is None
    assert registry.process.poll() is not None  # the embedded registry ended with the window


def test_a_folder_the_app_cannot_write_in_is_named_with_what_to_do(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    # A folder under a file: no one can write there, root included (CI runs as root, so a
    # read-only folder would not stop it).
    locked = tmp_path / "not-a-folder"
    locked.write_text("")
    desk = Desk(locked / "demo", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    window.show()
    window.first_run.create_demo()
    message = window.first_run.message
    qtbot.waitUntil(lambda: "does not let the app write" in message.text(), timeout=WAIT)
    assert str(locked / "demo") in message.text() and "--data-dir" in message.text()
    assert "start the app again" not in message.text()
    window.close()
