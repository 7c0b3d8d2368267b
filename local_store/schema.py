"""The store's schema, versioned, with forward migrations.

`PRAGMA user_version` is the schema version. Opening a store older than this app backs the
(encrypted) file up into `backups/` and then applies each migration in its own transaction,
so a failed migration leaves the backup and the last good version. A store newer than this
app is refused: an older app must not write a schema it does not know.

Every table that holds a record has `created_by` (the workstation account that wrote it).
Each migration's fixture lives in tests/fixtures/store_v<N>/ (made by
`python -m tests.fixtures.make_store_fixture`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from local_store.database import Database, disk_errors
from local_store.errors import StoreDamaged
from local_store.paths import BACKUP_FOLDER

V1 = """
CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    prescriber_id TEXT,
    pharmacy_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL
);

CREATE TABLE prescribers (
    id TEXT PRIMARY KEY,
    npi TEXT NOT NULL,
    certified INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE pharmacies (
    id TEXT PRIMARY KEY,
    setting TEXT NOT NULL,
    ar_account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    certified_on TEXT,
    attested_on TEXT,
    deactivated_on TEXT,
    created_by TEXT NOT NULL
);

CREATE TABLE patients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,          -- casefolded, accents removed: roster order and filter
    dob TEXT NOT NULL,
    population TEXT NOT NULL,
    hospice INTEGER NOT NULL,
    prescriber_id TEXT,
    treatment_status TEXT NOT NULL,
    enrollment_id INTEGER NOT NULL,
    enrolled_on TEXT NOT NULL,
    monitoring TEXT NOT NULL,
    monitoring_clock_start TEXT NOT NULL,
    interruption_since TEXT,
    interruption_severe INTEGER,
    rationale_through TEXT,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX patients_by_name ON patients (sort_name, id);
CREATE INDEX patients_by_prescriber ON patients (prescriber_id, sort_name);

CREATE TABLE anc_results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL REFERENCES patients (id) DEFERRABLE INITIALLY DEFERRED,
    per_ul INTEGER NOT NULL,          -- normalized to cells/uL
    entered_value TEXT NOT NULL,      -- as typed
    entered_unit TEXT NOT NULL,       -- as typed
    drawn TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    source TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX anc_by_patient ON anc_results (patient_id, drawn, seq);

CREATE TABLE psfs (                   -- accepted PSFs (the enrollment counts as the first)
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    patient_id TEXT NOT NULL REFERENCES patients (id) DEFERRABLE INITIALLY DEFERRED,
    dated TEXT NOT NULL,
    monitoring TEXT NOT NULL,
    labs_missing INTEGER NOT NULL,
    missing_labs_authorized INTEGER NOT NULL,
    submitted_by TEXT NOT NULL,
    is_enrollment INTEGER NOT NULL,
    signed_by TEXT,
    requested_status TEXT,
    treatment_rationale TEXT,
    ben INTEGER,
    hospice INTEGER,
    adverse_event TEXT,
    created_by TEXT NOT NULL
);
CREATE INDEX psfs_by_patient ON psfs (patient_id, seq);

CREATE TABLE dispenses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL REFERENCES patients (id) DEFERRABLE INITIALLY DEFERRED,
    pharmacy_id TEXT NOT NULL,
    pharmacy_setting TEXT NOT NULL,
    on_date TEXT NOT NULL,
    enrollment_id INTEGER NOT NULL,
    via TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    prescriber_npi TEXT,
    created_by TEXT NOT NULL
);
CREATE INDEX dispenses_by_enrollment ON dispenses (patient_id, enrollment_id);
CREATE INDEX dispenses_by_via ON dispenses (patient_id, via, pharmacy_setting, on_date);

CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL REFERENCES patients (id) DEFERRABLE INITIALLY DEFERRED,
    prescriber_id TEXT,
    code TEXT NOT NULL,
    per_ul INTEGER NOT NULL,
    drawn TEXT NOT NULL,
    on_date TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX notifications_by_patient ON notifications (patient_id, seq);

CREATE TABLE status_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL REFERENCES patients (id) DEFERRABLE INITIALLY DEFERRED,
    on_date TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    by TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX status_changes_by_patient ON status_changes (patient_id, seq);

