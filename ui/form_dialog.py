"""The shape of a dialog that asks for a few fields and then does one thing: a line saying
what it is for, the fields, a message line for what went wrong or what is happening, and OK
(named for what it does) and Cancel. Enter presses OK and Escape cancels, as in any Qt
dialog; OK runs the dialog's `submit`, which closes it only when the thing is done."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class FormDialog(QDialog):
    def __init__(self, title: str, message_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.message = QLabel()
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(message_name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def lay_out(
        self, intro: str, fields: Sequence[tuple[str, QWidget]], ok_words: str
    ) -> QPushButton:
        """Places the intro, the labelled fields (in their tab order), the message and the
        buttons; gives back the OK button, its text set to what it does."""
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        form = QFormLayout()
        for label, field in fields:
            form.addRow(label, field)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_words)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(520, 0)
        return ok

    def submit(self) -> None:
        """What OK does; each dialog says."""
        raise NotImplementedError
