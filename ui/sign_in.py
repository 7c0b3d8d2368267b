"""Sign-in with the workstation's accounts. A wrong password says how many tries are left; a
locked account says for how long. The password check (Argon2id) runs on the store thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.session import StoreError
from desk.shell import Desk
from ui.centred import centred_column
from ui.tasks import StoreWorker

if TYPE_CHECKING:
    from desk.session import Session


class SignInPage(QWidget):
    signedIn = Signal(object, str)  # the Session, and the password (for the registry)

    def __init__(self, desk: Desk, worker: StoreWorker, demo_hint: str = "") -> None:
        super().__init__()
        self.desk, self.worker = desk, worker
        title = QLabel("Clozapine REMS Desk")
        title.setObjectName("title")
        subtitle = QLabel("Sign in with your workstation account.")
        subtitle.setObjectName("subtitle")
        self.email = QLineEdit()
        self.email.setAccessibleName("Email")
        self.email.setPlaceholderText("you@clinic.example")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.button = QPushButton("Sign in")
        self.button.setDefault(True)
        self.button.setAccessibleName("Sign in")
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in message")
        form = QFormLayout()
        form.addRow("&Email", self.email)
        form.addRow("&Password", self.password)
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addLayout(form)
        inner.addWidget(self.button)
        inner.addWidget(self.message)
        self.hint = QLabel(demo_hint)  # the demo's accounts; empty on a real workstation
        if demo_hint:
            self.hint.setObjectName("banner")
            self.hint.setAccessibleName("Demo accounts")
            self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            inner.addWidget(self.hint)
        centred_column(self, box, 460, below=2)
        self.button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.email.returnPressed.connect(self.password.setFocus)
        self.setFocusProxy(self.email)

    def submit(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.message.setText("Type your email and your password.")
            return
        self.button.setEnabled(False)
        self.message.setText("Checking…")
        sign_in: Callable[[], Session] = lambda: self.desk.workstation.sign_in(email, password)  # noqa: E731
        self.worker.run(sign_in, lambda s: self._done(s, password), self._failed)

    def _done(self, session: Session, password: str) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.message.clear()
        self.signedIn.emit(session, password)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(error, StoreError):
            self.message.setText(str(error))
        else:
            self.message.setText(f"Signing in did not work: {error}")


def demo_hint(people: list[tuple[str, str, str]]) -> str:
    lines = ["Demo clinic (invented patients). Sign in as:"]
    for name, email, password in people:
        lines += [f"• {name}", f"    email {email}", f"    password {password}"]
    return "\n".join(lines)
