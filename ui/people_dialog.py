"""Add a person to this workstation: a designee (for a prescriber), or staff (for a
pharmacy's Authorized Representative). They already have a registry account, made when they
accepted the registry's invitation; they type its email and password here once, so their
workstation account carries the registry's id and the same password opens the workstation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from local_store.session import Session
from ui.desk import Desk
from ui.tasks import StoreWorker


class AddPersonDialog(QDialog):
    def __init__(
        self, desk: Desk, worker: StoreWorker, session: Session, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk, self.worker, self.session = desk, worker, session
        self.setWindowTitle("Add a person to this workstation")
        intro = QLabel(
            "The person needs a registry account first: invite them from the registry, and "
            "they accept the invitation with a password of their own. Then they type that "
            "email and password here, once. The same password opens this workstation."
        )
        intro.setWordWrap(True)
        self.email = QLineEdit()
        self.email.setAccessibleName("Their registry email")
        self.password = QLineEdit()
        self.password.setAccessibleName("Their registry password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Add a person message")
        form = QFormLayout()
        form.addRow("Their registry &email", self.email)
        form.addRow("Their &password", self.password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add.setText("Add")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(520, 0)

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
