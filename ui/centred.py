"""A page's content as a column in the middle of the window, at most `width` wide.

Added to a layout with an alignment flag, a widget gets only its size hint, and Qt does not
ask its word-wrapped labels how tall they need to be at that width: at 1366x768 the first-run
page's labels were squeezed to one line and, with a message shown, the whole form collapsed.
Between two stretches in a row the column takes the width it is given, and its height for
that width."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget


def centred_column(page: QWidget, column: QWidget, width: int, below: int = 1) -> None:
    """Lays `page` out as `column` in its middle: centred across, at most `width` wide, with
    room above and `below` times as much room under it."""
    column.setMaximumWidth(width)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(column, 100)
    row.addStretch(1)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addLayout(row)
    layout.addStretch(below)
