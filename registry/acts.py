"""What each POST does, apart from HTTP: one function per act, run in the request's
transaction over `SqlLedger` and `app.Program`. The acts a desktop queues are listed once,
in registry/queued.py, which both their single routes and the batch endpoint read, so a
batched item is decided exactly as a lone one.

Each returns (HTTP status, JSON body). A refusal by the rules is raised as `RemsError` and
turned into a 403/404/422 answer by the caller; nothing the act wrote is kept.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from app.enrollment_document import enrollment_from_document
from app.entered_anc import EnteredAnc
from app.errors import AccessRefused, ErrorCode, InvalidEntry, RemsError
from app.identifiers import validate_npi
from app.program import Program
from app.psf_document import psf_from_document
from app.records import Account
from app.roles import Action, Role
from app.signatures import check_signature_is_the_senders
from app.statuses import PharmacySetting
from app.use_cases.access import active_account, check_claimed_signer, require_role
from registry import assessment, auth, limits
from registry import tables as t
from registry.ledger import SqlLedger
from registry.settings import Settings
from registry.sql import match_name

Result = tuple[int, dict[str, Any]]
INVITATION_DAYS = 14


@dataclass
class Context:
    """One act's world: the account acting (None for enrollment and invitations), the
    ledger in the request's transaction, the program on the registry's date."""

    conn: Connection
    settings: Settings
    ledger: SqlLedger
    program: Program
    account: Account | None
    key: str

    @property
    def actor(self) -> Account:
        if self.account is None:  # pragma: no cover - routes give acts that need one an account
            raise AccessRefused(ErrorCode.NOT_PERMITTED)
        return self.account

    @property
    def now(self) -> datetime:
        return self.settings.now()

    def audit_operator(self, action: str, subject: str, detail: str = "") -> None:
        if self.account is not None and self.account.role is Role.PROGRAM_OPERATOR:
            audit(self.conn, self.now, self.account.id, action, subject, detail)


def audit(
    conn: Connection, at: datetime, operator_id: str, action: str, subject: str, detail: str
) -> None:
    """One entry in the registry's audit trail of what the program's operators did."""
    conn.execute(
        t.operator_audit.insert().values(
            at=at.isoformat(),
            operator_id=operator_id,
            action=action,
            subject=subject,
            detail=detail,
        )
    )


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def _anc(raw: dict[str, Any]) -> EnteredAnc:
    # Any JSON value (rules.md §13 R13: the rules, not the schema, refuse a string); the
    # text as typed rides beside it for the record to show.
    return EnteredAnc.from_json(raw)


def _email_free(ctx: Context, email: str) -> None:
    if "@" not in email or auth.email_taken(ctx.conn, email):
        raise InvalidEntry(
            ErrorCode.NOT_PERMITTED,
            "This email cannot be used: it is not an email address, or it already has an "
            "account. Sign in with it, or use another.",
        )


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "role": account.role.value,
        "name": account.name,
        "prescriber_id": account.prescriber_id,
        "pharmacy_id": account.pharmacy_id,
    }


# Enrollment and certification
def enroll_prescriber(ctx: Context, body: dict[str, Any]) -> Result:
    _email_free(ctx, body["email"])
    validate_npi(body["npi"])  # INVALID_NPI before anything is made
    prescriber_id = new_id("prescriber")
    ctx.program.register_prescriber(prescriber_id, body["npi"], body.get("name", ""))
    auth.set_credentials(
        ctx.conn,
        ctx.settings,
        prescriber_id,
        body["email"],
        body["password"],
        name=body.get("name", ""),
    )
    return 201, {"account_id": prescriber_id, "prescriber_id": prescriber_id, "certified": False}


def enroll_pharmacy(ctx: Context, body: dict[str, Any]) -> Result:
    _email_free(ctx, body["email"])
    pharmacy_id, ar_id = new_id("pharmacy"), new_id("ar")
    ctx.program.register_pharmacy(
        pharmacy_id, PharmacySetting(body["setting"]), ar_id, body.get("pharmacy_name", "")
    )
    ctx.ledger.save_account(
        Account(ar_id, Role.PHARMACY_AR, body.get("name", ""), pharmacy_id=pharmacy_id)
    )
    auth.set_credentials(
        ctx.conn, ctx.settings, ar_id, body["email"], body["password"], name=body.get("name", "")
    )
    return 201, {"account_id": ar_id, "pharmacy_id": pharmacy_id, "certified": False}


def enroll_another_pharmacy(ctx: Context, body: dict[str, Any]) -> Result:
    """A signed-in Authorized Representative enrolls another pharmacy they represent (a
    chain's director, rules.md §13 R19); it is certified when they pass the assessment for it."""
    actor = active_account(ctx.ledger, ctx.actor.id)
    pharmacy_id = new_id("pharmacy")
    ctx.program.register_pharmacy(
        pharmacy_id, PharmacySetting(body["setting"]), actor.id, body.get("pharmacy_name", "")
    )
    return 201, {"account_id": actor.id, "pharmacy_id": pharmacy_id, "certified": False}


def take_assessment(ctx: Context, body: dict[str, Any]) -> Result:
    """Passing certifies the prescriber, or the pharmacy of the AR who took it."""
    actor = active_account(ctx.ledger, ctx.actor.id)
    if actor.role not in (Role.PRESCRIBER, Role.PHARMACY_AR):
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "The knowledge assessment is for prescribers and pharmacies' Authorized "
            "Representatives.",
        )
    result = assessment.score(actor.role, body["answers"])
    ctx.conn.execute(
        t.assessment_attempts.insert().values(
            account_id=actor.id,
            at=ctx.now.isoformat(),
            correct=result.correct,
            asked=result.asked,
            passed=result.passed,
        )
    )
    certified = False
    if result.passed and actor.role is Role.PRESCRIBER:
        prescriber = ctx.ledger.prescriber(actor.id)
        assert prescriber is not None
        ctx.program.certify_prescriber(prescriber.id, prescriber.npi, prescriber.name)
        certified = True
    elif result.passed:
        # Which pharmacy (a chain's AR names it; by default their own): app/ decides whether
        # they may certify it.
        pharmacy_id = body.get("pharmacy_id") or actor.pharmacy_id or ""
        ctx.program.certify_as_representative(actor.id, pharmacy_id)
        certified = True
    return 200, {
        "passed": result.passed,
        "correct": result.correct,
        "asked": result.asked,
        "certified": certified,
        "review": [{"id": q.id, "question": q.text, "why": q.why} for q in result.wrong],
    }


