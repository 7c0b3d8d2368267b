"""The office's acts on refused work and on the patient list, for the workspace: dismiss a
refused outbox item, correct one and send it again (in its own editor, prefilled), and a
prescriber's removal of a patient from their list. Each asks first in words that name what
it touches; the store thread does the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from ui.add_anc import AddAncDialog
from ui.enrollment_wizard import EnrollmentWizard
from ui.queues import KIND_WORDS

if TYPE_CHECKING:  # types only: the acts themselves are the session's
    from desk.forms import Form
    from desk.outbox import OutboxItem
    from ui.workspace import Workspace


def _patient_id(item: OutboxItem) -> str:
    return item.subject.removeprefix("patient:")


def _warn(workspace: Workspace, title: str) -> Callable[[BaseException], None]:
    def warn(error: BaseException) -> None:
        QMessageBox.warning(workspace, title, str(error))

    return warn


def dismiss_refused(workspace: Workspace, item: OutboxItem, patient: str) -> None:
    """Asked first; the item leaves the outbox, the audit keeps it."""
    what = KIND_WORDS.get(item.kind, item.kind)
    answer = QMessageBox.question(
        workspace,
        "Dismiss a refused item",
        f"Dismiss the refused {what} for {patient or 'this patient'}? It is not sent again. "
        "It leaves the outbox; this workstation's audit log keeps it.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    session = workspace.session

    def dismissed(_none: object) -> None:
        workspace.refresh_lists()
        workspace.say(f"Dismissed the refused {what}.")

    workspace.worker.run(
        lambda: session.dismiss_refused(item.id), dismissed, _warn(workspace, "Dismiss")
    )


def correct_refused(workspace: Workspace, item: OutboxItem, patient: str) -> None:
    """Opens the refused item in its editor with its values; sending it makes a new item
    (a new Idempotency-Key) and marks the refused one superseded."""
    if item.kind == "report_anc":
        _correct_anc(workspace, item, patient)
        return
    session = workspace.session
    workspace.worker.run(
        lambda: session.correct_refused_form(item.id),
        lambda form: _open_correction(workspace, form),
        _warn(workspace, "Correct and send again"),
    )


def _correct_anc(workspace: Workspace, item: OutboxItem, patient: str) -> None:
    session, old = workspace.session, item.id
    payload = item.payload
    dialog = AddAncDialog(
        _patient_id(item),
        patient,
        workspace.today(),
        workspace,
        correcting=item.last_error or "no reason given",
    )
    dialog.fields.fill(
        str(payload.get("as_entered") or payload.get("value") or ""),
        str(payload.get("unit") or ""),
        str(payload.get("drawn") or ""),
    )
    dialog.submitted.connect(
        lambda pid, value, unit, drawn: workspace.worker.run(
            lambda: session.queue_anc(pid, value, unit, drawn, corrects=old),
            lambda _r: workspace._after_change(pid),
            _warn(workspace, "Correct and send again"),
        )
    )
    workspace.last_dialog = dialog
    dialog.open()


def _open_correction(workspace: Workspace, form: Form) -> None:
    if form.kind.value == "psf":
        workspace.open_form(form.id)
        return
    wizard = EnrollmentWizard(
        workspace.worker, workspace.session, workspace.today(), workspace, form
    )
    wizard.enrolled.connect(lambda pid: workspace._after_change(pid))
    workspace.last_dialog = wizard
    wizard.open()


def remove_from_list(workspace: Workspace, patient_id: str, name: str, born: str) -> None:
    """A prescriber removes a patient from their list: asked by name, then queued."""
    answer = QMessageBox.question(
        workspace,
        "Remove from my list",
        f"Remove {name} (born {born}) from your patient list?\n\n"
        "The registry ends the patient's link to you; the enrollment and treatment status "
        "stay. You no longer see the patient here or get their notifications. (To stop "
        "treatment, submit a PSF with treatment status Discontinued instead.)",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    session = workspace.session

    def queued(_item_id: object) -> None:
        workspace.say(f"Removal of {name} from your list is queued for the registry.")
        workspace._after_change(patient_id)

    workspace.worker.run(
        lambda: session.queue_deactivation(patient_id),
        queued,
        _warn(workspace, "Remove from my list"),
    )
