"""The pharmacy's offline fallback: when the registry cannot be reached, the ANC Lab Reporting
Form prefilled from this workstation behind a fax cover sheet, in one PDF for Qt's print
preview (`desk.filled_forms.fallback_fax` builds it)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from desk import filled_forms
from ui.print_preview import PrintJob, job_of

if TYPE_CHECKING:
    from desk.session import Session


def fallback_job(session: Session, pharmacy_id: str, patient_id: str, today: date) -> PrintJob:
    return job_of(filled_forms.fallback_fax(session, pharmacy_id, patient_id, today))
