"""Exactly-once clicks (pytest-qt, a served registry behind the fault proxy): the registry
acts on an RDA or a Dispense Rationale, its answer is lost on the way back, and the
pharmacist clicks again, or closes the app and asks again after starting it. The second try
sends the first one's Idempotency-Key, so the registry records one dispense (one Rationale
used) and the window shows the registry's answer to the first try. While the registry is
still on the first try, the window says so and offers to ask again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.clock import SystemClock
from app.rda import RdaReason
from desk.shell import Desk, DeskConfig
from local_store.keys import FAST_KDF
from registry import tables as t
from tests.support.fault_proxy import IN_FLIGHT, FaultProxy
from tests.support.memory_keyring import MemoryKeyring
from tests.support.registry_server import ServedRegistry
from tests.support.registry_world import PASSWORD, World, ok
from tests.support.screens import cell_text
from ui.dispense_rationale import PATH as RATIONALES
from ui.dispense_rationale import DispenseRationaleDialog
from ui.dispensing import RDA_PATH
from ui.main_window import DeskWindow
from ui.pharmacy_workspace import PharmacyWorkspace

WAIT = 30_000
ENROLLED = date(2024, 1, 3)  # the world's registry day: Rosa Test's first dispense is due
NO_PSF = date(2024, 2, 20)  # no PSF since her enrollment: a Dispense Rationale is offered
NPI_A = "1234567893"
LOST = "cannot be reached"
FIRST_ANSWER = "had not reached this workstation"


@pytest.fixture
def proxy(served_registry: ServedRegistry) -> Iterator[FaultProxy]:
    with FaultProxy(served_registry.url, rate=0.0, seed=14) as proxy:
        yield proxy


def start_app(folder: Path, world: World, today: date, qtbot: QtBot) -> PharmacyWorkspace:
    """The pharmacy's app started and signed in as its AR, Rosa Test looked up."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    window = DeskWindow(desk, lambda: today, sync_interval=3600)
    qtbot.addWidget(window)
    window.show()
    page = window.sign_in_page
    qtbot.keyClicks(page.email, world.emails["ar_rx_x"])
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=WAIT)
    workspace = window.workspace
    assert isinstance(workspace, PharmacyWorkspace)
    qtbot.keyClicks(workspace.name, "Rosa Test")
    workspace.dob.setDate(QDate(1980, 1, 1))
    qtbot.mouseClick(workspace.look_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.panel.verdict.text().startswith("Rosa Test"), timeout=WAIT)
    return workspace


def set_up(folder: Path, world: World, proxy: FaultProxy) -> None:
    """The pharmacy's workstation, its registry reached through the proxy."""
    desk = Desk(folder, SystemClock(), kdf=FAST_KDF)
    desk.create_connected(DeskConfig(proxy.url), [(world.emails["ar_rx_x"], PASSWORD)])


def quit_app(workspace: PharmacyWorkspace) -> None:
    workspace.window().close()


def dispenses(served: ServedRegistry, world: World) -> int:
    """Dispenses the registry recorded for Rosa Test at this pharmacy."""
    d = t.dispenses.c
    query = select(func.count()).where(
        d.patient_id == world.ids["p1"], d.pharmacy_id == world.ids["rx_x"]
    )
    with served.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def rationales_used(world: World) -> int:
    patient = ok(world.client("ar_rx_y").get(f"/v1/patients/{world.ids['p1']}"))
    return int(patient["dispense_rationales_used"])


def recorded(workspace: PharmacyWorkspace, qtbot: QtBot, count: int) -> list[str]:
    qtbot.waitUntil(lambda: workspace.answers.rowCount() == count, timeout=WAIT)
    return [cell_text(workspace.answers, r, 2) for r in range(count)]


def ask_rda(workspace: PharmacyWorkspace, qtbot: QtBot, until: Callable[[str], bool]) -> str:
    qtbot.mouseClick(workspace.rda.request, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: until(workspace.rda.answer.text()), timeout=WAIT)
    return workspace.rda.answer.text()


