"""The registry's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Alembic's migrations in registry/migrations build exactly this; a test compares the two so
they cannot drift. Dates are ISO text, which sorts and compares the same on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Autoincrementing keys: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite.
Seq = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(254), unique=True),  # null: a scenario's or program's own account
    Column("password_hash", Text),
    Column("role", String(32), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("prescriber_id", String(64)),
    Column("pharmacy_id", String(64)),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", String(40)),
    Column("created_at", String(40), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # access | refresh
    Column("expires_at", String(40), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    # The sign-in a token descends from (a random id made at sign-in): reuse of a rotated
    # refresh token, or a sign-out, revokes the whole family. Null for tokens made before it.
    Column("family", String(64), index=True),
)

prescribers = Table(
    "prescribers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("npi", String(10), nullable=False),
    Column("certified", Boolean, nullable=False),
    Column("name", Text, nullable=False, default=""),
)

pharmacies = Table(
    "pharmacies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("setting", String(32), nullable=False),
    Column("ar_account_id", String(64), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("certified_on", String(10)),
    Column("attested_on", String(10)),
    Column("deactivated_on", String(10)),
)

patients = Table(
    "patients",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("match_name", Text, nullable=False),  # casefolded, accents removed: look-ups
    Column("dob", String(10), nullable=False),
    Column("population", String(32), nullable=False),
    Column("hospice", Boolean, nullable=False),
    Column("prescriber_id", String(64), index=True),
    Column("treatment_status", String(32), nullable=False),
    Column("enrollment_id", Integer, nullable=False),
    Column("enrolled_on", String(10), nullable=False),
    Column("monitoring", String(32), nullable=False),
    Column("monitoring_clock_start", String(10), nullable=False),
    Column("interruption_since", String(10)),
    Column("interruption_severe", Boolean),
    Column("rationale_through", String(10)),
    Index("ix_patients_match", "match_name", "dob"),
)

anc_results = Table(
    "anc_results",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), nullable=False),
    Column("per_ul", Integer, nullable=False),
    Column("drawn", String(10), nullable=False),
    Column("reported_on", String(10), nullable=False),
    Column("source", String(32), nullable=False),
    Column("reported_by", String(64), nullable=False),
    Column("entered_value", Text, nullable=False, default=""),
    Column("entered_unit", Text, nullable=False, default=""),
    Index("ix_anc_patient_drawn", "patient_id", "drawn", "seq"),
)

psfs = Table(
    "psfs",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("dated", String(10), nullable=False),
    Column("monitoring", String(32), nullable=False),
    Column("labs_missing", Boolean, nullable=False),
    Column("missing_labs_authorized", Boolean, nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("is_enrollment", Boolean, nullable=False),
    Column("signed_by", String(64)),
    Column("requested_status", String(32)),
    Column("treatment_rationale", Text),
    Column("ben", Boolean),
    Column("hospice", Boolean),
    Column("adverse_event", Text),
    Column("signature", JSON),  # the signature manifestation as the workstation sent it
)

dispenses = Table(
    "dispenses",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), nullable=False),
    Column("pharmacy_id", String(64), nullable=False),
    Column("pharmacy_setting", String(32), nullable=False),
    Column("on_date", String(10), nullable=False),
    Column("enrollment_id", Integer, nullable=False),
    Column("via", String(24), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("prescriber_npi", String(10)),
    Index("ix_dispenses_patient", "patient_id", "enrollment_id"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("prescriber_id", String(64)),
    Column("code", String(40), nullable=False),
    Column("per_ul", Integer, nullable=False),
    Column("drawn", String(10), nullable=False),
    Column("on_date", String(10), nullable=False),
)

status_changes = Table(
    "status_changes",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("patient_id", String(64), nullable=False, index=True),
    Column("on_date", String(10), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("by_account", String(64), nullable=False),
)

# A pharmacy sees a patient it looked up by name and date of birth, or dispensed to.
pharmacy_patients = Table(
    "pharmacy_patients",
    metadata,
    Column("pharmacy_id", String(64), primary_key=True),
    Column("patient_id", String(64), primary_key=True),
    Column("since", String(40), nullable=False),
)

invitations = Table(
    "invitations",
    metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("invited_by", String(64), nullable=False),
    Column("prescriber_id", String(64)),
    Column("pharmacy_id", String(64)),
    Column("email", String(254), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("expires_at", String(40), nullable=False),
    Column("accepted_by", String(64)),
)

assessment_attempts = Table(
    "assessment_attempts",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("account_id", String(64), nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("correct", Integer, nullable=False),
    Column("asked", Integer, nullable=False),
    Column("passed", Boolean, nullable=False),
)

# Every POST's Idempotency-Key: the request's hash and, once done, the response to replay.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("account_id", String(64), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("state", String(32), nullable=False),  # in_flight | done
    Column("status_code", Integer),
    Column("response", JSON),
    Column("started_at", String(40), nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
)

# The change feed: one row per record version per audience, in one server-wide order.
changes = Table(
    "changes",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("audience", String(80), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("key", String(80), nullable=False),
    Column("patient_id", String(64)),  # the patient a record belongs to (compaction)
    Column("op", String(8), nullable=False),  # put | delete
    Column("body", JSON),
    Column("at", String(40), nullable=False),
    Index("ix_changes_audience_seq", "audience", "seq"),
    Index("ix_changes_record", "audience", "kind", "key"),
    Index("ix_changes_patient", "audience", "patient_id"),
)

operator_audit = Table(
    "operator_audit",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

registry_meta = Table(
    "registry_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

# The last head of each workstation store's audit log that an account's syncs showed
# (registry/chain_heads.py): a later head must continue the same chain. No patient data.
workstation_audit_heads = Table(
    "workstation_audit_heads",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("store_id", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),  # the last entry's number
    Column("mac", String(64), nullable=False),  # that entry's HMAC-SHA256, as hex
    Column("seen_at", String(40), nullable=False),
    Column("rewound_at", String(40)),  # the first sync that showed a rewritten chain
)
