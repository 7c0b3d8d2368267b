"""The pharmacy's own standing, so its certification never lapses unnoticed: certified or not
(and why), inpatient or outpatient, the Authorized Representative's reconfirmation due date
with a reminder from 60, 30 and 7 days before it (rules.md §9), and for the AR the staff and
the invitations still open, with "Invite staff…" and "Reconfirm now…". The standing is read
from this workstation's snapshot (it works offline); the staff list and both acts need the
registry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.certification import PharmacyStanding
from app.registry_answers import InvitationMade, StaffListing
from app.roles import Role
from desk.pharmacy import PharmacyFacts, load_facts
from desk.session import Session
from ui import theme
from ui.eligibility import as_of_text
from ui.registry_calls import RegistryCalls
from ui.us_dates import us_day

__all__ = ["PharmacyDashboard", "PharmacyFacts", "load_facts", "reminder_text"]

WHAT_TO_DO = {
    PharmacyStanding.NOT_CERTIFIED: (
        "The Authorized Representative must finish enrollment and the knowledge assessment."
    ),
    PharmacyStanding.LAPSED: (
        "The Authorized Representative did not reconfirm within 2 years. Reconfirm now, or "
        "call the Contact Center. No clozapine can be authorized until then."
    ),
    PharmacyStanding.DEACTIVATED: "Call the Contact Center: the program deactivated this pharmacy.",
}


def reminder_text(facts: PharmacyFacts, today: date, is_ar: bool) -> str:
    if facts.reminder is None or facts.due is None:
        return ""
    left = (facts.due - today).days
    who = "Reconfirm now" if is_ar else "Ask your Authorized Representative to reconfirm"
    return (
        f"Reminder: the pharmacy's certification must be reconfirmed by {facts.due:%m/%d/%Y} "
        f"({left} day{'s' if left != 1 else ''} left). {who}, or certification lapses and no "
        "clozapine can be authorized here."
    )


class InviteDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invite a member of staff")
        self.name = QLineEdit()
        self.name.setAccessibleName("Staff member's name")
        self.email = QLineEdit()
        self.email.setAccessibleName("Staff member's email")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "The registry sends an invitation code. The person accepts it and chooses "
                "their own password; then add them to this workstation (Session menu)."
            )
        )
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class PharmacyDashboard(QWidget):
    def __init__(
        self,
        session: Session,
        calls: RegistryCalls,
        today: Callable[[], date],
        sync_now: Callable[[], None],
    ) -> None:
        super().__init__()
        self.session, self.calls, self.today, self.sync_now = session, calls, today, sync_now
        self.pharmacy_id = session.account.pharmacy_id or ""
        self.is_ar = session.account.role is Role.PHARMACY_AR
        self.name = QLabel()
        self.name.setObjectName("title")
        self.reminder = QLabel()
        self.reminder.setObjectName("banner")
        self.reminder.setWordWrap(True)
        self.reminder.setAccessibleName("Reconfirmation reminder")
        self.reminder.hide()
        self.standing = QLabel()
        self.standing.setAccessibleName("Certification")
        self.standing.setWordWrap(True)
        self.setting = QLabel()
        self.setting.setAccessibleName("Setting")
        self.certified_on = QLabel()
        self.attested_on = QLabel()
        self.due = QLabel()
        self.due.setAccessibleName("Reconfirmation due")
        self.as_of = QLabel()
        self.as_of.setObjectName("subtitle")
        self.reconfirm = QPushButton("Re&confirm certification now…")
        self.reconfirm.setVisible(self.is_ar)
        self.reconfirm.clicked.connect(self._reconfirm)
        facts = QFormLayout()
        facts.addRow("Certification", self.standing)
        facts.addRow("Setting", self.setting)
        facts.addRow("Certified since", self.certified_on)
        facts.addRow("Last certified or reconfirmed", self.attested_on)
        facts.addRow("Reconfirmation due", self.due)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.reminder)
        layout.addLayout(facts)
        row = QHBoxLayout()
        row.addWidget(self.reconfirm)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.as_of)
        self.staff_box = QGroupBox("Staff and invitations")
        self.staff_box.setVisible(self.is_ar)
        self.staff = QTableWidget(0, 4)
        self.staff.setAccessibleName("Pharmacy staff")
        self.staff.setHorizontalHeaderLabels(["Name", "Email", "Role", "State"])
        self.staff.verticalHeader().setVisible(False)
        self.staff.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.staff.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.staff.setMinimumHeight(160)
        self.staff_note = QLabel("The staff list comes from the registry.")
        self.staff_note.setWordWrap(True)
        self.staff_note.setAccessibleName("Staff list note")
        self.invite = QPushButton("&Invite staff…")
        self.invite.clicked.connect(self._invite)
        reload = QPushButton("Re&load list")
        reload.clicked.connect(self.load_staff)
        staff_buttons = QHBoxLayout()
        staff_buttons.addWidget(self.invite)
        staff_buttons.addWidget(reload)
        staff_buttons.addStretch(1)
        box = QVBoxLayout(self.staff_box)
        box.addWidget(self.staff_note)
        box.addWidget(self.staff, 1)
        box.addLayout(staff_buttons)
        layout.addWidget(self.staff_box)
        layout.addStretch(1)
        self.staff_loaded = False

    # The pharmacy's standing, from the snapshot
    def show_facts(self, facts: PharmacyFacts) -> None:
        today = self.today()
        pharmacy = facts.pharmacy
        self.name.setText(pharmacy.name if pharmacy and pharmacy.name else self.pharmacy_id)
        ok = facts.standing is PharmacyStanding.CERTIFIED
        words = facts.standing.label
        if not ok:
            words += f". {WHAT_TO_DO[facts.standing]}"
        self.standing.setText(words)
        self.standing.setStyleSheet(
            f"color: {theme.OK_TEXT if ok else theme.ALERT_TEXT}; font-weight: 600;"
        )
        self.setting.setText(pharmacy.setting.value.capitalize() if pharmacy else "Unknown")
        self.certified_on.setText(us_day(pharmacy.certified_on if pharmacy else None))
        self.attested_on.setText(us_day(pharmacy.attested_on if pharmacy else None))
        if facts.due is None:
            self.due.setText("Not certified yet")
        else:
            left = (facts.due - today).days
            when = f"in {left} days" if left >= 0 else f"{-left} days ago"
            self.due.setText(f"{facts.due:%m/%d/%Y} ({when})")
        text = reminder_text(facts, today, self.is_ar)
        self.reminder.setText(text)
        self.reminder.setVisible(bool(text))
        self.as_of.setText(as_of_text(facts.as_of, today))

    # The registry's side (the AR's)
    def load_staff(self) -> None:
        if not self.is_ar:
            return
        pharmacy = self.pharmacy_id
        self.staff_note.setText("Reading the staff list from the registry…")
        self.calls.run(
            lambda api: api.pharmacy_staff(pharmacy), self._show_staff, self._staff_failed
        )

    def _show_staff(self, listing: StaffListing) -> None:
        self.staff_loaded = True
        rows = [
            (p.name or "(no name given)", p.email, _role(p.role),
             "Active" if p.active else "Inactive")
            for p in listing.people
        ] + [
            (i.name or "(no name given)", i.email, _role(i.role),
             f"Invited; the invitation expires {us_day(i.expires_at)}")
            for i in listing.invitations
        ]  # fmt: skip
        self.staff.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.staff.setItem(r, c, QTableWidgetItem(text))
        people, waiting = len(listing.people), len(listing.invitations)
        self.staff_note.setText(
            f"{people} {'person' if people == 1 else 'people'}; {waiting} "
            f"invitation{'s' if waiting != 1 else ''} not accepted yet."
        )

    def _staff_failed(self, words: str, _offline: bool) -> None:
        self.staff_note.setText(f"The staff list needs the registry. {words}")

    def _invite(self) -> None:
        dialog = InviteDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        email, name = dialog.email.text().strip(), dialog.name.text().strip()
        self.calls.run(
            lambda api: api.invite("pharmacy_staff", email, name),
            lambda body: self._invited(email, body),
            lambda words, _offline: self._warn("Invite staff", words),
        )

    def _invited(self, email: str, made: InvitationMade) -> None:
        QMessageBox.information(
            self,
            "Invite staff",
            f"Invitation made for {email}. If the registry's email does not arrive, give them "
            f"this code: {made.code} (valid {made.expires_in_days} days).",
        )
        self.load_staff()

    def _reconfirm(self) -> None:
        attest = QMessageBox.question(
            self,
            "Reconfirm certification",
            "As the Authorized Representative, do you attest that this pharmacy still follows "
            "the Clozapine REMS requirements (staff trained, procedures in place)?",
        )
        if attest != QMessageBox.StandardButton.Yes:
            return
        pharmacy = self.pharmacy_id
        self.calls.run(
            lambda api: api.reconfirm_pharmacy(pharmacy),
            self._reconfirmed,
            lambda words, _offline: self._warn("Reconfirm", words),
        )

    def _warn(self, title: str, words: str) -> None:
        QMessageBox.warning(self, title, words)

    def _reconfirmed(self, attested_on: date) -> None:
        self.reminder.setText(
            f"Reconfirmed at the registry on {attested_on:%m/%d/%Y}. "
            "The next sync brings the new due date."
        )
        self.reminder.show()
        self.sync_now()


def _role(value: str) -> str:
    return Role(value).label
