"""A PSF lists its period's ANCs; those already reported (Add ANC, a lab) are not recorded a
second time, at the registry or in any store the rules run on (rules.md §6.1)."""

from __future__ import annotations

from datetime import date

from app.anc import Population
from app.clock import FixedClock
from app.entered_anc import EnteredAnc
from app.program import Program
from app.psf import PsfSubmission
from app.statuses import AncSource, MonitoringFrequency, NotificationCode
from app.use_cases.enrollment import EnrollmentForm


def _clinic(program: Program) -> Program:
    program.certify_prescriber("dr", "1234567893", "Dr. A")
    program.add_designee("dr", "des")
    program.enroll_patient(
        "dr",
        EnrollmentForm(
            "p1", "Rosa Test", "1980-01-01", Population.GENERAL, (EnteredAnc(2100, "2024-01-01"),)
        ),
    )
    return program


def test_an_anc_already_reported_is_not_recorded_again_by_the_psf(
    program: Program, clock: FixedClock
) -> None:
    clinic = _clinic(program)
    clock.set(date(2024, 1, 10))
    reported = clinic.report_anc("des", "p1", EnteredAnc(1200, "2024-01-09"))
    assert reported.notifications == (NotificationCode.MILD_NEUTROPENIA,)
    result = clinic.submit_psf(
        "des",
        PsfSubmission(
            "p1",
            MonitoringFrequency.WEEKLY,
            # The one on file (typed in K/µL on the form: the same value), and a new one.
            (EnteredAnc(1.2, "2024-01-09", "K/uL"), EnteredAnc(1300, "2024-01-10")),
        ),
    )
    history = [
        (r.drawn.isoformat(), r.anc.per_ul, r.source) for r in clinic.ledger.anc_history("p1")
    ]
    assert history == [
        ("2024-01-01", 2100, AncSource.ENROLLMENT),
        ("2024-01-09", 1200, AncSource.ADD_ANC),
        ("2024-01-10", 1300, AncSource.PSF),
    ]
    assert result.notifications == (NotificationCode.MILD_NEUTROPENIA,)  # the 1300 only
    assert [n.anc.per_ul for n in clinic.ledger.notifications("p1")] == [1200, 1300]


def test_another_value_on_the_same_draw_date_is_a_new_report(
    program: Program, clock: FixedClock
) -> None:
    clinic = _clinic(program)
    clock.set(date(2024, 1, 10))
    clinic.report_anc("des", "p1", EnteredAnc(2000, "2024-01-09"))
    clinic.submit_psf(
        "des", PsfSubmission("p1", MonitoringFrequency.WEEKLY, (EnteredAnc(2050, "2024-01-09"),))
    )
    assert [r.anc.per_ul for r in clinic.ledger.anc_history("p1")] == [2100, 2000, 2050]


def test_the_chart_names_every_way_an_anc_comes_in_in_words() -> None:
    labels = {source: source.label for source in AncSource}  # a new way in needs its words
    assert labels[AncSource.ADD_ANC] == "Add ANC"
    assert labels[AncSource.PSF] == "Patient Status Form"
    assert all("_" not in words for words in labels.values())