def invite(ctx: Context, body: dict[str, Any]) -> Result:
    """A prescriber invites a designee; an AR invites staff; the Contact Center invites a
    new Authorized Representative for a pharmacy whose AR changes."""
    actor = active_account(ctx.ledger, ctx.actor.id)
    role = Role(body["role"])
    prescriber_id = pharmacy_id = None
    if role is Role.DESIGNEE:
        require_role(actor, Action.INVITE_DESIGNEE)
        prescriber = ctx.ledger.prescriber(actor.prescriber_id or "")
        if prescriber is None or not prescriber.certified:
            raise AccessRefused(ErrorCode.NOT_CERTIFIED)
        prescriber_id = actor.prescriber_id
    elif role is Role.PHARMACY_STAFF:
        require_role(actor, Action.INVITE_PHARMACY_STAFF)
        pharmacy_id = actor.pharmacy_id
    else:
        if actor.role is not Role.PROGRAM_OPERATOR:
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "A new Authorized Representative is set up by the program's Contact Center.",
            )
        pharmacy_id = body.get("pharmacy_id")
        if not pharmacy_id or ctx.ledger.pharmacy(pharmacy_id) is None:
            raise AccessRefused(ErrorCode.NOT_PERMITTED, "No pharmacy with this id is enrolled.")
        ctx.audit_operator("invite_ar", f"pharmacy:{pharmacy_id}", body["email"])
    _email_free(ctx, body["email"])
    code = secrets.token_urlsafe(24)
    ctx.conn.execute(
        t.invitations.insert().values(
            code_sha256=auth.token_hash(code),
            role=role.value,
            invited_by=actor.id,
            prescriber_id=prescriber_id,
            pharmacy_id=pharmacy_id,
            email=body["email"].strip().casefold(),
            name=body.get("name", ""),
            expires_at=(ctx.now + timedelta(days=INVITATION_DAYS)).isoformat(),
        )
    )
    # The code goes to the invited person by email; the response carries it so the inviter's
    # desktop can show it too when mail is not set up.
    return 201, {"code": code, "expires_in_days": INVITATION_DAYS}


