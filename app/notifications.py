"""Which notification a reported ANC sends the prescriber (rules.md §5)."""

from __future__ import annotations

from app.anc import Anc, AncCategory, Population, categorize
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
