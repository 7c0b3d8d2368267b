"""The program's forms, described field by field (docs/forms.md says where each comes from).

The FAQ (11/2023) and rules.md §6.1 name what each form carries; where the program's own
paper form is not known (the post-2021 PSF and the enrollment forms were not found), the
fields are what the program needs to act on the form, in the order a clinic fills them.
"""

from __future__ import annotations

from app import thresholds as t
from printing.spec import Field, FormSpec, Kind, Section

UNITS = "/µL or K/µL"
ANC_COLUMNS = (
    ("drawn", "Blood draw date (MM/DD/YYYY)", 0.4),
    ("value", "ANC", 0.3),
    ("unit", f"Unit ({UNITS})", 0.3),
)


def _patient(id_label: str = "REMS patient ID") -> Section:
    return Section(
        "Patient",
        (
            (
                Field("patient_name", "Patient name (first, last)", width=0.4),
                Field("patient_dob", "Date of birth", Kind.DATE, width=0.35, hint="MM/DD/YYYY"),
                Field("patient_id", id_label, width=0.25),
            ),
        ),
    )


def _prescriber(title: str = "Prescriber") -> Section:
    return Section(
        title,
        (
            (
                Field("prescriber_name", "Prescriber name", width=0.5),
                Field("prescriber_npi", "NPI", width=0.25),
                Field("prescriber_dea", "DEA (optional)", width=0.25),
            ),
            (
                Field("prescriber_phone", "Phone", width=0.33),
                Field("prescriber_fax", "Fax", width=0.33),
                Field("prescriber_email", "Email", width=0.34),
            ),
        ),
    )


MONITORING = Field(
    "monitoring",
    "Monitoring frequency (check one)",
    Kind.CHOICE,
    options=(("weekly", "Weekly"), ("every_2_weeks", "Every 2 weeks"), ("monthly", "Monthly")),
)

PSF = FormSpec(
    code="psf",
    title="Patient Status Form",
    subject="patient",
    instructions=(
        "Report every ANC drawn in the period. A Treatment Rationale, a BEN or hospice change, "
        "and continuing despite missing labs need the prescriber's signature."
    ),
    sections=(
        _patient(),
        _prescriber(),
        Section(
            "Reporting period",
            (
                (
                    Field("period_start", "From (after the last PSF)", Kind.DATE, 0.3),
                    Field("period_end", "To (date of this form)", Kind.DATE, 0.3),
                    Field(
                        "submitted_by",
                        "Submitted by",
                        Kind.CHOICE,
                        0.4,
                        options=(("prescriber", "Prescriber"), ("designee", "Designee")),
                    ),
                ),
                (Field("submitter_name", "Name of the person submitting"),),
            ),
        ),
        Section(
            "ANC results in this period",
            ((Field("ancs", "ANC results", Kind.TABLE, lines=6, columns=ANC_COLUMNS),),),
            note="One row per blood draw. Write the unit the lab used.",
        ),
        Section(
            "Monitoring and treatment status",
            (
                (
                    Field(
                        "monitoring",
                        MONITORING.label,
                        Kind.CHOICE,
                        0.42,
                        options=MONITORING.options,
                    ),
                    Field(
                        "treatment_status",
                        "Treatment status (check one)",
                        Kind.CHOICE,
                        0.58,
                        options=(
                            ("no_change", "No change"),
                            ("enrolled", "Continue (enrolled)"),
                            ("interrupted", "Interrupted"),
                            ("discontinued", "Discontinued"),
                        ),
                    ),
                ),
            ),
        ),
        Section(
            "Prescriber only",
            (
                (
                    Field(
                        "authorize_missing_labs",
                        "I authorize continuing treatment despite missing labs in this period",
                        Kind.CHECK,
                    ),
                ),
                (
                    Field(
                        "treatment_rationale",
                        "Treatment Rationale (benefit outweighs the risk of neutropenia)",
                        Kind.LINES,
                        lines=3,
                    ),
                ),
                (
                    Field(
                        "ben",
                        "Benign ethnic neutropenia (BEN)",
                        Kind.CHOICE,
                        0.5,
                        options=(("no_change", "No change"), ("yes", "Yes"), ("no", "No")),
                    ),
                    Field(
                        "hospice",
                        "Hospice",
                        Kind.CHOICE,
                        0.5,
                        options=(("no_change", "No change"), ("yes", "Yes"), ("no", "No")),
                    ),
                ),
            ),
            note="A designee may fill these in for the prescriber to review and sign.",
        ),
        Section(
            "Adverse event",
            ((Field("adverse_event", "Adverse event to report (if any)", Kind.LINES, lines=2),),),
        ),
    ),
    attestation="I have reviewed this form, and the information on it is correct.",
)

