"""Change password: the signed-in person's password on this workstation (it opens their
store) and at the registry (when the account has one), changed together; if one of the two
fails, the dialog says which one changed and which did not, and what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QWidget

from app.passwords import password_problem
from ui.form_dialog import FormDialog
from ui.registry_calls import RegistryCalls
from ui.tasks import StoreWorker

if TYPE_CHECKING:
    from desk.session import Session


class ChangePasswordDialog(FormDialog):
    def __init__(
        self,
        worker: StoreWorker,
        session: Session,
        calls: RegistryCalls | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Change password", "Change password message", parent)
        self.worker, self.session, self.calls = worker, session, calls
        self.result_text = ""
        self.registry_only = False  # the workstation's changed; the registry's is left
        who = session.account
        where = "this workstation and the registry" if calls else "this workstation"
        self.current = self._password_field("Current password")
        self.new = self._password_field("New password")
        self.repeat = self._password_field("New password again")
        self.change = self.lay_out(
            f"{who.name} ({who.email}): your new password is for {where}.",
            [
                ("C&urrent password", self.current),
                ("&New password", self.new),
                ("New password &again", self.repeat),
            ],
            "Change password",
        )

    def _password_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def submit(self) -> None:
        current, new = self.current.text(), self.new.text()
        account = self.session.account
        if not current or not new:
            self._say("Type your current password and the new one.")
            return
        if new != self.repeat.text():
            self._say("The two new passwords are not the same. Type the new one twice.")
            return
        # The same rules as the workstation and the registry: checked before either changes.
        problem = password_problem(new, email=account.email, name=account.name)
        if problem:
            self._say(f"{problem} Nothing was changed.")
            return
        self.change.setEnabled(False)
        if self.registry_only:
            self._workstation_changed(current, new)
            return
        self.message.setText("Changing the password on this workstation…")
        session = self.session
        self.worker.run(
            lambda: session.change_password(current, new),
            lambda _r: self._workstation_changed(current, new),
            lambda error: self._say(f"Nothing was changed: {error}"),
        )

    def _workstation_changed(self, current: str, new: str) -> None:
        if self.calls is None:
            self._finish("Your password is changed on this workstation.")
            return
        self.message.setText("Changed on this workstation. Now at the registry…")
        done: Callable[[Any], None] = lambda _body: self._finish(  # noqa: E731
            "Your password is changed on this workstation and at the registry. Your other "
            "registry sign-ins (other computers) have ended: sign in there with the new one."
        )
        self.calls.run(
            lambda api: api.change_password(current, new),
            done,
            self._registry_failed,
        )

    def _registry_failed(self, words: str, _offline: bool) -> None:
        self.current.clear()
        self.new.clear()
        self.repeat.clear()
        self.change.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        self.message.setText(
            "Your password IS changed on this workstation: use the new one to sign in here. "
            f"It is NOT changed at the registry: {words} The registry still takes your old "
            "password; to change it there too, type the old one as the current password, the "
            "new one twice, and try again when the registry can be reached."
        )
        self.result_text = "Workstation password changed; registry password not changed."
        self.registry_only = True

    def _finish(self, text: str) -> None:
        self.result_text = text
        self.accept()

    def _say(self, text: str) -> None:
        self.change.setEnabled(True)
        self.message.setText(text)