def accept_invitation(ctx: Context, body: dict[str, Any]) -> Result:
    inv = t.invitations.c
    row = ctx.conn.execute(
        select(t.invitations).where(inv.code_sha256 == auth.token_hash(body["code"]))
    ).first()
    if row is None or row.accepted_by or datetime.fromisoformat(row.expires_at) <= ctx.now:
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "This invitation is not valid (used, expired or mistyped). Ask for a new one.",
        )
    if auth.email_taken(ctx.conn, row.email):
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "This email already has an account.")
    role, name = Role(row.role), body.get("name") or row.name
    if role is Role.DESIGNEE:
        account_id = new_id("designee")
        ctx.program.add_designee(row.prescriber_id, account_id, name)
    elif role is Role.PHARMACY_STAFF:
        account_id = new_id("staff")
        ctx.program.add_pharmacy_staff(row.pharmacy_id, account_id, row.invited_by, name)
    else:  # a new AR: certified once they pass the assessment
        account_id = new_id("ar")
        ctx.ledger.save_account(
            Account(account_id, Role.PHARMACY_AR, name, pharmacy_id=row.pharmacy_id)
        )
    auth.set_credentials(ctx.conn, ctx.settings, account_id, row.email, body["password"], name=name)
    ctx.conn.execute(
        t.invitations.update()
        .where(inv.code_sha256 == row.code_sha256)
        .values(accepted_by=account_id)
    )
    return 201, {"account_id": account_id, "role": role.value}


def add_wholesaler(ctx: Context, body: dict[str, Any]) -> Result:
    require_role(active_account(ctx.ledger, ctx.actor.id), Action.DEACTIVATE_PHARMACY)
    _email_free(ctx, body["email"])
    account_id = new_id("wholesaler")
    ctx.program.add_account(account_id, Role.WHOLESALER, body.get("name", ""))
    auth.set_credentials(
        ctx.conn,
        ctx.settings,
        account_id,
        body["email"],
        body["password"],
        name=body.get("name", ""),
    )
    ctx.audit_operator("add_wholesaler", f"account:{account_id}", body["email"])
    return 201, {"account_id": account_id}


def reconfirm_pharmacy(ctx: Context, pharmacy_id: str) -> Result:
    pharmacy = ctx.program.reconfirm_pharmacy(pharmacy_id, ctx.actor.id)
    return 200, {"pharmacy_id": pharmacy.id, "attested_on": str(pharmacy.attested_on)}


def deactivate_pharmacy(ctx: Context, pharmacy_id: str) -> Result:
    pharmacy = ctx.program.deactivate_pharmacy(pharmacy_id, ctx.actor.id)
    ctx.audit_operator("deactivate_pharmacy", f"pharmacy:{pharmacy_id}")
    return 200, {"pharmacy_id": pharmacy.id, "deactivated_on": str(pharmacy.deactivated_on)}


# Patients
def _own_signature(ctx: Context, body: dict[str, Any]) -> dict[str, Any] | None:
    """The form's signature, if it is the sender's own (see app.signatures). A signature
    naming anyone but the sender or the designee's own certified prescriber is refused first
    (NOT_PERMITTED, rules.md §13 R10), as app/ decides it."""
    signature: dict[str, Any] | None = body.get("signature")
    if signature is not None:
        check_claimed_signer(ctx.ledger, ctx.actor, signature["signer_id"])
        check_signature_is_the_senders(
            signature["signer_id"], ctx.actor.id, body["document"], signature.get("content_sha256")
        )
    return signature