PATIENT_ENROLLMENT = FormSpec(
    code="patient_enrollment",
    title="Patient Enrollment Form",
    subject="patient",
    instructions=(
        'Before enrolling, give the patient or caregiver "What You Need to Know about '
        'Clozapine" and explain the risk of severe neutropenia and the ANC monitoring.'
    ),
    sections=(
        _patient("REMS ID (if known)"),
        Section(
            "Population and monitoring",
            (
                (
                    Field(
                        "population",
                        "ANC ranges (check one)",
                        Kind.CHOICE,
                        options=(
                            ("general", "General population"),
                            ("ben", "Benign ethnic neutropenia (BEN)"),
                        ),
                    ),
                ),
                (
                    Field(
                        "monitoring",
                        MONITORING.label,
                        Kind.CHOICE,
                        0.62,
                        options=MONITORING.options,
                    ),
                    Field("hospice", "Patient is in hospice care", Kind.CHECK, 0.38),
                ),
            ),
            note="BEN and hospice: prescriber only. A BEN patient needs two baseline ANCs.",
        ),
        Section(
            "Baseline ANC",
            ((Field("ancs", "Baseline ANC", Kind.TABLE, lines=3, columns=ANC_COLUMNS),),),
        ),
        _prescriber(),
    ),
    attestation=(
        "I have counseled the patient or caregiver on the risk of severe neutropenia and the "
        "need for ANC monitoring, and the information on this form is correct."
    ),
)

ANC_LAB_REPORT = FormSpec(
    code="anc_lab_report",
    title="ANC Lab Reporting Form",
    subject="patient",
    instructions="Report ANC results drawn outside a Patient Status Form. All fields required.",
    sections=(
        _prescriber(),
        Section(
            "Submitted by",
            (
                (
                    Field(
                        "submitted_by",
                        "Submitter (check one)",
                        Kind.CHOICE,
                        0.6,
                        options=(
                            ("prescriber", "Prescriber"),
                            ("designee", "Designee"),
                            ("pharmacy", "Pharmacy"),
                        ),
                    ),
                    Field("submitter_name", "Submitter name", width=0.4),
                ),
            ),
        ),
        _patient(),
        Section(
            "ANC monitoring",
            ((Field("ancs", "ANC results", Kind.TABLE, lines=6, columns=ANC_COLUMNS),),),
        ),
    ),
    signer="Submitter",
    attestation="The ANC results above are copied from the laboratory reports.",
)


def _contact(prefix: str) -> tuple[tuple[Field, ...], ...]:
    return (
        (Field(f"{prefix}_address", "Street address"),),
        (
            Field(f"{prefix}_city", "City", width=0.5),
            Field(f"{prefix}_state", "State", width=0.2),
            Field(f"{prefix}_zip", "ZIP", width=0.3),
        ),
        (
            Field(f"{prefix}_phone", "Phone", width=0.33),
            Field(f"{prefix}_fax", "Fax", width=0.33),
            Field(f"{prefix}_email", "Email", width=0.34),
        ),
    )


PRESCRIBER_ENROLLMENT = FormSpec(
    code="prescriber_enrollment",
    title="Prescriber Enrollment Form",
    subject="prescriber",
    instructions=(
        'To be certified: complete this form, review "Clozapine and the Risk of Neutropenia: '
        'A Guide for Healthcare Providers", and pass the Knowledge Assessment.'
    ),
    sections=(
        Section(
            "Prescriber",
            (
                (
                    Field("prescriber_name", "Name (first, last)", width=0.5),
                    Field("credentials", "Credentials (MD, DO, NP, PA...)", width=0.5),
                ),
                (
                    Field("prescriber_npi", "NPI", width=0.33),
                    Field("prescriber_dea", "DEA", width=0.33),
                    Field("specialty", "Specialty", width=0.34),
                ),
                (Field("practice_name", "Practice or facility name"),),
                *_contact("practice"),
            ),
        ),
    ),
    attestation=(
        "I will enroll each patient, monitor ANC as the prescribing information describes, "
        "keep each patient's Patient Status Form current (dated within "
        f"{t.PSF_CURRENT_DAYS} days of any dispense), and report adverse events."
    ),
)

