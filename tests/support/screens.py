"""What the window shows, as the test expects it. The window holds its workspace, session
and last dialog as optional, general types (they change with who is signed in); a test
knows which one it is looking at, and says so here, failing with what it found instead."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QTableWidget

from local_store.session import Session
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.workspace import Workspace

Shown = TypeVar("Shown")


def office_of(window: DeskWindow) -> Workspace:
    """The office's workspace: a prescriber or a designee is signed in."""
    return shown(Workspace, window.workspace)


def pharmacy_of(window: DeskWindow) -> PharmacyWorkspace:
    """The pharmacy's workspace: a pharmacist or the pharmacy's AR is signed in."""
    return shown(PharmacyWorkspace, window.workspace)


def session_of(window: DeskWindow) -> Session:
    """The signed-in person's session."""
    session = window.session
    assert session is not None, "nobody is signed in"
    return session


def shown(kind: type[Shown], widget: object) -> Shown:
    """`widget` (a dialog, a page, a tab) as the kind the test expects to see. An
    AssertionError, so that qtbot.waitUntil keeps waiting while something else shows."""
    assert isinstance(widget, kind), f"expected a {kind.__name__}, the window shows {widget!r}"
    return widget


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    """The text a table shows in one cell; a cell with nothing in it fails the test."""
    item = table.item(row, column)
    assert item is not None, f"row {row}, column {column} is empty"
    return item.text()
