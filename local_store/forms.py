"""Forms prepared on this workstation (Patient Status Forms and enrollments): drafts, the
prescriber's signature, corrections.

A draft is saved as it is typed (its data as `app.psf_document` or
`app.enrollment_document` describes it). Signing
turns it into a signed form that never changes again (database triggers refuse an update
or a delete); a correction is a new draft that names the form it supersedes. A signature
stores the hash of the exact content signed, so a form whose content no longer matches
shows its signature as invalid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.signatures import Signature
from local_store.database import Database


class FormKind(StrEnum):
    PSF = "psf"
    ENROLLMENT = "enrollment"

    @property
    def label(self) -> str:
        return "Patient Status Form" if self is FormKind.PSF else "Patient Enrollment Form"


class FormState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SUBMITTED = "submitted"  # handed to the outbox without a signature (no signature needed)


@dataclass(frozen=True)
class Form:
    id: str
    kind: FormKind
    patient_id: str
    state: FormState
    document: dict[str, object]
    needs_signature: bool  # sent for the prescriber's signature (waiting in Awaiting signature)
    for_prescriber_id: str | None
    supersedes: str | None
    created_by: str
    updated_at: str
    signature: Signature | None

    @property
    def signature_valid(self) -> bool | None:
        """True or False for a signed form; None when it carries no signature."""
        return None if self.signature is None else self.signature.matches(self.document)


_COLUMNS = (
    "id, kind, patient_id, state, document, needs_signature, for_prescriber_id, supersedes, "
    "created_by, updated_at"
)


class Forms:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save_draft(
        self,
        form_id: str,
        kind: FormKind,
        patient_id: str,
        document: Mapping[str, object],
        at: datetime,
        *,
        needs_signature: bool = False,
        for_prescriber_id: str | None = None,
        supersedes: str | None = None,
    ) -> None:
        """Create the draft or save its latest text. A signed form is refused by the store.
        `needs_signature` is the send for the prescriber's signature: once sent, a draft stays
        in the prescriber's Awaiting signature until it is signed."""
        text = json.dumps(document, sort_keys=True, ensure_ascii=False)
        stamp = at.isoformat()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO forms (id, kind, patient_id, state, document, needs_signature, "
                "for_prescriber_id, supersedes, created_by, created_at, updated_by, updated_at) "
                "VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                # Saving again as it is typed never takes back a send for signature.
                "document = excluded.document, "
                "needs_signature = MAX(forms.needs_signature, excluded.needs_signature), "
                "for_prescriber_id = excluded.for_prescriber_id, "
                "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (
                    form_id,
                    kind.value,
                    patient_id,
                    text,
                    int(needs_signature),
                    for_prescriber_id,
                    supersedes,
                    self._db.actor_id,
                    stamp,
                    self._db.actor_id,
                    stamp,
                ),
            )

    def get(self, form_id: str) -> Form | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM forms WHERE id = ?", (form_id,))
        return self._form(row) if row else None

    def for_patient(self, patient_id: str) -> list[Form]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM forms WHERE patient_id = ? ORDER BY created_at",
            (patient_id,),
        )
        return [self._form(row) for row in rows]

    def open_draft(self, kind: FormKind, patient_id: str) -> Form | None:
        """The patient's open draft of this kind (one per patient), the latest if older
        workstations left several."""
        row = self._db.one(
            f"SELECT {_COLUMNS} FROM forms WHERE kind = ? AND patient_id = ? AND state = 'draft' "
            "ORDER BY updated_at DESC LIMIT 1",
            (kind.value, patient_id),
        )
        return self._form(row) if row else None

    def mark_sent_for_signature(self, form_id: str, at: datetime) -> None:
        """The designee sends the draft: it waits in the prescriber's Awaiting signature."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE forms SET needs_signature = 1, updated_by = ?, updated_at = ? "
                "WHERE id = ? AND state = 'draft'",
                (self._db.actor_id, at.isoformat(), form_id),
            )

    def drafts_by(self, kind: FormKind, account_id: str) -> list[Form]:
        """Someone's unfinished drafts of one kind, newest first (to pick up where they left)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM forms WHERE kind = ? AND created_by = ? AND state = 'draft' "
            "ORDER BY updated_at DESC",
            (kind.value, account_id),
        )
        return [self._form(row) for row in rows]

    def awaiting_signature(self, prescriber_id: str) -> list[Form]:
        """Drafts (of either kind) sent for this prescriber's signature."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM forms WHERE for_prescriber_id = ? AND state = 'draft' "
            "AND needs_signature = 1 ORDER BY updated_at",
            (prescriber_id,),
        )
        return [self._form(row) for row in rows]

    def mark_signed(self, form_id: str, signature: Signature) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO signatures (id, form_id, signer_id, printed_name, signed_at, "
                "time_zone, meaning, content_sha256, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    signature.id,
                    form_id,
                    signature.signer_id,
                    signature.printed_name,
                    signature.signed_at.isoformat(),
                    signature.signed_at.tzname() or "",
                    signature.meaning,
                    signature.content_sha256,
                    self._db.actor_id,
                ),
            )
            self._set_state(form_id, FormState.SIGNED, signature.signed_at)

    def mark_submitted(self, form_id: str, at: datetime) -> None:
        with self._db.transaction():
            self._set_state(form_id, FormState.SUBMITTED, at)

    def _set_state(self, form_id: str, state: FormState, at: datetime) -> None:
        self._db.execute(
            "UPDATE forms SET state = ?, updated_by = ?, updated_at = ? "
            "WHERE id = ? AND state = 'draft'",
            (state.value, self._db.actor_id, at.isoformat(), form_id),
        )

    def _form(self, row: tuple[object, ...]) -> Form:
        sig = self._db.one(
            "SELECT id, form_id, signer_id, printed_name, signed_at, meaning, content_sha256 "
            "FROM signatures WHERE form_id = ?",
            (row[0],),
        )
        signature = (
            Signature(
                id=sig[0],
                form_id=sig[1],
                signer_id=sig[2],
                printed_name=sig[3],
                signed_at=datetime.fromisoformat(sig[4]),
                meaning=sig[5],
                content_sha256=sig[6],
            )
            if sig
            else None
        )
        return Form(
            id=str(row[0]),
            kind=FormKind(str(row[1])),
            patient_id=str(row[2]),
            state=FormState(str(row[3])),
            document=json.loads(str(row[4])),
            needs_signature=bool(row[5]),
            for_prescriber_id=None if row[6] is None else str(row[6]),
            supersedes=None if row[7] is None else str(row[7]),
            created_by=str(row[8]),
            updated_at=str(row[9]),
            signature=signature,
        )