DESIGNEE_ENROLLMENT = FormSpec(
    code="designee_enrollment",
    title="Prescriber Designee Enrollment Form",
    subject="designee",
    instructions=(
        "A designee acts for one prescriber: enrolls patients, reports ANCs and prepares "
        "Patient Status Forms. Each designee uses their own email address."
    ),
    sections=(
        Section(
            "Designee",
            (
                (
                    Field("designee_name", "Name (first, last)", width=0.5),
                    Field("designee_title", "Title or role", width=0.5),
                ),
                (
                    Field("designee_phone", "Phone", width=0.33),
                    Field("designee_fax", "Fax", width=0.33),
                    Field("designee_email", "Email", width=0.34),
                ),
            ),
        ),
        Section(
            "Prescriber this designee acts for",
            (
                (
                    Field("prescriber_name", "Prescriber name", width=0.6),
                    Field("prescriber_npi", "Prescriber NPI", width=0.4),
                ),
            ),
        ),
    ),
    signer="Designee",
    attestation=(
        "I will act only for the prescriber named above and will not give a Treatment "
        "Rationale, set BEN or hospice, or authorize missing labs."
    ),
)


def _pharmacy_form(code: str, title: str, setting: str, attestation: str) -> FormSpec:
    return FormSpec(
        code=code,
        title=title,
        subject="pharmacy",
        instructions=(
            f"For an {setting} pharmacy. The Authorized Representative completes this form "
            "and the Knowledge Assessment for Pharmacies, and reconfirms every two years."
        ),
        sections=(
            Section(
                "Pharmacy",
                (
                    (Field("pharmacy_name", "Pharmacy name"),),
                    (
                        Field("pharmacy_ncpdp", "NCPDP", width=0.33),
                        Field("pharmacy_npi", "NPI", width=0.33),
                        Field("pharmacy_dea", "DEA", width=0.34),
                    ),
                    *_contact("pharmacy"),
                ),
            ),
            Section(
                "Authorized Representative",
                (
                    (
                        Field("ar_name", "Name (first, last)", width=0.5),
                        Field("ar_title", "Title", width=0.5),
                    ),
                    (
                        Field("ar_phone", "Phone", width=0.5),
                        Field("ar_email", "Email", width=0.5),
                    ),
                ),
            ),
        ),
        signer="Authorized Representative",
        attestation=attestation,
    )


OUTPATIENT_PHARMACY_ENROLLMENT = _pharmacy_form(
    "outpatient_pharmacy_enrollment",
    "Outpatient Pharmacy Enrollment Form",
    "outpatient",
    "I will train our staff, check every dispense against the program (an RDA, or a "
    "Dispense Rationale with a current acceptable ANC), and keep records for audit.",
)

INPATIENT_PHARMACY_ENROLLMENT = _pharmacy_form(
    "inpatient_pharmacy_enrollment",
    "Inpatient Pharmacy Enrollment Form",
    "inpatient",
    "I will train our staff, verify a current acceptable ANC before each dispense, report "
    "ANCs with RDA requests, and keep records for audit.",
)

FAX_COVER = FormSpec(
    code="fax_cover",
    title="Fax Cover Sheet",
    subject="",
    sections=(
        Section(
            "From",
            (
                (Field("from_office", "Office or pharmacy"),),
                (
                    Field("from_contact", "Contact person", width=0.4),
                    Field("from_phone", "Phone", width=0.3),
                    Field("from_fax", "Fax", width=0.3),
                ),
            ),
        ),
        Section(
            "This fax",
            (
                (
                    Field("date", "Date", Kind.DATE, 0.35, hint="MM/DD/YYYY"),
                    Field("pages", "Pages, including this one", width=0.3),
                    Field("urgent", "Urgent: a dispense is waiting", Kind.CHECK, 0.35),
                ),
                (Field("enclosed", "Forms enclosed", Kind.LINES, lines=2),),
                (Field("message", "Message", Kind.LINES, lines=3),),
            ),
        ),
    ),
    signed=False,
)

ALL: tuple[FormSpec, ...] = (
    PATIENT_ENROLLMENT,
    PSF,
    ANC_LAB_REPORT,
    PRESCRIBER_ENROLLMENT,
    DESIGNEE_ENROLLMENT,
    OUTPATIENT_PHARMACY_ENROLLMENT,
    INPATIENT_PHARMACY_ENROLLMENT,
    FAX_COVER,
)
BY_CODE = {spec.code: spec for spec in ALL}
