"""A signed-in session: one account's view of the store, and everything it does.

Every public method checks the session is still unlocked (an idle session locks after 15
minutes by default and asks for the password again), and audits what it touches: views,
creations, changes, signatures, prints and exports of patient information. Writes commit
with their outbox item and audit entry in one transaction.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from app.entered_anc import EnteredAnc
from app.errors import AccessRefused, ErrorCode, RemsError
from app.psf import acts_needing_prescriber
from app.psf_document import psf_from_document
from app.rda import RdaDecision
from app.records import Account, AncReport, Patient
from app.roles import Action, may
from app.signatures import PRESCRIBER_MEANING, Signature, check_may_sign, content_hash
from app.statuses import AncSource
from app.use_cases.lab_import import ImportPlanner, PlannedRow, RecordedImport
from app.use_cases.scope import sight_of
from app.workstation_accounts import check_may_add_account
from local_store import keys
from local_store.audit import AuditAction, AuditEntry, AuditLog, Watch
from local_store.database import Database
from local_store.errors import AccountLocked, SessionLocked, StoreError
from local_store.forms import Form, FormKind, Forms, FormState
from local_store.lab_imports import LabImports
from local_store.ledger import StoreLedger
from local_store.outbox import Outbox, OutboxItem, OutboxKind, OutboxState
from local_store.pending_actions import PendingActions
from local_store.previews import preview
from local_store.roster import (
    LowAncLine,
    PatientChart,
    RosterOrder,
    RosterRow,
    low_latest_ancs,
    patient_chart,
    roster_count,
    roster_page,
)
from local_store.sync_state import SyncState
from local_store.workstation_file import WorkstationAccount

if TYPE_CHECKING:
    from local_store.workstation import NewAccount, Workstation


class Session:
    def __init__(
        self, workstation: Workstation, account: WorkstationAccount, data_key: bytes, db: Database
    ) -> None:
        self.workstation = workstation
        self.account = account
        self._data_key: bytes | None = data_key
        self._db = db  # the same object for the whole session; closed while locked
        self._last_activity = workstation.clock.now()
        self._audit_key = keys.derive(data_key, "audit")
        # One log for the session: it checks its head before each entry, and keeps what it
        # found (a cut tail, a rewritten or missing head) for the window to tell the person.
        self._audit_log = AuditLog(db, self._audit_key, Watch(account.id, workstation.clock.now))

    # Life cycle
    @property
    def locked(self) -> bool:
        return self._db.connection is None

    def touch(self) -> None:
        """A keystroke or click: the idle timer starts again."""
        self._last_activity = self.workstation.clock.now()

    def lock_if_idle(self) -> bool:
        """Lock when idle past the timeout (the UI calls this on a timer); True if locked."""
        if not self.locked and self._idle():
            self._lock(AuditAction.SESSION_LOCKED, "idle")
        return self.locked

    def unlock(self, password: str) -> None:
        """The same person continues after an idle lock."""
        data_key = self.workstation.check_password(self.account.id, password)
        if not self.locked:  # already open: the password was right, nothing to reopen
            self.touch()
            return
        self._data_key = data_key
        self._db.reopen(data_key)
        self._last_activity = self.workstation.clock.now()
        self._audit(AuditAction.SIGN_IN, self.account.id, "unlocked after idle lock")

    def lock(self) -> None:
        """The person locks the screen (Ctrl+L); the password opens it again."""
        if not self.locked:
            self._lock(AuditAction.SESSION_LOCKED, "locked by the person")

    def sign_out(self) -> None:
        if not self.locked:
            self._lock(AuditAction.SIGN_OUT, "")

    def _lock(self, action: AuditAction, detail: str) -> None:
        with contextlib.suppress(StoreError):
            self._audit_log.record(
                self.workstation.clock.now(), self.account.id, action, self.account.id, detail
            )
        self._db.close()
        self._data_key = None  # the key leaves memory with the connection

    def _idle(self) -> bool:
        return self.workstation.clock.now() - self._last_activity > self.workstation.idle_timeout

    @property
    def db(self) -> Database:
        """The open database; raises `SessionLocked` when locked or idle too long. Reading
        it is not activity (background sync reads it too): what a person does calls
        `_act()`, and the UI calls `touch()` on keystrokes and clicks."""
        if not self.locked and self._idle():
            self._lock(AuditAction.SESSION_LOCKED, "idle")
        if self.locked:
            raise SessionLocked()
        return self._db

    def _act(self) -> None:
        """A person's action: refused when locked, and it restarts the idle timer."""
        self.db  # noqa: B018 - raises SessionLocked
        self.touch()

    # The store's parts, for this account
    @property
    def ledger(self) -> StoreLedger:
        return StoreLedger(self.db)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.db)

    @property
    def forms(self) -> Forms:
        return Forms(self.db)

    @property
    def sync_state(self) -> SyncState:
        return SyncState(self.db)

    @property
    def audit(self) -> AuditLog:
        self.db  # noqa: B018 - raises SessionLocked
        return self._audit_log

    def outbox_standing(self) -> tuple[int, int]:
        """(waiting, refused): items on their way to the registry, and those it refused or
        that are held (they wait for a person). For the status bar: not a person's act, so
        not activity."""
        row = self.db.one(
            "SELECT count(*) FILTER (WHERE state IN ('queued', 'sending', 'retry_wait')), "
            "count(*) FILTER (WHERE state NOT IN ('queued', 'sending', 'retry_wait', 'acked')) "
            "FROM outbox"
        )
        return int(row[0]), int(row[1])

    @property
    def audit_damage(self) -> list[str]:
        """Damage this session found in the audit log (at sign-in, or since), in plain words,
        each already recorded as an entry of its own; empty when all was well."""
        return list(self._audit_log.found)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A person's change: one transaction for the change, its outbox item and audit entry."""
        self._act()
        with self.db.transaction() as db:
            yield db

    def _audit(self, action: AuditAction, subject: str, detail: str = "") -> None:
        self.audit.record(self.workstation.clock.now(), self.account.id, action, subject, detail)

    # Patient information (each view audited)
    def roster(
        self,
        *,
        name_prefix: str = "",
        order: RosterOrder = RosterOrder.NAME,
        descending: bool = False,
        limit: int = 100,
        offset: int = 0,
        born: date | None = None,
    ) -> list[RosterRow]:
        self._act()
        rows = roster_page(
            self.db,
            name_prefix=name_prefix,
            prescriber_id=self._own_prescriber(),
            order=order,
            descending=descending,
            limit=limit,
            offset=offset,
            born=born,
        )
        self._audit(AuditAction.VIEW, "roster", f"{len(rows)} patients from row {offset}")
        return rows

    def roster_count(self, *, name_prefix: str = "") -> int:
        self._act()
        return roster_count(self.db, name_prefix=name_prefix, prescriber_id=self._own_prescriber())

    def low_latest_ancs(self) -> list[LowAncLine]:
        """The office's patients whose most current ANC is low (the ANCs to confirm come
        from these), oldest draw first."""
        self._act()
        lines = low_latest_ancs(self.db, prescriber_id=self._own_prescriber())
        self._audit(AuditAction.VIEW, "roster", f"{len(lines)} patients with a low ANC")
        return lines

    def view_patient(self, patient_id: str) -> PatientChart | None:
        self._act()
        chart = patient_chart(self.db, patient_id)
        self._audit(AuditAction.VIEW, f"patient:{patient_id}", "chart")
        return chart

    def preview_eligibility(
        self, pharmacy_id: str, patient_id: str, today: date, prescriber_id: str = ""
    ) -> tuple[Patient, RdaDecision] | None:
        """A pharmacist's preview of one patient (audited as a view of that patient): the
        patient and the RDA checks, or None for a patient this workstation does not hold."""
        self._act()
        decision = preview(self.db, pharmacy_id, patient_id, today, prescriber_id)
        patient = self.ledger.patient(patient_id)
        if decision is None or patient is None:
            return None
        self._audit(AuditAction.VIEW, f"patient:{patient_id}", "eligibility preview")
        return patient, decision

    def queue_anc(
        self, patient_id: str, value: str, unit: str, drawn: str, *, corrects: str | None = None
    ) -> str:
        """Add ANC: the number and the text as typed go to the registry, which applies the
        rules (it may interrupt treatment); the chart shows it as "not sent yet" until then.
        `corrects`: a refused ANC this one replaces (it is marked superseded, at once)."""
        item_id = str(uuid.uuid4())  # a new Idempotency-Key, also for a correction
        entry = EnteredAnc.typed(value, unit, drawn)
        with self.transaction():
            self.outbox.enqueue(
                item_id,
                OutboxKind.REPORT_ANC,
                f"patient:{patient_id}",
                # The number the registry reads, and the text as typed to show (§13 R16).
                {**entry.to_json(), "value": entry.number()},
                self.workstation.clock.now(),
            )
            self._audit(AuditAction.CREATE, f"anc:{item_id}", f"patient:{patient_id}")
            if corrects is not None:
                self._refused_item(corrects)
                self.outbox.supersede(item_id, self.workstation.clock.now(), corrects)
                self._audit(AuditAction.CHANGE, f"outbox:{corrects}", f"superseded by {item_id}")
        return item_id

    # Lab results imported from a file (issue #18): planned against this office's patients,
    # recorded as Add ANC records an ANC, once a person accepts the rows
    def lab_import_planner(self, local_codes: Mapping[str, str] | None = None) -> ImportPlanner:
        """A planner over the patients this person sees, their ANCs recorded or waiting to be
        sent, the specimens imported before and the lab MRNs matched before. Refused to a
        role that does not report ANCs."""
        self._act()
        if not may(self.account.role, Action.REPORT_ANC):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "Lab results are imported by the prescriber's office (the prescriber or a "
                "designee).",
            )
        planner = self._planner(local_codes)
        seen = f"{planner.patients} patients matched to a lab file"
        self._audit(AuditAction.VIEW, "roster", seen)
        return planner

    def _planner(self, local_codes: Mapping[str, str] | None = None) -> ImportPlanner:
        own = self._own_prescriber()
        patients = [p for p in self.ledger.patients() if own is None or p.prescriber_id == own]
        queued = self._queued_ancs()
        ledger, imports = self.ledger, LabImports(self.db)

        def history(patient_id: str) -> list[AncReport]:
            return [*ledger.anc_history(patient_id), *queued.get(patient_id, ())]

        return ImportPlanner(
            patients,
            history,
            earlier=imports.by_specimen(),
            lab_ids=imports.lab_ids(),
            local_codes=local_codes,
        )

    def _queued_ancs(self) -> dict[str, list[AncReport]]:
        """ANCs this workstation queued (waiting, or sent and not yet pulled back): an import
        of the same draw and value is a duplicate of them too."""
        found: dict[str, list[AncReport]] = {}
        live = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.RETRY_WAIT, OutboxState.ACKED)
        for item in self.outbox.items(*live):
            if item.kind != OutboxKind.REPORT_ANC.value:
                continue
            try:  # the payload is the EnteredAnc queue_anc queued
                entered = EnteredAnc.from_json(item.payload)
                anc, drawn = entered.parse(), date.fromisoformat(str(entered.drawn))
            except (RemsError, ValueError):
                continue  # an item the registry will refuse is no ANC to compare with
            patient_id = item.subject.removeprefix("patient:")
            found.setdefault(patient_id, []).append(
                AncReport(patient_id, anc, drawn, drawn, AncSource.ADD_ANC, item.created_by)
            )
        return found

    def record_lab_results(
        self, file_name: str, rows: Sequence[PlannedRow], accepted: Sequence[PlannedRow]
    ) -> RecordedImport:
        """The accepted rows, each queued as Add ANC queues an ANC (the outbox, its audit
        entry), kept with its specimen and file line, and the import audited: the file's
        name, what it held, and who accepted it. One transaction: all or nothing.

        Each row is planned again inside the transaction, against the store as it is now:
        a row recorded since its review was planned (the same file open twice, or dropped
        while it waited in the watched folder) is skipped, not queued a second time."""
        for row in accepted:
            if not row.action.records or row.patient is None or row.result.collected is None:
                raise AccessRefused(
                    ErrorCode.NOT_PERMITTED,
                    f"{row.result.source}: this row is not one to record ({row.reason}).",
                )
        now = self.workstation.clock.now()
        imports = LabImports(self.db)
        done = RecordedImport(rows, [], [])
        with self.transaction():
            check = self._planner()
            for reviewed in accepted:
                assert reviewed.patient is not None
                row = (
                    check.choose(reviewed, reviewed.patient)
                    if reviewed.chosen_by_person
                    else check.plan(reviewed.result)
                )
                if not row.action.records or row.patient != reviewed.patient:
                    done.skipped.append(reviewed)
                    continue
                done.queued.append(self._record_lab_row(file_name, row, imports, now))
            self._audit(
                AuditAction.IMPORT, f"lab file:{file_name}", f"accepted: {done.counts.words()}"
            )
        return done

    def _record_lab_row(
        self, file_name: str, row: PlannedRow, imports: LabImports, now: datetime
    ) -> str:
        assert row.patient is not None and row.result.collected is not None
        assert row.assessment.anc is not None
        item_id = self.queue_anc(
            row.patient.id, row.result.value, row.result.unit, str(row.result.collected)
        )
        imports.add(
            file_name=file_name,
            source=row.result.source,
            lab=row.result.lab,
            accession=row.result.accession,
            patient_id=row.patient.id,
            drawn=row.result.collected,
            per_ul=row.assessment.anc.per_ul,
            outbox_item=item_id,
            corrects=row.corrects.import_id if row.corrects and row.corrects.import_id else None,
            now=now,
        )
        if row.result.mrn:
            imports.remember_mrn(row.result.lab, row.result.mrn, row.patient.id, now)
        how = row.match.reason if row.match else ""
        fix = f"; corrects {row.corrects.source}" if row.corrects else ""
        self._audit(AuditAction.IMPORT, f"anc:{item_id}", f"{row.result.source} ({how}){fix}")
        return item_id

    # The watched folder for lab files (off until a person chooses one)
    def lab_inbox_folder(self) -> str:
        """The watched folder, or "" (read by a timer as well: not a person's act)."""
        return LabImports(self.db).inbox_folder()

    def set_lab_inbox_folder(self, folder: str) -> None:
        if not may(self.account.role, Action.REPORT_ANC):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED, "Only the prescriber's office imports lab results."
            )
        with self.transaction():
            LabImports(self.db).set_inbox_folder(folder)
            self._audit(
                AuditAction.CHANGE,
                "lab inbox folder",
                f"watching {folder}" if folder else "no longer watching a folder",
            )

    def lab_files_reviewed(self, digests: list[str]) -> set[str]:
        return LabImports(self.db).reviewed(digests)  # a timer's look, not a person's act

    def mark_lab_file_reviewed(self, digest: str, file_name: str) -> None:
        with self.transaction():
            LabImports(self.db).mark_reviewed(digest, file_name, self.workstation.clock.now())

    # The outbox: a refused item is dismissed, or corrected and sent again
    def dismiss_refused(self, item_id: str) -> None:
        """The person lets a refused item go: it leaves the outbox; the audit keeps it."""
        with self.transaction():
            item = self._refused_item(item_id)
            self.outbox.dismiss(item_id, self.workstation.clock.now())
            self._audit(
                AuditAction.CHANGE,
                f"outbox:{item_id}",
                f"refused {item.kind} for {item.subject} dismissed ({item.last_error or ''})",
            )

    def correct_refused_form(self, item_id: str) -> Form:
        """A refused form opens again as a new draft with its content (a new id, so a new
        Idempotency-Key); the refused item is superseded when the correction is sent."""
        self._act()
        self._refused_item(item_id)
        started = self.outbox.correction_started(item_id)
        if started is not None:
            draft = self.forms.get(started)
            if draft is not None and draft.state is FormState.DRAFT:
                return self.form(started)  # the correction already begun
        refused = self._form(item_id)
        with self.transaction():
            correction = self.save_draft(
                refused.kind,
                refused.patient_id,
                refused.document,
                needs_signature=refused.needs_signature,
                supersedes=refused.supersedes,  # the registry never took the refused one
            )
            self.outbox.mark_correction(item_id, correction, self.workstation.clock.now())
            self._audit(AuditAction.CHANGE, f"outbox:{item_id}", f"correction {correction}")
        return self.form(correction)

    def _refused_item(self, item_id: str) -> OutboxItem:
        item = self.outbox.get(item_id)
        if item is None or item.state is not OutboxState.REJECTED:
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "This item is no longer refused (it was dismissed, corrected or sent). "
                "Reload the outbox.",
            )
        return item

    # The prescriber's patient list
    def queue_deactivation(self, patient_id: str) -> str:
        """The prescriber removes a patient from their list (rules.md §4): queued for the
        registry like other acts; the enrollment and treatment status stay."""
        self._act()
        if not may(self.account.role, Action.DEACTIVATE_PATIENT):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "Only the prescriber can remove a patient from their list.",
            )
        item_id = str(uuid.uuid4())
        with self.transaction():
            self.outbox.enqueue(
                item_id,
                OutboxKind.DEACTIVATE_PATIENT,
                f"patient:{patient_id}",
                {},
                self.workstation.clock.now(),
            )
            self._audit(AuditAction.CHANGE, f"patient:{patient_id}", "removal from the list queued")
        return item_id

    def second_connection(self) -> Database:
        """A connection of its own for the sync thread: same store, same key, same account."""
        if self._data_key is None or self._db.path is None:
            raise SessionLocked()
        db = Database.open(self._db.path, self._data_key)
        db.actor_id = self.account.id
        return db

    def record_print(self, subject: str, detail: str) -> None:
        self._act()
        self._audit(AuditAction.PRINT, subject, detail)

    def record_export(self, subject: str, detail: str) -> None:
        self._act()
        self._audit(AuditAction.EXPORT, subject, detail)

    def dispensing_key(self, path: str, body: Mapping[str, object]) -> str:
        """The Idempotency-Key of an RDA or a Dispense Rationale this person sends now: the
        same request today keeps its key until answered (local_store.pending_actions)."""
        self._act()
        return PendingActions(self.db).key_for(path, body, self.workstation.clock.now())

    def record_registry_answer(self, subject: str, detail: str, settles: str | None = None) -> None:
        """The registry's answer to a dispensing request, kept in the tamper-evident log;
        `settles` is the request's key, forgotten in the same transaction."""
        with self.transaction():
            self._audit(AuditAction.REGISTRY_ANSWER, subject, detail)
            if settles is not None:
                PendingActions(self.db).settle(settles)

    def registry_answers(self, limit: int = 50) -> list[AuditEntry]:
        """The answers recorded here, newest first."""
        self._act()
        return self.audit.latest(AuditAction.REGISTRY_ANSWER, limit)

    def _own_prescriber(self) -> str | None:
        """Office accounts see their prescriber's patients (app.use_cases.scope); other roles
        see the whole store, which holds only what the registry let them read."""
        return sight_of(self.account).prescriber_id

    # Forms: Patient Status Forms and enrollments, drafted, signed, corrected
    def save_draft(
        self,
        kind: FormKind,
        patient_id: str,
        document: Mapping[str, object],
        *,
        form_id: str | None = None,
        needs_signature: bool = False,
        supersedes: str | None = None,
    ) -> str:
        """Save a draft as it is typed; returns its id (a new UUID the first time, which is
        also the id its outbox item and the registry's Idempotency-Key will carry).

        A patient has one open PSF draft: a new one saved while another is open updates
        that one (the id returned is the open draft's). `needs_signature` sends the draft
        for the prescriber's signature; saving without it never takes a send back.
        """
        self._act()
        with self.transaction():
            if kind is FormKind.PSF and (form_id is None or self.forms.get(form_id) is None):
                open_draft = self.forms.open_draft(FormKind.PSF, patient_id)
                if open_draft is not None:
                    form_id, supersedes = open_draft.id, open_draft.supersedes
            new = form_id is None or self.forms.get(form_id) is None
            form_id = form_id or str(uuid.uuid4())
            self.forms.save_draft(
                form_id,
                kind,
                patient_id,
                document,
                self.workstation.clock.now(),
                needs_signature=needs_signature,
                for_prescriber_id=self.account.prescriber_id,
                supersedes=supersedes,
            )
            self._audit(
                AuditAction.CREATE if new else AuditAction.CHANGE,
                f"{kind.value}:{form_id}",
                f"draft for patient:{patient_id}",
            )
        return form_id

    def psf_draft_for(self, patient_id: str) -> Form | None:
        """The patient's open PSF draft, to carry on with it (audited as a view)."""
        self._act()
        form = self.forms.open_draft(FormKind.PSF, patient_id)
        if form is not None:
            self._audit(AuditAction.VIEW, f"psf:{form.id}", f"patient:{patient_id}")
        return form

    def psf_sent_on(self, patient_id: str) -> date | None:
        """The day this workstation last sent the patient a PSF (signed, or submitted without
        a signature) that the registry has not refused: a new PSF's reporting period starts
        after it, even before the registry's copy comes back."""
        self._act()
        days = [
            datetime.fromisoformat(form.updated_at).astimezone().date()
            for form in self.forms.for_patient(patient_id)
            if form.kind is FormKind.PSF
            and form.state is not FormState.DRAFT
            and (item := self.outbox.get(form.id)) is not None
            and item.state is not OutboxState.REJECTED
        ]
        return max(days, default=None)

    def send_for_signature(self, form_id: str) -> None:
        """A designee sends a draft to the prescriber's Awaiting signature."""
        self._act()
        form = self._form(form_id)
        if form.state is not FormState.DRAFT:
            raise AccessRefused(ErrorCode.NOT_PERMITTED, "This form was already signed or sent.")
        with self.transaction():
            self.forms.mark_sent_for_signature(form.id, self.workstation.clock.now())
            self._audit(AuditAction.CHANGE, f"{form.kind.value}:{form.id}", "sent for signature")

    def correct_signed_form(self, form_id: str) -> str:
        """Start a correction: a new draft with the signed form's content that supersedes it."""
        form = self._form(form_id)
        if form.kind is FormKind.PSF and self.forms.open_draft(form.kind, form.patient_id):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "This patient already has an open Patient Status Form draft. Open it from the "
                "chart's Forms tab and submit it first; then start the correction.",
            )
        return self.save_draft(form.kind, form.patient_id, form.document, supersedes=form.id)

    def sign_form(self, form_id: str, password: str) -> Signature:
        """The prescriber signs: password asked again now, content hashed, outbox item queued."""
        self._act()
        check_may_sign(self.account.role)
        form = self._form(form_id)
        if form.state is not FormState.DRAFT:
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "This form is already signed and cannot change. To correct it, start a "
                "correction: a new draft that replaces it.",
            )
        if form.for_prescriber_id not in (None, self.account.prescriber_id):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED,
                "This form was prepared for another prescriber's signature.",
            )
        try:
            self.workstation.check_password(self.account.id, password)
        except AccountLocked:
            self._lock(AuditAction.LOCKOUT, "wrong password while signing")
            raise
        signed_at = self.workstation.clock.now().astimezone()
        signature = Signature(
            id=str(uuid.uuid4()),
            form_id=form.id,
            signer_id=self.account.id,
            printed_name=self.account.name,
            signed_at=signed_at,
            meaning=PRESCRIBER_MEANING,
            content_sha256=content_hash(form.document),
        )
        with self.transaction():
            self.forms.mark_signed(form.id, signature)
            self._enqueue_form(form, signature, signed_at)
            self._audit(
                AuditAction.SIGN,
                f"{form.kind.value}:{form.id}",
                f"sha256 {signature.content_sha256}",
            )
        return signature

    def submit_form(self, form_id: str) -> None:
        """Queue a draft that needs no signature for the registry."""
        self._act()
        form = self._form(form_id)
        if form.needs_signature or self._needs_prescriber(form):
            raise AccessRefused(ErrorCode.PRESCRIBER_SIGNATURE_REQUIRED)
        now = self.workstation.clock.now()
        with self.transaction():
            self.forms.mark_submitted(form.id, now)
            self._enqueue_form(form, None, now)
            self._audit(
                AuditAction.CHANGE, f"{form.kind.value}:{form.id}", "submitted without signature"
            )

    def _needs_prescriber(self, form: Form) -> bool:
        """A PSF whose content only the prescriber may submit (rules.md §6.3)."""
        patient = self.ledger.patient(form.patient_id)
        if form.kind is not FormKind.PSF or patient is None:
            return False
        return bool(acts_needing_prescriber(psf_from_document(form.document), patient))

    def _enqueue_form(self, form: Form, signature: Signature | None, at: datetime) -> None:
        # A correction of a refused form: the refused item is closed as it leaves.
        self.outbox.supersede(form.id, at)
        self.outbox.enqueue(
            form.id,
            OutboxKind.SUBMIT_PSF if form.kind is FormKind.PSF else OutboxKind.ENROLL_PATIENT,
            f"patient:{form.patient_id}",
            {
                "document": form.document,
                "signature": _signature_payload(signature) if signature else None,
                "supersedes": form.supersedes,
            },
            at,
        )

    def form(self, form_id: str) -> Form:
        """A form, to show it (audited as a view of the patient's information)."""
        self._act()
        form = self._form(form_id)
        self._audit(AuditAction.VIEW, f"{form.kind.value}:{form_id}", f"patient:{form.patient_id}")
        return form

    def _form(self, form_id: str) -> Form:
        form = self.forms.get(form_id)
        if form is None:
            raise AccessRefused(ErrorCode.NOT_PERMITTED, f"There is no form {form_id} here.")
        return form

    # Accounts
    def add_account(self, new: NewAccount, password: str) -> str:
        """A workstation administrator adds anyone; a prescriber adds their designees; a
        pharmacy's authorized representative adds its staff."""
        self._act()
        me = self.account
        check_may_add_account(
            Account(me.id, me.role, me.name, me.prescriber_id, me.pharmacy_id),
            Account(new.id, new.role, new.name, new.prescriber_id, new.pharmacy_id),
        )
        assert self._data_key is not None
        account_id = self.workstation.add_account(self._data_key, new, password)
        from local_store.workstation import save_program_account

        with self.transaction():
            save_program_account(self.db, self.workstation.account(account_id))
            self._audit(AuditAction.ACCOUNT, account_id, f"account added ({new.role.value})")
        return account_id

    def change_password(self, old: str, new: str) -> None:
        """This workstation's password for the signed-in person: the current one first."""
        self._act()
        data_key = self.workstation.check_password(self.account.id, old)
        self.workstation.set_password(data_key, self.account.id, new)
        self._audit(AuditAction.ACCOUNT, self.account.id, "password changed")

    def reset_password(self, account_id: str, new: str) -> None:
        self._act()
        if not may(self.account.role, Action.MANAGE_WORKSTATION_ACCOUNTS):
            raise AccessRefused(
                ErrorCode.NOT_PERMITTED, "Only the workstation administrator can reset passwords."
            )
        assert self._data_key is not None
        self.workstation.set_password(self._data_key, account_id, new)
        self._audit(AuditAction.ACCOUNT, account_id, "password reset by administrator")


def _signature_payload(signature: Signature) -> dict[str, object]:
    return {
        "id": signature.id,
        "signer_id": signature.signer_id,
        "printed_name": signature.printed_name,
        "signed_at": signature.signed_at.isoformat(),
        "meaning": signature.meaning,
        "content_sha256": signature.content_sha256,
    }
