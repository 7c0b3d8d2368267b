"""People: a prescriber's designees at the registry (Manage designees: the list, and an
invitation by name and email), and adding a person to this workstation.

Add a person to this workstation: a designee (for a prescriber), or staff (for a
pharmacy's Authorized Representative). They already have a registry account, made when they
accepted the registry's invitation; they type its email and password here once, so their
workstation account carries the registry's id and the same password opens the workstation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.registry_answers import InvitationMade, StaffListing
from desk.session import Session
from desk.shell import Desk
from ui.form_dialog import FormDialog
from ui.registry_calls import RegistryCalls
from ui.tasks import StoreWorker
from ui.us_dates import us_day


class AddPersonDialog(FormDialog):
    def __init__(
        self, desk: Desk, worker: StoreWorker, session: Session, parent: QWidget | None = None
    ) -> None:
        super().__init__("Add a person to this workstation", "Add a person message", parent)
        self.desk, self.worker, self.session = desk, worker, session
        self.email = QLineEdit()
        self.email.setAccessibleName("Their registry email")
        self.password = QLineEdit()
        self.password.setAccessibleName("Their registry password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add = self.lay_out(
            "The person needs a registry account first: invite them from the registry, and "
            "they accept the invitation with a password of their own. Then they type that "
            "email and password here, once. The same password opens this workstation.",
            [("Their registry &email", self.email), ("Their &password", self.password)],
            "Add",
        )

    def submit(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.message.setText("Type their registry email and password.")
            return
        self.add.setEnabled(False)
        self.message.setText("Checking with the registry…")
        desk, session = self.desk, self.session
        self.worker.run(
            lambda: desk.add_person(session, email, password), self._added, self._failed
        )

    def _added(self, name: str) -> None:
        self.added_name = name
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.add.setEnabled(True)
        self.password.clear()
        self.message.setText(str(error))


# Manage designees: the FAQ's Manage Designees → Invite Designee, for a prescriber
class ManageDesigneesDialog(QDialog):
    """The prescriber's designees and the invitations not accepted yet (from the registry),
    and an invitation for a new one by name and email."""

    def __init__(self, calls: RegistryCalls, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = calls
        self.setWindowTitle("Manage designees")
        intro = QLabel(
            "Designees enroll patients and submit Patient Status Forms on your behalf; a form "
            "that needs your signature waits for it. Invite one by name and email: the "
            "registry sends them a code, they accept it with a password of their own, then "
            "you add them to this workstation (Session menu)."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Designees and invitations")
        self.table.setHorizontalHeaderLabels(["Name", "Email", "State"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel("Reading the list from the registry…")
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Designee list note")
        self.name = QLineEdit()
        self.name.setAccessibleName("New designee's name")
        self.email = QLineEdit()
        self.email.setAccessibleName("New designee's email")
        self.invite = QPushButton("&Invite designee")
        self.invite.clicked.connect(self.send_invitation)
        self.invite.setDefault(True)  # Enter in the fields invites (it does not close)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Invitation message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        invite_box = QGroupBox("Invite a designee")
        form = QFormLayout(invite_box)
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        form.addRow("", self.invite)
        form.addRow(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        for button in close.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(invite_box)
        layout.addWidget(close)
        self.resize(640, 520)
        self.load()

    def load(self) -> None:
        self.calls.run(lambda api: api.designees(), self._show, self._not_loaded)

    def _show(self, listing: StaffListing) -> None:
        rows = [
            (p.name or "(no name given)", p.email, "Active" if p.active else "Inactive")
            for p in listing.people
        ] + [
            (i.name or "(no name given)", i.email,
             f"Invited; not accepted yet (expires {us_day(i.expires_at)})")
            for i in listing.invitations
        ]  # fmt: skip
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        people, waiting = len(listing.people), len(listing.invitations)
        self.note.setText(
            f"{people} designee{'s' if people != 1 else ''}; {waiting} "
            f"invitation{'s' if waiting != 1 else ''} not accepted yet."
        )

    def _not_loaded(self, words: str, _offline: bool) -> None:
        self.note.setText(f"The designee list needs the registry. {words}")

    def send_invitation(self) -> None:
        name, email = self.name.text().strip(), self.email.text().strip()
        if not name or "@" not in email:
            self.message.setObjectName("problem")
            self.message.setText("Type the designee's name and their email address.")
            return
        self.invite.setEnabled(False)
        self.message.setObjectName("")
        self.message.setText(f"Inviting {name}…")
        self.calls.run(
            lambda api: api.invite_designee(email, name),
            lambda body: self._invited(name, email, body),
            self._not_invited,
        )

    def _invited(self, name: str, email: str, made: InvitationMade) -> None:
        self.invite.setEnabled(True)
        self.name.clear()
        self.email.clear()
        self.message.setText(
            f"Invitation made for {name} ({email}). If the registry's email does not arrive, "
            f"give them this code: {made.code} (valid {made.expires_in_days} days)."
        )
        self.load()

    def _not_invited(self, words: str, _offline: bool) -> None:
        self.invite.setEnabled(True)
        self.message.setObjectName("problem")
        self.message.setText(f"No invitation was made. {words}")
