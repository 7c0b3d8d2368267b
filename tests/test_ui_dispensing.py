"""The pharmacy at the registry (pytest-qt, a served registry over HTTP on loopback): look a
patient up online, ask for an RDA, and on a PSF-only denial give a Dispense Rationale; the
fourth outpatient one in 365 days is refused with the count shown. Then a wholesaler's
certified-pharmacy list, its CSV export and the order check."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from app.rda import RdaReason
from app.roles import Role
from desk.shell import Desk, DeskConfig
from local_store.keys import FAST_KDF
from registry import assessment
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_world import PASSWORD, World, ok, signed_in
from tests.support.screens import cell_text, pharmacy_of
from ui.dispense_rationale import DispenseRationaleDialog
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace
from ui.wholesaler_workspace import WholesalerWorkspace

WAIT = 30_000
DAY = date(2024, 2, 20)  # the registry's test clock, set below
NPI_A = "1234567893"  # Dr. A's


def connected_window(folder: Path, world: World, who: str, qtbot: QtBot) -> DeskWindow:
    """A workstation set up for `who`'s registry account, signed in, its link up."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    desk.create_connected(DeskConfig(world.url), [(world.emails[who], PASSWORD)])
    window = DeskWindow(desk, lambda: DAY, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    page = window.sign_in_page
    qtbot.keyClicks(page.email, world.emails[who])
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=WAIT)
    report = window.last_report
    assert report is not None and report.connectivity.value == "online", report
    return window


def rationale(world: World, who: str) -> dict[str, object]:
    body = {
        "pharmacy_id": world.ids[who.removeprefix("ar_")],
        "patient_id": world.ids["p1"],
        "npi": NPI_A,
        "anc": {"value": 2000, "unit": "/uL", "drawn": DAY.isoformat()},
    }
    answer: dict[str, object] = ok(world.client(who).post("/v1/dispense-rationales", body))
    return answer


