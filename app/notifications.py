"""Which notification a reported ANC sends the prescriber (rules.md §5), how it reads, and
how long it stays flagged."""

from __future__ import annotations

from datetime import date, timedelta

from app import thresholds as t
from app.anc import Anc, AncCategory, Population, categorize
from app.records import Notification
from app.statuses import NotificationCode

_BY_CATEGORY = {
    AncCategory.MILD: NotificationCode.MILD_NEUTROPENIA,
    AncCategory.MODERATE: NotificationCode.MODERATE_NEUTROPENIA,
    AncCategory.BEN_NEUTROPENIA: NotificationCode.BEN_NEUTROPENIA,
    AncCategory.SEVERE: NotificationCode.SEVERE_NEUTROPENIA,
}


def notification_for(anc: Anc, population: Population) -> NotificationCode | None:
    """The notification for an ANC outside the normal range; None inside it."""
    return _BY_CATEGORY.get(categorize(anc, population))


NOTIFICATION_MESSAGES = {
    NotificationCode.MILD_NEUTROPENIA: (
        "Mild neutropenia (1000-1499/µL). Treatment continues; the label recommends ANC "
        "testing three times weekly until the ANC is 1500/µL or more."
    ),
    NotificationCode.MODERATE_NEUTROPENIA: (
        "Moderate neutropenia (500-999/µL). Treatment is interrupted; hematology consultation "
        "recommended; daily ANC testing until the ANC is 1000/µL or more."
    ),
    NotificationCode.BEN_NEUTROPENIA: (
        "BEN neutropenia (500-999/µL). Treatment continues; hematology consultation "
        "recommended; ANC testing three times weekly until 1000/µL or more."
    ),
    NotificationCode.SEVERE_NEUTROPENIA: (
        "Severe neutropenia (below 500/µL). Treatment is interrupted; hematology consultation "
        "recommended; daily ANC testing. Do not rechallenge unless benefits outweigh risks."
    ),
}


def notification_text(notification: Notification) -> str:
    """In plain words, dated as the clinic's forms are (MM/DD/YYYY):
    "Severe neutropenia: ANC 480/µL drawn 11/24/2026"."""
    category = next(c for c, code in _BY_CATEGORY.items() if code is notification.code)
    return (
        f"{category.label}: ANC {notification.anc.per_ul:,}/µL drawn "
        f"{notification.drawn.strftime('%m/%d/%Y')}"
    )


def flagged_since(today: date) -> date:
    """Notifications made on or after this day are still flagged."""
    return today - timedelta(days=t.NOTIFICATION_FLAG_DAYS)
