"""Electronic signatures: only the prescriber signs, with their password at that moment; the
signed form is bound to its content and never changes; a correction supersedes it."""

from __future__ import annotations

import json

import pytest

from app.clock import ManualClock
from app.entered_anc import EnteredAnc
from app.errors import AccessRefused, ErrorCode
from app.psf import PsfSubmission
from app.psf_document import psf_to_document
from app.roles import Role
from app.signatures import PRESCRIBER_MEANING
from app.statuses import MonitoringFrequency
from local_store.errors import AccountLocked, StoreError, WrongPassword
from local_store.forms import FormKind, FormState
from local_store.outbox import OutboxState
from local_store.session import Session
from local_store.workstation import NewAccount, Workstation
from tests.conftest import DESIGNEE_PASSWORD, PRESCRIBER_PASSWORD
from tests.support.store_world import certify_office, enroll

DOCUMENT = psf_to_document(
    PsfSubmission(
        "p1",
        MonitoringFrequency.WEEKLY,
        (EnteredAnc("1650", "2026-03-01", "/uL"),),
        treatment_rationale="ANC stable at mild neutropenia; benefits outweigh the risk.",
    )
)


@pytest.fixture
def designee_draft(
    workstation: Workstation, prescriber_session: Session, store_clock: ManualClock
) -> str:
    """A designee's PSF with a Treatment Rationale, waiting for the prescriber's signature."""
    prescriber_session.add_account(
        NewAccount("sam@clinic.example", "Sam Rivera", Role.DESIGNEE, prescriber_id="dr-kim"),
        DESIGNEE_PASSWORD,
    )
    certify_office(prescriber_session, store_clock)
    enroll(prescriber_session, store_clock, "p1", "Lee Park", "1980-05-06")
    prescriber_session.sign_out()
    designee = workstation.sign_in("sam@clinic.example", DESIGNEE_PASSWORD)
    form_id = designee.save_draft(FormKind.PSF, "p1", DOCUMENT, needs_signature=True)
    with pytest.raises(AccessRefused) as refused:
        designee.sign_form(form_id, DESIGNEE_PASSWORD)
    assert refused.value.code is ErrorCode.NOT_PERMITTED
    assert "only a prescriber can" in refused.value.message
    assert designee.forms.get(form_id).state is FormState.DRAFT  # type: ignore[union-attr]
    assert designee.outbox.items() == []
    designee.sign_out()
    return form_id


def test_a_designee_cannot_sign_and_the_prescriber_sees_the_draft_waiting(
    workstation: Workstation, designee_draft: str
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    waiting = prescriber.forms.awaiting_signature("dr-kim")
    assert [f.id for f in waiting] == [designee_draft]
    assert waiting[0].created_by != "dr-kim"
    prescriber.sign_out()


def test_the_prescriber_signs_with_the_password_and_the_form_goes_to_the_outbox(
    workstation: Workstation, designee_draft: str, store_clock: ManualClock
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    with pytest.raises(WrongPassword):
        prescriber.sign_form(designee_draft, "not the password")
    assert prescriber.forms.get(designee_draft).state is FormState.DRAFT  # type: ignore[union-attr]

    signature = prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)
    form = prescriber.form(designee_draft)
    assert form.state is FormState.SIGNED
    assert form.signature_valid is True
    assert signature.printed_name == "Ana Kim, MD"
    assert signature.meaning == PRESCRIBER_MEANING == "Approved and signed as prescriber"
    assert signature.signed_at.utcoffset() is not None
    assert "Ana Kim, MD" in signature.manifestation
    assert PRESCRIBER_MEANING in signature.manifestation
    assert store_clock.now().astimezone().strftime("%Y-%m-%d %H:%M") in signature.manifestation
    # The outbox item carries the form under the draft's own UUID (the Idempotency-Key).
    [item] = prescriber.outbox.items()
    assert item.id == designee_draft
    assert item.state is OutboxState.QUEUED
    assert item.payload["document"] == DOCUMENT
    assert item.payload["signature"]["content_sha256"] == signature.content_sha256  # type: ignore[index]
    actions = [(e.action, e.subject) for e in prescriber.audit.entries()]
    assert ("sign", f"psf:{designee_draft}") in actions
    prescriber.sign_out()


def test_a_signed_form_cannot_change_and_a_correction_supersedes_it(
    workstation: Workstation, designee_draft: str
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)
    with pytest.raises(Exception, match="cannot change"):
        prescriber.save_draft(
            FormKind.PSF, "p1", {**DOCUMENT, "adverse_event": "x"}, form_id=designee_draft
        )
    with pytest.raises(Exception, match="cannot be deleted"):
        prescriber.db.execute("DELETE FROM forms WHERE id = ?", (designee_draft,))
    with pytest.raises(AccessRefused, match="already signed"):
        prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)

    correction = prescriber.correct_signed_form(designee_draft)
    draft = prescriber.forms.get(correction)
    assert draft is not None and draft.state is FormState.DRAFT
    assert draft.supersedes == designee_draft
    prescriber.save_draft(
        FormKind.PSF, "p1", {**draft.document, "monitoring": "every_2_weeks"}, form_id=correction
    )
    prescriber.sign_form(correction, PRESCRIBER_PASSWORD)
    original = prescriber.forms.get(designee_draft)
    assert original is not None and original.document == DOCUMENT and original.signature_valid
    assert [i.payload["supersedes"] for i in prescriber.outbox.items()] == [None, designee_draft]
    prescriber.sign_out()