def test_a_psf_only_denial_offers_the_dispense_rationale_and_the_fourth_is_refused(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    # Rosa Test (p1) had a first dispense at the other pharmacy, then two Dispense
    # Rationales there: no PSF has been submitted since her enrollment on 01/03/2024.
    other = world.client("ar_rx_y")
    ok(other.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}))
    rda = {"pharmacy_id": world.ids["rx_y"], "patient_id": world.ids["p1"],
           "prescriber_id": world.ids["dr_a"]}  # fmt: skip
    assert ok(other.post("/v1/rda", rda))["authorized"]
    ok(world.operator.put("/v1/test/clock", {"today": DAY.isoformat()}))
    assert [rationale(world, "ar_rx_y")["authorized"] for _ in range(2)] == [True, True]

    window = connected_window(tmp_path / "rx", world, "ar_rx_x", qtbot)
    workspace = window.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    qtbot.keyClicks(workspace.name, "Rosa Test")
    workspace.dob.setDate(QDate(1980, 1, 1))
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    # Not on this new workstation: the registry finds her, and her chart comes with a sync.
    qtbot.waitUntil(lambda: "The registry found 1" in workspace.registry_note.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith("Rosa Test"), timeout=WAIT)
    assert workspace.panel.messages() == [RdaReason.PSF_NOT_CURRENT.message]

    def ask_and_open_rationale() -> DispenseRationaleDialog:
        workspace.last_dialog = None
        qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
        assert not workspace.rda.request.isEnabled()  # no second request while one is out
        qtbot.waitUntil(lambda: "Denied" in workspace.rda.answer.text(), timeout=WAIT)
        assert workspace.rda.request.isEnabled()
        assert RdaReason.PSF_NOT_CURRENT.message in workspace.rda.answer.text()
        assert workspace.rda.rationale.isVisible()  # offered: the PSF alone is missing
        qtbot.mouseClick(workspace.rda.rationale, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
        dialog = workspace.last_dialog
        assert isinstance(dialog, DispenseRationaleDialog)
        return dialog

    def fill_in(dialog: DispenseRationaleDialog) -> None:
        qtbot.keyClicks(dialog.npi, "1234567890")  # a typo: the check digit is wrong
        assert "Not a valid NPI" in dialog.npi_check.text()
        assert not dialog.send.isEnabled()
        dialog.npi.clear()
        qtbot.keyClicks(dialog.npi, NPI_A)
        assert dialog.npi_check.text() == "✓ A valid NPI."
        qtbot.keyClicks(dialog.anc.value, "1.9")
        assert not dialog.send.isEnabled()  # the unit is never assumed
        dialog.anc.unit.setCurrentIndex(2)  # K/µL
        assert dialog.anc.meaning.text() == "= 1,900 cells/µL"
        assert dialog.send.isEnabled()

    dialog = ask_and_open_rationale()
    qtbot.waitUntil(lambda: dialog.left.text().startswith("1 of 3 left"), timeout=WAIT)
    fill_in(dialog)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Authorized by Dispense" in dialog.reply.text(), timeout=WAIT)
    assert dialog.left.text().startswith("None left this year for this patient: 3 of 3 used")
    dialog.close()

    dialog = ask_and_open_rationale()  # still no PSF: the fourth in 365 days
    qtbot.waitUntil(lambda: dialog.left.text().startswith("None left"), timeout=WAIT)
    fill_in(dialog)
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Refused" in dialog.reply.text(), timeout=WAIT)
    assert "DISPENSE_RATIONALE_LIMIT_REACHED" in dialog.reply.text()
    assert "3 of 3 Dispense Rationales used in the last 365 days" in dialog.reply.text()
    assert "Do not dispense" in dialog.reply.text()

    # Each of the registry's answers is recorded on the workstation, newest first.
    qtbot.waitUntil(lambda: workspace.answers.rowCount() == 4, timeout=WAIT)
    recorded = [cell_text(workspace.answers, r, 2) for r in range(4)]
    assert recorded[0].startswith("Rosa Test: Dispense Rationale refused: DISPENSE_RATIONALE_LIMIT")
    assert recorded[1].startswith("Rosa Test: RDA denied: PSF_NOT_CURRENT")
    assert recorded[2].startswith("Rosa Test: Dispense Rationale accepted (3 of 3 used")
    assert recorded[3].startswith("Rosa Test: RDA denied: PSF_NOT_CURRENT")
    window.close()


def test_the_authorized_representative_sees_staff_and_invites_one(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    window = connected_window(tmp_path / "rx", world, "ar_rx_x", qtbot)
    workspace = pharmacy_of(window)
    workspace.setCurrentWidget(workspace.dashboard)
    dashboard = workspace.dashboard
    qtbot.waitUntil(lambda: dashboard.staff.rowCount() == 2, timeout=WAIT)
    assert dashboard.standing.text() == "Certified"
    assert dashboard.setting.text() == "Outpatient"
    roles = sorted(cell_text(dashboard.staff, r, 2) for r in range(2))
    assert roles == ["Pharmacy authorized representative", "Pharmacy staff"]
    window.close()


def test_a_wholesaler_searches_exports_and_checks_an_order(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    ok(world.operator.post(f"/v1/pharmacies/{world.ids['rx_y']}/deactivate"))
    window = connected_window(tmp_path / "ws", world, "ws", qtbot)
    workspace = window.workspace
    assert isinstance(workspace, WholesalerWorkspace)
    listing = workspace.pharmacies
    qtbot.waitUntil(lambda: listing.table.rowCount() == 1, timeout=WAIT)
    assert cell_text(listing.table, 0, 0) == "rx_x"  # rx_y was deactivated: not listed
    qtbot.keyClicks(listing.search, "nothing like it")
    assert listing.table.rowCount() == 0 and listing.count.text().startswith("0 of 1")
    listing.search.clear()
    qtbot.keyClicks(listing.search, "RX_")
    assert listing.table.rowCount() == 1
    exported = tmp_path / "certified.csv"
    listing.export_csv(str(exported))
    rows = list(csv.reader(exported.open()))
    assert rows == [["pharmacy_id", "name", "setting", "certified_as_of"],
                    [world.ids["rx_x"], "rx_x", "outpatient", DAY.isoformat()]]  # fmt: skip
    listing.table.selectRow(0)
    qtbot.mouseClick(listing.check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "says the registry" in listing.verdict.text(), timeout=WAIT)
    assert listing.verdict.text().startswith("✓ rx_x is certified now")
    window.close()


def test_an_inpatient_pharmacy_sends_an_anc_with_its_rda(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: QtBot, world: World
) -> None:
    ok(world.operator.put("/v1/test/clock", {"today": DAY.isoformat()}))
    email = "ar.ward@hospital.test"
    body = {"email": email, "password": PASSWORD, "pharmacy_name": "Ward 4 pharmacy",
            "setting": "inpatient"}  # fmt: skip
    ok(world.operator.post_public("/v1/pharmacies", body))
    ar = signed_in(world.url, email)
    ok(ar.post("/v1/assessment", {"answers": assessment.correct_answers(Role.PHARMACY_AR)}))
    world.emails["ar_ward"] = email

    def ancs() -> list[dict[str, object]]:
        """The registry's ANCs, once each (the feed has a copy per audience), by seq."""
        feed = ok(world.operator.changes(0, 10_000))["changes"]
        return [body for _, body in sorted({c["key"]: c["body"] for c in feed
                                             if c["kind"] == "anc"}.items())]  # fmt: skip

    before = len(ancs())
    window = connected_window(tmp_path / "ward", world, "ar_ward", qtbot)
    workspace = pharmacy_of(window)
    qtbot.waitUntil(lambda: workspace.rda.with_anc.isVisible(), timeout=WAIT)  # inpatient
    qtbot.keyClicks(workspace.name, "Rosa Test")
    workspace.dob.setDate(QDate(1980, 1, 1))
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith("Rosa Test"), timeout=WAIT)
    workspace.rda.with_anc.setChecked(True)
    qtbot.keyClicks(workspace.rda.anc.value, "2400")
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not ready" in workspace.rda.answer.text(), timeout=WAIT)
    assert len(ancs()) == before  # nothing sent without the unit
    workspace.rda.anc.unit.setCurrentIndex(1)  # cells/µL
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Authorized (first dispense)" in workspace.rda.answer.text(), timeout=WAIT
    )
    sent = ancs()
    assert len(sent) == before + 1 and sent[-1]["per_ul"] == 2400
    window.close()
