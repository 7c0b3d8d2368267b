"""Dates as the clinic reads them on screen: MM/DD/YYYY, and a dash for none; and the one
date entry the window uses, typed and shown MM/DD/YYYY with a calendar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


def us_day(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else "—"


def date_entry(name: str, day: date, latest: date | None = None) -> QDateEdit:
    """A date typed as MM/DD/YYYY (or picked), never after `latest` when given."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(name)
    edit.setDisplayFormat("MM/dd/yyyy")
    edit.setCalendarPopup(True)
    if latest is not None:
        edit.setMaximumDate(QDate(latest.year, latest.month, latest.day))
    return edit


def entered_day(edit: QDateEdit) -> date:
    picked = edit.date()
    return date(picked.year(), picked.month(), picked.day())
