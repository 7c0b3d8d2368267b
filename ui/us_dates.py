"""Dates as the clinic reads them on screen: MM/DD/YYYY, and a dash for none."""

from __future__ import annotations

from datetime import date


def us_day(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else "—"
