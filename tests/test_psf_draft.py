"""The next PSF, prefilled: its period, the ANCs drawn in it as entered, and missing labs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.errors import RemsError
from app.program import Program
from app.psf import PsfSubmission
from app.statuses import MonitoringFrequency
from app.use_cases.enrollment import EnrollmentForm
from app.use_cases.psf_draft import draft_next_psf

START = date(2026, 3, 2)


def enrolled(program: Program, clock: FixedClock) -> None:
    clock.set(START)
    program.certify_prescriber("dr", "1234567893", "Dr. A")
    program.enroll_patient(
        "dr",
        EnrollmentForm(
            "p", "Lee Park", "1980-01-01", Population.GENERAL, (EnteredAnc(2000, START),)
        ),
    )


def test_the_draft_covers_the_days_since_the_last_psf_with_the_ancs_as_typed(
    program: Program, clock: FixedClock
) -> None:
    enrolled(program, clock)
    clock.set(START + timedelta(days=7))
    program.report_anc("dr", "p", EnteredAnc(Decimal("1.9"), START + timedelta(days=7), "K/uL"))
    program.submit_psf("dr", PsfSubmission("p", MonitoringFrequency.WEEKLY))
    clock.set(START + timedelta(days=14))
    program.report_anc("dr", "p", EnteredAnc(Decimal("1.65"), START + timedelta(days=13), "K/uL"))
    draft = draft_next_psf(program.ledger, "p", clock.today())
    assert (draft.period_start, draft.period_end) == (START + timedelta(days=8), clock.today())
    assert [(str(a.value), a.unit) for a in draft.form.ancs] == [("1.65", "K/uL")]
    # The prefilled form is one the rules accept as it stands.
    result = program.submit_psf("dr", draft.form)
    assert [r.anc.per_ul for r in program.ledger.anc_history("p")][-1] == 1650
    assert result.labs_missing is False
    assert draft.form.monitoring is MonitoringFrequency.WEEKLY
    assert draft.labs_missing is False


def test_a_long_gap_shows_as_missing_labs_and_an_unknown_patient_is_refused(
    program: Program, clock: FixedClock
) -> None:
    enrolled(program, clock)
    clock.set(START + timedelta(days=20))
    draft = draft_next_psf(program.ledger, "p", clock.today())
    assert draft.form.ancs == () and draft.labs_missing is True
    with pytest.raises(RemsError):
        draft_next_psf(program.ledger, "nobody", clock.today())
