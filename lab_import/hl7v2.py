"""HL7 v2 ORU^R01 lab results (v2.3 to v2.5.1): one or many messages a file, MLLP-framed or
not, segments ended by CR (or by LF or CRLF, as files saved on other systems are), each in
its own encoding characters; split here as python-hl7 splits them, unescaped by python-hl7.
Each OBX becomes a `LabResult` carrying its message's patient (PID) and order (OBR);
Z-segments and notes are passed over. The file is read, never copied."""

from __future__ import annotations

import itertools
import logging
import re
from datetime import date

import hl7
import hl7.containers
import hl7.util

from app.lab_results import LabResult

_MLLP = re.compile(rb"[\x0b\x1c]")  # start and end of an MLLP block

# python-hl7 warns of a malformed escape with the field's text (a name, a value): PHI, which
# must not reach a console or a log file. The escape is kept as sent either way.
for _module in (hl7.containers, hl7.util):  # each logs under its file's path
    logging.getLogger(_module.__file__).setLevel(logging.CRITICAL + 1)


class NotHl7(ValueError):
    """The file holds no HL7 v2 message (no MSH segment)."""


def messages(data: bytes) -> list[str]:
    """The messages of a file, each with its segments ended by CR."""
    text = _MLLP.sub(b"", data).replace(b"\r\n", b"\r").replace(b"\n", b"\r")
    # Each message begins with its MSH segment; the encoding is in MSH-18 at most, and the
    # labs we know send ASCII or UTF-8: a byte that is neither is shown, not guessed.
    decoded = text.decode("utf-8", errors="replace")
    starts = [m.start() for m in re.finditer(r"(?:^|\r)MSH\|", decoded)]
    if not starts:
        raise NotHl7("There is no HL7 v2 message in this file (no MSH segment).")
    bounds = [*starts, len(decoded)]
    found = []
    for begin, end in itertools.pairwise(bounds):
        body = decoded[begin:end].strip("\r")
        if body:
            found.append(body)
    return found


class _Message:
    """One message's segments, split as python-hl7 splits them but only as far as a field
    is asked for (hl7.parse builds every repetition, component and subcomponent of every
    field up front: most of a 10,000-result file's reading time). Unescaping is python-hl7's
    own, in this message's encoding characters (MSH-2, python-hl7's defaults where a lab
    leaves some off)."""

    def __init__(self, text: str) -> None:
        # messages() starts each message at "MSH|": the field separator is always |.
        end = text.find("|", 4)
        chars = text[4:end] if end != -1 else text[4:]
        self.component = chars[0] if len(chars) > 0 else "^"
        self.repetition = chars[1] if len(chars) > 1 else "~"
        self.escape = chars[2] if len(chars) > 2 else "\\"
        self.subcomponent = chars[3] if len(chars) > 3 else "&"
        separators = f"\r|{self.repetition}{self.component}{self.subcomponent}"
        self._unescaper = hl7.Message(separators=separators, esc=self.escape)
        self.segments = [self._fields(line) for line in text.strip().split("\r")]

    @staticmethod
    def _fields(line: str) -> list[str]:
        """A segment's fields by their HL7 number: MSH-1 is the field separator itself."""
        fields = line.split("|")
        return ["MSH", "|", *fields[1:]] if fields[0] == "MSH" else fields

    def part(self, fields: list[str], field: int, component: int = 0) -> str:
        """Field `field` (component `component`, 1-based; 0 for the whole field) of a
        segment, unescaped; "" where the segment stops early (labs leave trailing fields
        off). A component is its first repetition's, and its first subcomponent."""
        if field >= len(fields):
            return ""
        text = fields[field]
        if component:
            pieces = text.split(self.repetition, 1)[0].split(self.component)
            if component > len(pieces):
                return ""
            text = pieces[component - 1].split(self.subcomponent, 1)[0]
        if self.escape in text:
            text = str(self._unescaper.unescape(text))
        return text.strip()

    def medical_record_number(self, pid: list[str]) -> tuple[str, str]:
        """PID-3's medical record number and who assigned it: the repetition typed MR (or
        the first, when none says its type), with its assigning authority (CX-4), so two
        authorities' numbers are never taken for one another."""
        if len(pid) <= 3:
            return "", ""
        typed = []
        for repetition in pid[3].split(self.repetition):
            pieces = [p.split(self.subcomponent, 1)[0] for p in repetition.split(self.component)]
            pieces += [""] * (5 - len(pieces))
            number, authority, kind = (self._text(pieces[i]) for i in (0, 3, 4))
            if number:
                typed.append((kind.upper(), number, authority))
        chosen = next((t for t in typed if t[0] == "MR"), typed[0] if typed else None)
        if chosen is None or (chosen[0] and chosen[0] != "MR"):
            return "", ""  # only other kinds of number (a visit, an SSN): no MRN to go by
        return chosen[1], chosen[2]

    def _text(self, text: str) -> str:
        if self.escape in text:
            text = str(self._unescaper.unescape(text))
        return text.strip()


def hl7_date(text: str) -> date | None:
    """YYYYMMDD[HHMM[SS]][+ZZZZ] to its date; None when it is not one."""
    digits = text.strip()[:8]
    if len(digits) < 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def read_hl7(data: bytes, source: str) -> list[LabResult]:
    """Every OBX of every message in the file, as results; `source` names the file."""
    results: list[LabResult] = []
    for number, text in enumerate(messages(data), start=1):
        message = _Message(text)
        part = message.part
        name, dob, mrn, lab, sender = "", None, "", "", ""
        accession, order_date = "", None
        observation = 0
        for segment in message.segments:
            kind = segment[0]
            if kind == "MSH":  # the sending facility, else application
                sender = part(segment, 4, 1) or part(segment, 3, 1)
            elif kind == "PID":
                given = " ".join(p for p in (part(segment, 5, 2), part(segment, 5, 3)) if p)
                name = f"{given} {part(segment, 5, 1)}".strip()
                dob = hl7_date(part(segment, 7))
                mrn, authority = message.medical_record_number(segment)
                lab = authority or sender  # whose numbers the MRNs are
                accession, order_date = "", None  # a new patient's order is its own
            elif kind == "OBR":
                accession = part(segment, 3, 1) or part(segment, 2, 1)
                order_date = hl7_date(part(segment, 7))
            elif kind == "OBX":
                observation += 1
                results.append(
                    LabResult(
                        patient_name=name,
                        dob=dob,
                        code=part(segment, 3, 1),
                        value=part(segment, 5),
                        unit=part(segment, 6, 1),
                        collected=hl7_date(part(segment, 14)) or order_date,
                        status=part(segment, 11),
                        source=f"{source}, message {number}, OBX {observation}",
                        mrn=mrn,
                        accession=accession,
                        lab=lab,
                    )
                )
    return results
