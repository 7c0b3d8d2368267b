"""How a form is described: sections of fields, laid out in rows.

A form's description says what the program needs on paper; `printing.render` draws any
description the same way (labelled boxes with 1 pt rules, check boxes, tables), filled or
blank. Field keys are also the keys of the form's data, in its QR code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # one line in a box
    DATE = "date"  # one line, MM/DD/YYYY
    CHOICE = "choice"  # check one of `options`
    CHECK = "check"  # one box, ticked or not
    LINES = "lines"  # a box of `lines` lines for free text
    TABLE = "table"  # rows of `columns`; blank forms show `lines` empty rows


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    width: float = 1.0  # share of the row
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    lines: int = 1  # LINES: text lines; TABLE: empty rows on a blank form
    columns: tuple[tuple[str, str, float], ...] = ()  # TABLE: (key, heading, share)
    hint: str = ""  # printed small under the label, e.g. "MM/DD/YYYY"


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[tuple[Field, ...], ...]
    note: str = ""  # instructions printed under the title


@dataclass(frozen=True)
class FormSpec:
    code: str  # short name: "psf", "patient_enrollment", ...
    title: str
    subject: str  # who the header names: "patient", "prescriber", "pharmacy" or "" (none)
    sections: tuple[Section, ...]
    instructions: str = ""
    signed: bool = True  # has a signature block (and so draft and signed states)
    signer: str = "Prescriber"
    attestation: str = ""  # what the signer attests, printed above the signature
    version: str = "1"

    def fields(self) -> list[Field]:
        return [f for s in self.sections for row in s.rows for f in row]


Value = str | bool | list[dict[str, str]]


@dataclass(frozen=True)
class SignatureMark:
    """An electronic signature as printed (app.signatures.Signature's manifestation)."""

    printed_name: str
    signed_at: str  # date and time with zone, as shown
    meaning: str
    content_sha256: str


@dataclass
class FormData:
    """One form's values (by field key), the name the header shows, and its signature."""

    spec: FormSpec
    values: dict[str, Value] = field(default_factory=dict)
    subject_name: str = ""  # "" on a blank form
    subject_dob: str = ""
    signature: SignatureMark | None = None
    # Printed to be signed by hand and faxed (a fallback): unsigned, yet not a draft.
    sign_by_hand: bool = False

    @property
    def blank(self) -> bool:
        return not self.values and not self.subject_name