def test_a_form_changed_after_signing_shows_its_signature_as_invalid(
    workstation: Workstation, designee_draft: str
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)
    # Someone with the database key goes around the app: drops the guard and edits the ANC.
    db = prescriber.db
    db.execute("DROP TRIGGER signed_psf_is_immutable")
    edited = json.loads(db.one("SELECT document FROM forms WHERE id = ?", (designee_draft,))[0])
    edited["ancs"][0]["value"] = "1850"
    db.execute("UPDATE forms SET document = ? WHERE id = ?", (json.dumps(edited), designee_draft))
    form = prescriber.forms.get(designee_draft)
    assert form is not None and form.signature_valid is False
    prescriber.sign_out()


def test_five_wrong_passwords_while_signing_lock_the_account_and_the_session(
    workstation: Workstation, designee_draft: str
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    for _ in range(4):
        with pytest.raises(WrongPassword):
            prescriber.sign_form(designee_draft, "not the password")
    with pytest.raises(AccountLocked):
        prescriber.sign_form(designee_draft, "not the password")
    assert prescriber.locked
    with pytest.raises(StoreError):
        prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)


def test_the_signature_and_its_outbox_item_commit_together_or_not_at_all(
    workstation: Workstation, designee_draft: str, store_clock: ManualClock
) -> None:
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    # An outbox item already holds this UUID, so queueing the signed form will fail.
    prescriber.outbox.enqueue(designee_draft, "other", "x", {}, store_clock.now())
    with pytest.raises(Exception, match="UNIQUE"):
        prescriber.sign_form(designee_draft, PRESCRIBER_PASSWORD)
    form = prescriber.forms.get(designee_draft)
    assert form is not None and form.state is FormState.DRAFT and form.signature is None
    assert prescriber.db.one("SELECT count(*) FROM signatures")[0] == 0
    assert prescriber.audit.verify().intact
    prescriber.sign_out()


def test_a_designee_drafts_a_ben_enrollment_for_the_prescriber_to_sign(
    workstation: Workstation, designee_draft: str
) -> None:
    from app.anc import Population
    from app.enrollment_document import enrollment_from_document, enrollment_to_document
    from app.use_cases.enrollment import EnrollmentForm

    form = EnrollmentForm(
        "new-patient-uuid",
        "Amara Diallo",
        "1990-07-08",
        Population.BEN,
        (EnteredAnc("1.3", "2026-02-20", "K/uL"), EnteredAnc("1250", "2026-02-27", "/uL")),
    )
    designee = workstation.sign_in("sam@clinic.example", DESIGNEE_PASSWORD)
    form_id = designee.save_draft(
        FormKind.ENROLLMENT, form.patient_id, enrollment_to_document(form), needs_signature=True
    )
    designee.sign_out()
    prescriber = workstation.sign_in("a.kim@clinic.example", PRESCRIBER_PASSWORD)
    waiting = prescriber.forms.awaiting_signature("dr-kim")
    assert {(f.kind, f.id) for f in waiting} == {
        (FormKind.PSF, designee_draft),
        (FormKind.ENROLLMENT, form_id),
    }
    prescriber.sign_form(form_id, PRESCRIBER_PASSWORD)
    item = prescriber.outbox.get(form_id)
    assert item is not None and item.kind == "enroll_patient"
    sent = enrollment_from_document(item.payload["document"])  # type: ignore[arg-type]
    assert sent.name == "Amara Diallo" and sent.population is Population.BEN
    assert [(str(a.value), a.unit) for a in sent.ancs] == [("1.3", "K/uL"), ("1250", "/uL")]
    prescriber.sign_out()
