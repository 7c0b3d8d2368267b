"""A message label shown whole: it wraps, and its dialog grows to fit each new text (a
top-level window does not follow a wrapped label's height by itself, so a two-line error
was cut to its first line)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QWidget


class WholeLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.fit()
        # again once the layout has placed the new text (not at all once the label is gone)
        QTimer.singleShot(0, self, self.fit)

    def fit(self) -> None:
        """As tall as the text needs at the width it has; the window grows if it must."""
        width = self.width()
        self.setMinimumHeight(self.heightForWidth(width) if width > 0 else 0)
        window = self.window()
        layout = window.layout()
        if layout is None or not window.isWindow() or not window.isVisible():
            return
        layout.activate()
        wanted = window.minimumSizeHint().height()
        if layout.hasHeightForWidth():
            wanted = max(wanted, layout.totalHeightForWidth(window.width()))
        screen = window.screen() or QApplication.primaryScreen()
        room = screen.availableGeometry().height() if screen is not None else wanted
        if window.height() < wanted:
            window.resize(window.width(), min(wanted, room))
