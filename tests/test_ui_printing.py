"""Printing from the window as a person does it: Ctrl+P after signing, the print preview on a
small screen, and the save dialogs; the PDFs are read back as their receiver would."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QStandardPaths, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from tests.support.memory_keyring import MemoryKeyring
from tests.support.pdf_reading import page_texts
from tests.support.screens import office_of
from tests.test_ui_pharmacy import open_pharmacy
from tests.test_ui_workflows import DESIGNEE, PRESCRIBER, WAIT, sign_in, synced
from tests.test_ui_workflows import demo as demo  # the README's demo window (a fixture)
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.print_preview import PREVIEW_DPI, PreviewDialog
from ui.psf_editor import PsfEditor

FORBIDDEN_IN_NAMES = ':/\\*?"<>|'


def _select_in_roster(qtbot: QtBot, window: DeskWindow, name: str) -> None:
    workspace = office_of(window)
    roster = workspace.roster
    model = workspace.roster_model
    row = next(r for r in range(model.rowCount()) if name in str(model.data(model.index(r, 0))))
    rect = roster.table.visualRect(model.index(row, 0))
    qtbot.mouseClick(roster.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _preview(qtbot: QtBot, window: DeskWindow) -> PreviewDialog:
    qtbot.waitUntil(lambda: isinstance(office_of(window).last_dialog, PreviewDialog), timeout=WAIT)
    preview = office_of(window).last_dialog
    assert isinstance(preview, PreviewDialog)
    return preview


def _ctrl_p(qtbot: QtBot, window: DeskWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=WAIT)
    qtbot.keyClick(window.workspace, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_p_right_after_signing_prints_the_signed_psf_with_its_period_and_submitter(
    demo: DeskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, PRESCRIBER)
    qtbot.waitUntil(lambda: synced(demo), timeout=WAIT)  # the handshake gave the numbers
    _select_in_roster(qtbot, demo, "Aisha Bello")
    qtbot.keyClick(
        demo.workspace,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | (Qt.KeyboardModifier.ShiftModifier),
    )
    qtbot.waitUntil(lambda: isinstance(office_of(demo).last_dialog, PsfEditor), timeout=WAIT)
    editor = office_of(demo).last_dialog
    assert isinstance(editor, PsfEditor)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PRESCRIBER[1], True))
    qtbot.mouseClick(editor.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    _ctrl_p(qtbot, demo)
    preview = _preview(qtbot, demo)
    assert "(signed)" in preview.job.title
    text = "\n".join(page_texts(preview.job.pdf))
    assert "Electronically signed by Dr. Ada Okafor" in text
    assert "DRAFT" not in text
    # The reporting period and who submitted it, from the form.
    assert "From (after the last PSF)" in text and "To (date of this form)" in text
    dates = re.search(
        r"From \(after the last PSF\)\n (\d\d/\d\d/\d{4})\nTo \(date of this form\)\n "
        r"(\d\d/\d\d/\d{4})",
        text,
    )
    assert dates, "no reporting period printed"
    start, end = (datetime.strptime(d, "%m/%d/%Y").date() for d in dates.groups())
    assert start <= end == date.today()
    assert "X\nPrescriber" in text
    assert "Name of the person submitting\n Dr. Ada Okafor" in text
    # The numbers the demo's training registry supplied, marked as the 2023 program's.
    assert "Fax 800-878-5927" in text and "Phone 888-586-0758" in text
    assert "numbers from the 2023 program FAQ" in text


def _ink(page: QImage) -> float:
    """The share of the page's pixels that are darker than mid-grey."""
    grey = page.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = bytes(grey.constBits())
    stride, width = grey.bytesPerLine(), grey.width()
    dark = sum(
        sum(1 for v in rows[y * stride : y * stride + width] if v < 128)
        for y in range(0, grey.height(), 4)  # every 4th row is plenty to tell ink from none
    )
    return dark / (width * len(range(0, grey.height(), 4)))