def answered(words: str) -> Callable[[str], bool]:
    return lambda text: words in text and "Asking the registry" not in text


def test_a_second_click_after_a_lost_answer_records_one_dispense(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    world: World,
    served_registry: ServedRegistry,
    proxy: FaultProxy,
) -> None:
    set_up(tmp_path / "rx", world, proxy)
    workspace = start_app(tmp_path / "rx", world, ENROLLED, qtbot)
    proxy.plan(RDA_PATH, "reset_after")  # the registry authorizes; the answer is lost
    text = ask_rda(workspace, qtbot, answered(LOST))
    assert "Asking again sends the same request" in text
    assert dispenses(served_registry, world) == 1  # the registry did act

    text = ask_rda(workspace, qtbot, answered("Authorized (first dispense)"))
    assert FIRST_ANSWER in text
    assert dispenses(served_registry, world) == 1
    first, again = proxy.keys[RDA_PATH]
    assert first == again
    [line] = recorded(workspace, qtbot, 1)
    assert line.startswith("Rosa Test: RDA authorized (first dispense)")
    assert line.endswith("(the answer to the first request, asked again)")

    # Answered and recorded: the next click is a new dispense, and counts as one.
    text = ask_rda(workspace, qtbot, answered("Authorized"))
    assert "first dispense" not in text and FIRST_ANSWER not in text
    assert dispenses(served_registry, world) == 2
    assert len(set(proxy.keys[RDA_PATH])) == 2
    assert recorded(workspace, qtbot, 2)[0].startswith("Rosa Test: RDA authorized (subsequent")


def test_the_app_restarted_after_a_lost_answer_asks_once_more_and_records_one_dispense(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    world: World,
    served_registry: ServedRegistry,
    proxy: FaultProxy,
) -> None:
    set_up(tmp_path / "rx", world, proxy)
    workspace = start_app(tmp_path / "rx", world, ENROLLED, qtbot)
    proxy.plan(RDA_PATH, "reset_after")
    ask_rda(workspace, qtbot, answered(LOST))
    quit_app(workspace)

    workspace = start_app(tmp_path / "rx", world, ENROLLED, qtbot)
    text = ask_rda(workspace, qtbot, answered("Authorized (first dispense)"))
    assert FIRST_ANSWER in text
    assert dispenses(served_registry, world) == 1
    assert len(proxy.keys[RDA_PATH]) == 2 and len(set(proxy.keys[RDA_PATH])) == 1
    [line] = recorded(workspace, qtbot, 1)
    assert line.startswith("Rosa Test: RDA authorized (first dispense)")


def test_while_the_registry_is_still_on_the_first_request_the_window_offers_to_ask_again(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    world: World,
    served_registry: ServedRegistry,
    proxy: FaultProxy,
) -> None:
    set_up(tmp_path / "rx", world, proxy)
    workspace = start_app(tmp_path / "rx", world, ENROLLED, qtbot)
    # The first answer is lost; the second try finds the registry still on the first.
    proxy.plan(RDA_PATH, "reset_after", IN_FLIGHT)
    ask_rda(workspace, qtbot, answered(LOST))
    assert not workspace.rda.again.isVisible()
    text = ask_rda(workspace, qtbot, answered("still processing the first request"))
    assert "Do not dispense yet" in text
    assert workspace.rda.again.isVisible()

    qtbot.mouseClick(workspace.rda.again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: answered("Authorized (first dispense)")(workspace.rda.answer.text()), timeout=WAIT
    )
    assert not workspace.rda.again.isVisible()
    assert dispenses(served_registry, world) == 1
    assert len(proxy.keys[RDA_PATH]) == 3 and len(set(proxy.keys[RDA_PATH])) == 1


