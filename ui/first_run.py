"""First run: this workstation has no store yet. Either connect it to the program's registry
(the prescriber's, the pharmacy's Authorized Representative's or a wholesaler's registry
account first, a designee or staff member optionally), or open the demo clinic on
an embedded training registry. The slow parts (registry sign-in, Argon2id, starting the
embedded registry) run on the store thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.demo.accounts import DEMO_PEOPLE, demo_people
from desk.shell import Desk, DeskConfig
from ui.centred import centred_column
from ui.sign_in import demo_hint
from ui.tasks import StoreWorker


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


def _field(name: str, placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    field.setPlaceholderText(placeholder)
    return field


class FirstRunPage(QWidget):
    finished = Signal(str)  # what to show on the sign-in screen

    def __init__(self, desk: Desk, worker: StoreWorker, today: Callable[[], Any]) -> None:
        super().__init__()
        self.desk, self.worker, self.today = desk, worker, today
        title = QLabel("Set up this workstation")
        title.setObjectName("title")
        intro = QLabel(
            "The workstation keeps its patients encrypted on this computer and sends forms to "
            "the program's registry. Connect it to your registry, or try the demo clinic."
        )
        intro.setWordWrap(True)

        connect = QGroupBox("Connect to your registry")
        self.url = _field("Registry address", "https://registry.example.org")
        self.email = _field("Your registry email")
        self.password = _password_field("Your registry password")
        self.designee_email = _field("Designee's or staff member's registry email (optional)")
        self.designee_password = _password_field(
            "Designee's or staff member's registry password (optional)"
        )
        form = QFormLayout(connect)
        form.addRow("Registry &address", self.url)
        form.addRow("Your registry &email", self.email)
        form.addRow("Your registry pass&word", self.password)
        form.addRow("Designee or staff: email (optional)", self.designee_email)
        form.addRow("Designee or staff: password", self.designee_password)
        note = QLabel(
            "The first account is the office's prescriber, the pharmacy's Authorized "
            "Representative, or a wholesaler's. Each person signs in with their registry "
            "account once; the same password then opens this workstation."
        )
        note.setObjectName("subtitle")
        note.setWordWrap(True)
        form.addRow(note)
        self.connect_button = QPushButton("&Connect and create the store")
        form.addRow(self.connect_button)

        demo = QGroupBox("Or try the demo clinic")
        self.demo_button = QPushButton("Open the &demo clinic")
        demo_note = QLabel(
            "Invented patients on a training registry that runs on this computer. "
            "Not for real patients."
        )
        demo_note.setWordWrap(True)
        demo_layout = QVBoxLayout(demo)
        demo_layout.addWidget(demo_note)
        demo_layout.addWidget(self.demo_button)

        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Set-up message")
        box = QWidget()
        inner = QVBoxLayout(box)
        for widget in (title, intro, connect, demo, self.message):
            inner.addWidget(widget)
        centred_column(self, box, 620)
        self.connect_button.clicked.connect(self.create_connected)
        self.demo_button.clicked.connect(self.create_demo)
        self.setFocusProxy(self.url)

    def _busy(self, text: str) -> None:
        self.connect_button.setEnabled(False)
        self.demo_button.setEnabled(False)
        self.message.setObjectName("subtitle")
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        self.connect_button.setEnabled(True)
        self.demo_button.setEnabled(True)
        self.message.setObjectName("problem")
        self.message.setStyleSheet("")
        self.message.setText(str(error))

    def create_connected(self) -> None:
        url, email, password = (
            self.url.text().strip(),
            self.email.text().strip(),
            self.password.text(),
        )
        if not (url and email and password):
            self._failed(
                ValueError("Type the registry address, and your registry email and password.")
            )
            return
        people = [(email, password)]
        if self.designee_email.text().strip():
            people.append((self.designee_email.text().strip(), self.designee_password.text()))
        self._busy("Connecting to the registry…")
        self.worker.run(
            lambda: self.desk.create_connected(DeskConfig(url), people),
            lambda names: self.finished.emit(
                "Accounts created: " + ", ".join(names) + ". Sign in with your registry email "
                "and password."
            ),
            self._failed,
        )

    def create_demo(self) -> None:
        self._busy("Starting the training registry and filling the demo clinic (a few seconds)…")
        self.worker.run(
            lambda: self.desk.create_demo(self.today()),
            lambda _: self.finished.emit(demo_hint(DEMO_PEOPLE)),
            self._failed,
        )

    def create_demo_workstation(self, kind: str, clinic: Desk) -> None:
        """The demo pharmacy or wholesaler, on the demo clinic's training registry."""
        self._busy(
            f"Starting the training registry and setting up the demo {kind} (a few seconds)…"
        )
        self.worker.run(
            lambda: self.desk.create_demo_workstation(kind, clinic, self.today()),
            lambda _: self.finished.emit(demo_hint(demo_people(kind))),
            self._failed,
        )