def test_the_blank_psf_previews_with_no_external_program_on_the_path(
    demo: DeskWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, demo, DESIGNEE)
    nothing = tmp_path / "empty-path"
    nothing.mkdir()
    monkeypatch.setenv("PATH", str(nothing))  # as on Windows or macOS: no poppler, no anything
    warnings: list[str] = []  # a failure to preview is told in a message box
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    demo.activateWindow()
    qtbot.waitUntil(lambda: demo.isActiveWindow(), timeout=WAIT)
    qtbot.keyClick(
        demo.workspace,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: bool(warnings) or isinstance(office_of(demo).last_dialog, PreviewDialog),
        timeout=WAIT,
    )
    assert not warnings
    preview = _preview(qtbot, demo)
    assert "Blank" in preview.job.title
    pages = preview.job.pages
    assert len(pages) == len(page_texts(preview.job.pdf)) == 2
    for page in pages:
        # US Letter, 8.5 × 11 inches, at the preview's resolution.
        assert (page.width(), page.height()) == (8.5 * PREVIEW_DPI, 11 * PREVIEW_DPI)
        assert 0.01 < _ink(page) < 0.5, "a page with no form drawn on it"


def test_the_preview_fits_the_screen_and_save_as_pdf_is_on_it(
    demo: DeskWindow, qtbot: QtBot
) -> None:
    sign_in(qtbot, demo, PRESCRIBER)
    _select_in_roster(qtbot, demo, "Aisha Bello")
    _ctrl_p(qtbot, demo)
    preview = _preview(qtbot, demo)
    qtbot.waitExposed(preview)
    screen = preview.screen().availableGeometry()
    assert screen.contains(preview.frameGeometry()), (preview.frameGeometry(), screen)
    save = next(b for b in preview.findChildren(QPushButton) if "PDF" in b.text())
    assert save.isVisible()
    corner = save.mapToGlobal(QPoint(save.width() - 1, save.height() - 1))
    assert screen.contains(save.mapToGlobal(QPoint(0, 0))) and screen.contains(corner)


def test_save_dialogs_open_in_documents_then_the_last_folder_with_safe_names(
    demo: DeskWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import save_paths

    monkeypatch.setattr(save_paths, "_last_folder", None)
    asked: list[str] = []
    answers = [str(tmp_path / "chosen" / "bello.pdf"), ""]

    def dialog(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args[2])
        return answers.pop(0), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    (tmp_path / "chosen").mkdir()
    sign_in(qtbot, demo, PRESCRIBER)
    _select_in_roster(qtbot, demo, "Aisha Bello")
    _ctrl_p(qtbot, demo)
    preview = _preview(qtbot, demo)
    preview.save_pdf()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = Path(asked[0])
    assert first.parent == (Path(documents) if Path(documents).is_dir() else Path.home())
    assert first.parent != Path.cwd()
    assert not set(first.name) & set(FORBIDDEN_IN_NAMES), first.name
    assert first.name.startswith("Patient Status Form - Aisha Bello") and first.suffix == ".pdf"
    assert "Aisha Bello" in " ".join(page_texts((tmp_path / "chosen" / "bello.pdf").read_bytes()))
    preview.save_pdf()  # the next dialog opens where the person saved last
    assert Path(asked[1]).parent == tmp_path / "chosen"

    answers.append("")
    office = office_of(demo)
    office.setCurrentWidget(office.pharmacies)
    office.pharmacies.export_csv()
    assert Path(asked[2]).parent == tmp_path / "chosen"
    assert Path(asked[2]).name == "certified-pharmacies.csv"


def test_the_fallback_fax_cover_counts_its_pages_and_points_to_no_empty_line(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot
) -> None:
    window = open_pharmacy(tmp_path / "rx", qtbot)
    workspace = window.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    from tests.test_ui_pharmacy import preview_of

    preview_of(qtbot, window, "Pavel Petrov")
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Nothing was authorized" in workspace.rda.answer.text(), timeout=WAIT)
    qtbot.mouseClick(workspace.rda.fallback, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(workspace.last_dialog, PreviewDialog), timeout=WAIT)
    preview = workspace.last_dialog
    assert isinstance(preview, PreviewDialog)
    pages = page_texts(preview.job.pdf)
    cover = pages[0]
    assert f"Page 1 of {len(pages)}" in cover and len(pages) == 2
    assert f"Pages, including this one\n {len(pages)}" in cover
    assert "Fax page 2 of 2" in pages[1]
    # This workstation was never given numbers: it says which fax to use, in words.
    assert "To: the Clozapine REMS program you report to" in cover
    assert "Use the fax number of the Clozapine REMS program you report to" in cover
    assert "___" not in cover
    assert "at the number above" not in cover  # the From phone box is empty here
    assert "phone number written in the From box" in " ".join(cover.split())
    window.close()