def enroll_patient(ctx: Context, body: dict[str, Any]) -> Result:
    limits.check_document(body["document"])
    _own_signature(ctx, body)
    form = enrollment_from_document(body["document"])
    result = ctx.program.enroll_patient(ctx.actor.id, form)
    return 201, {
        "patient_id": result.patient.id,
        "treatment_status": result.patient.treatment_status.value,
        "transfer": result.transfer,
        "notifications": [n.value for n in result.notifications],
    }


def report_anc(ctx: Context, patient_id: str, body: dict[str, Any]) -> Result:
    _pharmacy_scope(ctx, patient_id, body)
    result = ctx.program.report_anc(ctx.actor.id, patient_id, _anc(body))
    return 201, {
        "treatment_status": result.treatment_status.value,
        "notifications": [n.value for n in result.notifications],
    }


def submit_psf(ctx: Context, body: dict[str, Any]) -> Result:
    limits.check_document(body["document"])
    signature = _own_signature(ctx, body)
    form = psf_from_document(body["document"], signature["signer_id"] if signature else None)
    ctx.ledger.next_psf_id = ctx.key  # the desktop's form id: both sides name it alike
    ctx.ledger.next_psf_signature = signature
    result = ctx.program.submit_psf(ctx.actor.id, form)
    return 201, {
        "psf_id": result.psf.id,
        "treatment_status": result.treatment_status.value,
        "labs_missing": result.labs_missing,
        "notifications": [n.value for n in result.notifications],
    }


def deactivate_patient(ctx: Context, patient_id: str) -> Result:
    patient = ctx.program.deactivate_patient(ctx.actor.id, patient_id)
    return 200, {"patient_id": patient.id, "prescriber_id": patient.prescriber_id}


def look_up_patient(ctx: Context, body: dict[str, Any]) -> Result:
    """A pharmacy (or the Contact Center) finds a patient by name and date of birth; a
    pharmacy sees the patients it found from then on (the feed sends their charts)."""
    actor = active_account(ctx.ledger, ctx.actor.id)
    if not (actor.role.is_pharmacy or actor.role is Role.PROGRAM_OPERATOR):
        raise AccessRefused(
            ErrorCode.NOT_PERMITTED,
            "Patient look-up by name and date of birth is for pharmacies. Offices see their "
            "own patients.",
        )
    try:
        dob = date.fromisoformat(body["dob"])
    except ValueError:
        raise InvalidEntry(
            ErrorCode.INVALID_DATE, "The date of birth must be a date (YYYY-MM-DD)."
        ) from None
    found = ctx.ledger.find_patients(body["name"], dob)
    for patient in found:
        if actor.pharmacy_id:
            ctx.ledger.grant_pharmacy_access(actor.pharmacy_id, patient.id)
    ctx.audit_operator("look_up_patient", "patients", f"{len(found)} found")
    return 200, {
        "patients": [
            {
                "patient_id": p.id,
                "name": p.name,
                "dob": p.dob.isoformat(),
                "treatment_status": p.treatment_status.value,
                "prescriber_id": p.prescriber_id,
            }
            for p in found
        ]
    }


# Dispensing
def _pharmacy_scope(ctx: Context, patient_id: str, body: dict[str, Any]) -> None:
    """A pharmacy acts on a patient (an RDA, an ANC, a Dispense Rationale) only once it has
    looked the patient up by name and date of birth, or the request names them and they
    match, which counts as that look-up. Offices and the program are not pharmacies."""
    actor = ctx.actor
    if not actor.role.is_pharmacy or not actor.pharmacy_id:
        return
    if ctx.ledger.pharmacy_sees(actor.pharmacy_id, patient_id):
        return
    patient = ctx.ledger.patient(patient_id)
    if patient is None:
        return  # the rules answer UNKNOWN_PATIENT
    named = body.get("name"), body.get("dob")
    if (
        all(named)
        and match_name(patient.name) == match_name(str(named[0]))
        and patient.dob.isoformat() == str(named[1])
    ):
        ctx.ledger.grant_pharmacy_access(actor.pharmacy_id, patient_id)
        return
    raise AccessRefused(
        ErrorCode.NOT_PERMITTED,
        "Look the patient up by name and date of birth first (or send them with the "
        "request): a pharmacy acts only on patients it has found that way.",
    )