-- Forms being prepared or signed on this workstation. A signed form never changes: a
-- correction is a new draft whose `supersedes` names it.
CREATE TABLE psf_forms (
    id TEXT PRIMARY KEY,              -- a UUID made with the draft; also its outbox item's id
    patient_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'signed', 'submitted')),
    document TEXT NOT NULL,           -- the form's data (app.psf_document), JSON
    needs_signature INTEGER NOT NULL DEFAULT 0,
    for_prescriber_id TEXT,
    supersedes TEXT REFERENCES psf_forms (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX psf_forms_awaiting ON psf_forms (for_prescriber_id, state, needs_signature);
CREATE TRIGGER signed_psf_is_immutable BEFORE UPDATE ON psf_forms
    WHEN OLD.state <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'a signed or submitted form cannot change'); END;
CREATE TRIGGER signed_psf_is_kept BEFORE DELETE ON psf_forms
    WHEN OLD.state <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'a signed or submitted form cannot be deleted'); END;

CREATE TABLE signatures (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL UNIQUE REFERENCES psf_forms (id),
    signer_id TEXT NOT NULL,
    printed_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,          -- ISO 8601 with the UTC offset
    time_zone TEXT NOT NULL,
    meaning TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TRIGGER signatures_are_immutable BEFORE UPDATE ON signatures
    BEGIN SELECT RAISE(ABORT, 'a signature cannot change'); END;
CREATE TRIGGER signatures_are_kept BEFORE DELETE ON signatures
    BEGIN SELECT RAISE(ABORT, 'a signature cannot be deleted'); END;

-- Work waiting for the registry. A row commits in the same transaction as the change it
-- carries; `id` is the UUID made with the draft (the registry's Idempotency-Key).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'acked', 'retry_wait', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, seq);

CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Append-only: an HMAC-SHA256 chain (local_store.audit) over every row, and the head kept
-- apart so a removed tail shows.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,
                         mac TEXT NOT NULL);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# v2: the roster shows each patient's latest ANC; keeping it on the patient row (updated in
# the same transaction as the result) turns a 100-row roster page into one indexed scan.
V2 = """
ALTER TABLE patients ADD COLUMN latest_anc_seq INTEGER REFERENCES anc_results (seq);
UPDATE patients SET latest_anc_seq = (
    SELECT seq FROM anc_results a WHERE a.patient_id = patients.id
    ORDER BY drawn DESC, seq DESC LIMIT 1);
"""

# v3: a patient's ANC history read from one covering index. Results arrive week by week for
# every patient, so a patient's rows are spread over the table: reading 100 of them touched
# ~100 pages, each decrypted when not cached. The index keeps each patient's results
# together, in draw order, with every column the history shows.
V3 = """
CREATE INDEX anc_history ON anc_results (
    patient_id, drawn, seq, per_ul, reported_on, source, reported_by, entered_value, entered_unit
);
DROP INDEX anc_by_patient;
"""

# v4: designees draft enrollments as well as PSFs; one table holds both kinds of form.
# (SQLite renames the table's triggers and the signatures' reference along with it.)
V4 = """
ALTER TABLE psf_forms RENAME TO forms;
ALTER TABLE forms ADD COLUMN kind TEXT NOT NULL DEFAULT 'psf'
    CHECK (kind IN ('psf', 'enrollment'));
"""

# v5: sync with the registry. A pulled change that meets a form still on this workstation
# becomes a conflict for a person to decide; an acknowledged item keeps the registry's answer.
V5 = """
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id TEXT NOT NULL,
    form_id TEXT NOT NULL,
    field TEXT NOT NULL,
    local_value TEXT,
    registry_value TEXT,
    detected_at TEXT NOT NULL,
    resolution TEXT CHECK (resolution IN ('kept_local', 'took_registry')),
    resolved_by TEXT,
    resolved_at TEXT,
    created_by TEXT NOT NULL
);
CREATE INDEX conflicts_open ON conflicts (form_id) WHERE resolution IS NULL;
ALTER TABLE outbox ADD COLUMN response TEXT;
"""

# v6: an RDA or a Dispense Rationale waiting for the registry's answer keeps its
# Idempotency-Key here (local_store.pending_actions), so a retry, even after a restart, is
# the same request and the registry acts on it once.
V6 = """
CREATE TABLE pending_actions (
    key TEXT PRIMARY KEY,             -- the Idempotency-Key sent with every try
    request_sha256 TEXT NOT NULL,     -- the request (path and body) it was made for
    started_on TEXT NOT NULL,         -- the workstation's day it was first sent
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (created_by, request_sha256, started_on)
);
"""

# v7: a refused outbox item can be dismissed (it leaves the outbox, the audit keeps it) or
# superseded by a corrected item sent again under a new key (`superseded_by` names the
# correction, set when it is started; sending it closes the old one). SQLite cannot widen a CHECK in
# place, so the outbox is rebuilt with the same rows.
V7 = """
CREATE TABLE outbox_v7 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'acked', 'retry_wait', 'rejected', 'dismissed',
                         'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    response TEXT,
    superseded_by TEXT
);
INSERT INTO outbox_v7 (seq, id, kind, subject, payload, state, attempts, next_attempt_at,
                       last_error, created_by, created_at, updated_at, response)
    SELECT seq, id, kind, subject, payload, state, attempts, next_attempt_at, last_error,
           created_by, created_at, updated_at, response FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v7 RENAME TO outbox;
CREATE INDEX outbox_by_state ON outbox (state, seq);
"""

# v8: lab results imported from files (issue #18). Each recorded one keeps the lab's specimen
# number (a second copy of it is a duplicate, a corrected one a correction that names it) and
# the ANC it queued; a lab's MRN, once a person's import matched it, names its patient; the
# watched folder's files already reviewed are known by their content.
V8 = """
CREATE TABLE lab_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name TEXT NOT NULL,
    source TEXT NOT NULL,             -- the file and its line, message or entry
    lab TEXT NOT NULL,
    accession TEXT NOT NULL,          -- '' when the lab sent none
    patient_id TEXT NOT NULL,
    drawn TEXT NOT NULL,
    per_ul INTEGER NOT NULL,
    outbox_item TEXT NOT NULL,        -- the ANC it queued, as Add ANC queues one
    corrects INTEGER REFERENCES lab_imports (id),
    imported_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX lab_imports_by_specimen ON lab_imports (lab, accession) WHERE accession <> '';
CREATE TABLE lab_patient_ids (
    lab TEXT NOT NULL,
    mrn TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    matched_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (lab, mrn)
);
-- Files from the watched folder a person has reviewed, by content: not offered again.
CREATE TABLE lab_files_reviewed (
    sha256 TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5, V6, V7, V8)
LATEST = len(MIGRATIONS)


def version(db: Database) -> int:
    return int(db.one("PRAGMA user_version")[0])


def migrate(db: Database, now: Callable[[], datetime]) -> int:
    """Bring the store to the latest schema; returns the version it was at."""
    current = version(db)
    if current > LATEST:
        raise StoreDamaged(
            f"This store was written by a newer version of Clozapine REMS Desk (schema "
            f"{current}; this app knows up to {LATEST}). Install the newer version."
        )
    if current == LATEST:
        return current
    if current > 0 and db.path is not None:
        backup(db, current, now())
    for number in range(current + 1, LATEST + 1):
        # One transaction per migration, schema change and version number together.
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\n"
        try:
            with disk_errors():
                db.connection.executescript(script + "COMMIT;")
        except BaseException:
            if db.connection.in_transaction:
                db.execute("ROLLBACK")
            raise
    return current


def backup(db: Database, schema_version: int, when: datetime) -> Path:
    """Copy the encrypted file (after folding the WAL in) before it is changed."""
    assert db.path is not None
    with disk_errors():
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        folder = db.path.parent / BACKUP_FOLDER
        folder.mkdir(exist_ok=True, mode=0o700)
        target = folder / f"{db.path.stem}-schema{schema_version}-{when:%Y%m%dT%H%M%S}.db"
        shutil.copy2(db.path, target)
    return target