def psf_only_denial(world: World) -> None:
    """Rosa Test had her first dispense at the other pharmacy; no PSF since her enrollment."""
    other = world.client("ar_rx_y")
    ok(other.post("/v1/patients/lookup", {"name": "Rosa Test", "dob": "1980-01-01"}))
    rda = {"pharmacy_id": world.ids["rx_y"], "patient_id": world.ids["p1"],
           "prescriber_id": world.ids["dr_a"]}  # fmt: skip
    assert ok(other.post("/v1/rda", rda))["authorized"]
    ok(world.operator.put("/v1/test/clock", {"today": NO_PSF.isoformat()}))


def open_rationale(
    workspace: PharmacyWorkspace, qtbot: QtBot, left: str
) -> DispenseRationaleDialog:
    workspace.last_dialog = None
    ask_rda(workspace, qtbot, answered("Denied"))
    assert RdaReason.PSF_NOT_CURRENT.message in workspace.rda.answer.text()
    qtbot.mouseClick(workspace.rda.rationale, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.last_dialog is not None, timeout=WAIT)
    dialog = workspace.last_dialog
    assert isinstance(dialog, DispenseRationaleDialog)
    qtbot.waitUntil(lambda: dialog.left.text().startswith(left), timeout=WAIT)
    qtbot.keyClicks(dialog.npi, NPI_A)
    qtbot.keyClicks(dialog.anc.value, "1.9")
    dialog.anc.unit.setCurrentIndex(2)  # K/µL
    assert dialog.send.isEnabled()
    return dialog


def send(dialog: DispenseRationaleDialog, qtbot: QtBot, words: str) -> str:
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            words in dialog.reply.text() and "Sending to the registry" not in dialog.reply.text()
        ),
        timeout=WAIT,
    )
    return dialog.reply.text()


def test_sending_a_dispense_rationale_again_after_a_lost_answer_uses_one(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    world: World,
    proxy: FaultProxy,
) -> None:
    psf_only_denial(world)
    set_up(tmp_path / "rx", world, proxy)
    workspace = start_app(tmp_path / "rx", world, NO_PSF, qtbot)
    dialog = open_rationale(workspace, qtbot, "3 of 3 left")
    proxy.plan(RATIONALES, "reset_after")  # the registry counts it; the answer is lost
    text = send(dialog, qtbot, LOST)
    assert "cannot count this Rationale twice" in text
    assert rationales_used(world) == 1

    text = send(dialog, qtbot, "Authorized by Dispense Rationale")
    assert FIRST_ANSWER in text and "did not use another" in text
    assert dialog.left.text().startswith("2 of 3 left")
    assert rationales_used(world) == 1
    first, again = proxy.keys[RATIONALES]
    assert first == again
    line = recorded(workspace, qtbot, 2)[0]
    assert line.startswith("Rosa Test: Dispense Rationale accepted (1 of 3 used")
    assert line.endswith("(the answer to the first request, sent again)")


def test_the_same_dispense_rationale_after_a_restart_uses_one(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    qtbot: QtBot,
    world: World,
    proxy: FaultProxy,
) -> None:
    psf_only_denial(world)
    set_up(tmp_path / "rx", world, proxy)
    workspace = start_app(tmp_path / "rx", world, NO_PSF, qtbot)
    dialog = open_rationale(workspace, qtbot, "3 of 3 left")
    proxy.plan(RATIONALES, "reset_after")
    send(dialog, qtbot, LOST)
    dialog.close()
    quit_app(workspace)

    workspace = start_app(tmp_path / "rx", world, NO_PSF, qtbot)
    # The registry counted the first try; the same NPI and ANC, typed again, are that one.
    dialog = open_rationale(workspace, qtbot, "2 of 3 left")
    text = send(dialog, qtbot, "Authorized by Dispense Rationale")
    assert FIRST_ANSWER in text
    assert dialog.left.text().startswith("2 of 3 left")
    assert rationales_used(world) == 1
    assert len(proxy.keys[RATIONALES]) == 2 and len(set(proxy.keys[RATIONALES])) == 1
