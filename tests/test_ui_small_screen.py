"""The first pages a clinic sees, at the smallest office screen we support (1366x768): every
word-wrapped label gets the height its text needs, with a long message shown too. Before, the
first-run page's labels were squeezed to one line and, with a message, its form collapsed to
a few pixels (seen under a real X server, not offscreen: the layout, not the platform)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from desk.shell import Desk
from local_store.keys import FAST_KDF
from tests.support.memory_keyring import MemoryKeyring
from ui.main_window import DeskWindow
from ui.sign_in import SignInPage

LONG_MESSAGE = (
    "The registry at https://registry.example.org could not be reached: the connection was "
    "refused. Check the address with your IT contact, or try again when the network is back. "
    "Nothing was made on this computer."
)


def _squeezed(page: QWidget) -> list[str]:
    """The visible wrapped labels shorter than their text needs, and the fields and buttons
    shorter than they ask to be."""
    short = []
    for label in page.findChildren(QLabel):
        wrapped = label.isVisible() and label.wordWrap() and label.text()
        if wrapped and label.height() < label.heightForWidth(label.width()):
            short.append(f"label {label.text()[:40]!r}: {label.height()} px")
    for field in [*page.findChildren(QLineEdit), *page.findChildren(QPushButton)]:
        if field.isVisible() and field.height() < field.minimumSizeHint().height():
            short.append(f"{type(field).__name__} {field.accessibleName()!r}: {field.height()} px")
    return short


def test_the_first_run_page_fits_a_small_screen_with_a_long_message(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    window = DeskWindow(Desk(tmp_path / "desk", SystemClock(), kdf=FAST_KDF), SystemClock().today)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.first_run
    qtbot.waitExposed(window)
    assert _squeezed(page) == []
    page.message.setText(LONG_MESSAGE)
    qtbot.wait(50)  # the layout settles
    assert _squeezed(page) == []
    url = page.url
    assert url.width() >= 300  # the address fits, not "https://registry.ex…"


def test_the_sign_in_page_shows_a_long_message_and_the_demo_accounts_whole(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    desk = Desk(tmp_path / "desk", SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, SystemClock().today)
    qtbot.addWidget(window)
    hint = "Demo clinic (invented patients). Sign in as:\n" + "\n".join(
        f"• Person {n}\n   email p{n}@demo.clinic\n   password words {n}" for n in range(3)
    )
    page = SignInPage(desk, window.worker, demo_hint=hint)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    qtbot.waitExposed(page)
    page.message.setText(LONG_MESSAGE)
    qtbot.wait(50)
    assert _squeezed(page) == []
