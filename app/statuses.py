"""The vocabularies of patient records: treatment status, monitoring, notifications."""

from __future__ import annotations

from enum import StrEnum


class TreatmentStatus(StrEnum):
    """A patient's treatment status (rules.md §3)."""

    ENROLLED = "enrolled"
    INTERRUPTED = "interrupted"
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MonitoringFrequency(StrEnum):
    """The monitoring frequency a prescriber sets on a PSF or enrollment (rules.md §6.1)."""

    WEEKLY = "weekly"
    EVERY_2_WEEKS = "every_2_weeks"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return _FREQUENCY_LABELS[self.value]


class RecommendedMonitoring(StrEnum):
    """What the label recommends now (rules.md §7); may be more frequent than a PSF allows."""

    DAILY = "daily"
    THREE_TIMES_WEEKLY = "three_times_weekly"
    WEEKLY = "weekly"
    EVERY_2_WEEKS = "every_2_weeks"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return _FREQUENCY_LABELS[self.value]


_FREQUENCY_LABELS = {
    "daily": "Daily",
    "three_times_weekly": "Three times weekly",
    "weekly": "Weekly",
    "every_2_weeks": "Every 2 weeks",
    "monthly": "Monthly",
}


class NotificationCode(StrEnum):
    """Notifications to the prescriber for an ANC outside the normal range (rules.md §5)."""

    MILD_NEUTROPENIA = "MILD_NEUTROPENIA"
    MODERATE_NEUTROPENIA = "MODERATE_NEUTROPENIA"
    BEN_NEUTROPENIA = "BEN_NEUTROPENIA"
    SEVERE_NEUTROPENIA = "SEVERE_NEUTROPENIA"


class AncSource(StrEnum):
    """How an ANC reached the program."""

    ENROLLMENT = "enrollment"
    ADD_ANC = "add_anc"
    PSF = "psf"
    RDA_REQUEST = "rda_request"  # an inpatient pharmacy's ANC sent with an RDA
    DISPENSE_RATIONALE = "dispense_rationale"

    @property
    def label(self) -> str:
        """As the chart says it: the act that brought the ANC in."""
        return _SOURCE_LABELS[self.value]


_SOURCE_LABELS = {
    "enrollment": "Enrollment",
    "add_anc": "Add ANC",
    "psf": "Patient Status Form",
    "rda_request": "Pharmacy, with an RDA request",
    "dispense_rationale": "Pharmacy, with a Dispense Rationale",
}


class DispenseVia(StrEnum):
    """What authorized a dispense."""

    RDA = "rda"
    DISPENSE_RATIONALE = "dispense_rationale"


class PharmacySetting(StrEnum):
    """A pharmacy that dispenses to both kinds of patient enrolls as outpatient (rules.md §9)."""

    OUTPATIENT = "outpatient"
    INPATIENT = "inpatient"