def request_rda(ctx: Context, body: dict[str, Any]) -> Result:
    _pharmacy_scope(ctx, body["patient_id"], body)
    anc = _anc(body["anc"]) if body.get("anc") else None
    decision = ctx.program.request_rda(
        ctx.actor.id, body["pharmacy_id"], body["patient_id"], body["prescriber_id"], anc
    )
    return 200, {
        "authorized": decision.authorized,
        "first_dispense": decision.first_dispense,
        "as_of": decision.as_of.isoformat(),
        "reasons": [r.value for r in decision.reasons],
        "checks": [
            {
                "check": c.reason.check,
                "outcome": c.outcome.value,
                "reason": c.reason.value,
                "message": c.reason.message if c.failed else "",
            }
            for c in decision.checks
        ],
    }


def dispense_rationale(ctx: Context, body: dict[str, Any]) -> Result:
    _pharmacy_scope(ctx, body["patient_id"], body)
    result = ctx.program.submit_dispense_rationale(
        ctx.actor.id, body["pharmacy_id"], body["patient_id"], body["npi"], _anc(body["anc"])
    )
    return 200, {
        "authorized": result.refusal is None,
        "refusal": result.refusal.value if result.refusal else None,
        "message": result.message,
        "anc_recorded": result.anc_recorded,
        "treatment_status": result.treatment_status.value if result.treatment_status else None,
        "rationales_used": result.rationales_used,
    }


def correct_patient(ctx: Context, patient_id: str, body: dict[str, Any]) -> Result:
    """The Contact Center corrects a patient's name or date of birth; audited with why."""
    actor = active_account(ctx.ledger, ctx.actor.id)
    if actor.role is not Role.PROGRAM_OPERATOR:
        raise AccessRefused(ErrorCode.NOT_PERMITTED, "Only the program can correct a record.")
    patient = ctx.ledger.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    try:
        dob = date.fromisoformat(body["dob"]) if body.get("dob") else patient.dob
    except ValueError:
        raise InvalidEntry(
            ErrorCode.INVALID_DATE, "The date of birth must be YYYY-MM-DD."
        ) from None
    corrected = replace(patient, name=body.get("name") or patient.name, dob=dob)
    ctx.ledger.save_patient(corrected)
    ctx.audit_operator(
        "correct_patient",
        f"patient:{patient_id}",
        f"{body['reason']} (name {'changed' if corrected.name != patient.name else 'kept'}, "
        f"date of birth {'changed' if corrected.dob != patient.dob else 'kept'})",
    )
    return 200, {"patient_id": patient_id}


def check_patient_scope(ctx: Context, patient_id: str) -> None:
    """Offices see their prescriber's patients; a pharmacy the ones it looked up by name and
    date of birth (or dispensed to); the program everyone; wholesalers no one."""
    patient = ctx.ledger.patient(patient_id)
    if patient is None:
        raise RemsError(ErrorCode.UNKNOWN_PATIENT)
    account = ctx.actor
    if account.role is Role.PROGRAM_OPERATOR:
        return
    if account.role.is_office and patient.prescriber_id == account.prescriber_id:
        return
    if (
        account.role.is_pharmacy
        and account.pharmacy_id
        and ctx.ledger.pharmacy_sees(account.pharmacy_id, patient_id)
    ):
        return
    raise AccessRefused(
        ErrorCode.NOT_PERMITTED,
        "This patient is not one you can see. Pharmacies look a patient up by name and date "
        "of birth first; offices see their own prescriber's patients.",
    )
