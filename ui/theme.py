"""Colours and the few style rules the window uses. Colour always comes with text (a
category's name, the word OVERDUE), never alone: readers with colour blindness and
monochrome printouts must lose nothing."""

from __future__ import annotations

# Light backgrounds, dark text on all of them (contrast above 7:1 with #1a1a1a). Keyed by
# `app.anc.AncCategory` values (a StrEnum, so the category itself is the key); the rules
# module is not imported here, so the sign-in window starts without it.
CATEGORY_COLORS = {
    "normal": "#dff0d8",
    "mild": "#fff3c4",
    "ben_neutropenia": "#fff3c4",
    "moderate": "#ffd8a8",
    "severe": "#f7c1c1",
}
ALERT_TEXT = "#a40000"
OK_TEXT = "#1d6b2a"
MUTED_TEXT = "#555555"

STYLE = """
QLabel#title { font-size: 16pt; font-weight: 600; }
QLabel#subtitle { color: #555555; }
QLabel#problem { color: #a40000; font-weight: 600; }
QLabel#banner { background: #fff3c4; border: 1px solid #d4b106; padding: 6px; }
QLabel#alert { background: #f7c1c1; border: 1px solid #a40000; padding: 6px; }
QLabel#draftMark { background: #fff3c4; border: 1px solid #d4b106; padding: 4px; }
QLabel#signedMark { background: #dff0d8; border: 1px solid #1d6b2a; padding: 4px; }
"""
