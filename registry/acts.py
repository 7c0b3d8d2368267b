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
from app.use_cases import scope
from app.use_cases.access import (
    active_account,
    check_claimed_signer,
    office_actor,
    require_role,
)
from app.use_cases.participants import ASSESSMENT_IS_FOR, InvitationFor
from registry import assessment, auth, limits
from registry import tables as t
from registry.ledger import SqlLedger
from registry.settings import Settings

Result = tuple[int, dict[str, Any]]
INVITATION_DAYS = 14
# The registry's account ids name the role they were made for.
_ID_PREFIX = {Role.DESIGNEE: "designee", Role.PHARMACY_STAFF: "staff", Role.PHARMACY_AR: "ar"}


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
        """Kept in the program's audit trail when app/ says the account's acts are."""
        if self.account is not None and scope.sight_of(self.account).audited:
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
    require_role(actor, Action.TAKE_ASSESSMENT, refusal=ASSESSMENT_IS_FOR)
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
    if result.passed:
        # The prescriber, or the pharmacy a chain's AR names (by default their own): app/
        # decides whether they may certify it.
        ctx.program.certify_by_assessment(actor.id, body.get("pharmacy_id"))
    return 200, {
        "passed": result.passed,
        "correct": result.correct,
        "asked": result.asked,
        "certified": result.passed,
        "review": [{"id": q.id, "question": q.text, "why": q.why} for q in result.wrong],
    }


def invite(ctx: Context, body: dict[str, Any]) -> Result:
    """A prescriber invites a designee; an AR invites staff; the Contact Center invites a
    new Authorized Representative for a pharmacy whose AR changes."""
    role = Role(body["role"])
    invitation = ctx.program.check_may_invite(ctx.actor.id, role, body.get("pharmacy_id"))
    where = f"pharmacy:{invitation.pharmacy_id or ''}"  # the Contact Center invites ARs only
    ctx.audit_operator(f"invite_{_ID_PREFIX[role]}", where, body["email"])
    _email_free(ctx, body["email"])
    code = secrets.token_urlsafe(24)
    ctx.conn.execute(
        t.invitations.insert().values(
            code_sha256=auth.token_hash(code),
            role=role.value,
            invited_by=ctx.actor.id,
            prescriber_id=invitation.prescriber_id,
            pharmacy_id=invitation.pharmacy_id,
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
    account_id = new_id(_ID_PREFIX[role])
    invitation = InvitationFor(row.prescriber_id, row.pharmacy_id)
    ctx.program.join_by_invitation(role, account_id, name, invitation, row.invited_by)
    auth.set_credentials(ctx.conn, ctx.settings, account_id, row.email, body["password"], name=name)
    ctx.conn.execute(
        t.invitations.update()
        .where(inv.code_sha256 == row.code_sha256)
        .values(accepted_by=account_id)
    )
    return 201, {"account_id": account_id, "role": role.value}


def add_wholesaler(ctx: Context, body: dict[str, Any]) -> Result:
    require_role(active_account(ctx.ledger, ctx.actor.id), Action.ADD_WHOLESALER)
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
def _own_signature(ctx: Context, body: dict[str, Any], act: Action) -> dict[str, Any] | None:
    """The form's signature, if it is the sender's own (see app.signatures). A signature
    naming anyone but the sender or the designee's own certified prescriber is refused
    (NOT_PERMITTED, rules.md §13 R10), as app/ decides it: after whether the sender may act
    at all (role, then certification), as the engine checks it (R13)."""
    signature: dict[str, Any] | None = body.get("signature")
    if signature is not None:
        office_actor(ctx.ledger, ctx.actor.id, act)
        check_claimed_signer(ctx.ledger, ctx.actor, signature["signer_id"])
        check_signature_is_the_senders(
            signature["signer_id"], ctx.actor.id, body["document"], signature.get("content_sha256")
        )
    return signature


def enroll_patient(ctx: Context, body: dict[str, Any]) -> Result:
    limits.check_document(body["document"])
    _own_signature(ctx, body, Action.ENROLL_PATIENT)
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
    signature = _own_signature(ctx, body, Action.SUBMIT_PSF)
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
    found = scope.look_up_patients(ctx.ledger, actor, body["name"], body["dob"])
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
    """A pharmacy acts only on patients it found, or the request names (app/ decides)."""
    scope.check_pharmacy_may_act_on(
        ctx.ledger, ctx.actor, patient_id, body.get("name"), body.get("dob")
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
    require_role(actor, Action.CORRECT_PATIENT, refusal="Only the program can correct a record.")
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
    """Whether the account may read the patient's chart (app.use_cases.scope decides)."""
    scope.check_may_see_patient(ctx.ledger, ctx.actor, patient_id)
