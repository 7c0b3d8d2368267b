"""HL7 v2 ORU^R01 lab results (v2.3 to v2.5.1), read with python-hl7: one or many messages
a file, MLLP-framed or not, segments ended by CR (or by LF or CRLF, as files saved on other
systems are). Each OBX becomes a `LabResult` carrying its message's patient (PID) and order
(OBR); Z-segments and notes are passed over. The file is read, never copied."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import hl7

from app.lab_results import LabResult

_MLLP = re.compile(rb"[\x0b\x1c]")  # start and end of an MLLP block


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


def _part(message: Any, segment: Any, field: int, component: int = 0) -> str:
    """Field `field` (component `component`, 1-based; 0 for the whole field) of a segment,
    unescaped; "" where the segment stops early (labs leave trailing fields off)."""
    try:
        value = segment[field]
    except IndexError:
        return ""
    if component == 0:
        return str(message.unescape(str(value))).strip()
    repetition = value[0] if len(value) else ""
    if isinstance(repetition, str):
        text = repetition if component == 1 else ""
    else:
        try:
            piece = repetition[component - 1]
        except IndexError:
            return ""
        text = piece if isinstance(piece, str) else str(piece[0] if len(piece) else "")
    return str(message.unescape(text)).strip()


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
        message = hl7.parse(text)
        name, dob, mrn, lab = "", None, "", ""
        accession, order_date = "", None
        observation = 0
        for segment in message:
            kind = str(segment[0])
            if kind == "MSH":  # the sending facility, else application: whose MRNs these are
                lab = _part(message, segment, 4, 1) or _part(message, segment, 3, 1)
            elif kind == "PID":
                given = " ".join(
                    p for p in (_part(message, segment, 5, 2), _part(message, segment, 5, 3)) if p
                )
                name = f"{given} {_part(message, segment, 5, 1)}".strip()
                dob = hl7_date(_part(message, segment, 7))
                mrn = _part(message, segment, 3, 1)
            elif kind == "OBR":
                accession = _part(message, segment, 3, 1) or _part(message, segment, 2, 1)
                order_date = hl7_date(_part(message, segment, 7))
            elif kind == "OBX":
                observation += 1
                results.append(
                    LabResult(
                        patient_name=name,
                        dob=dob,
                        code=_part(message, segment, 3, 1),
                        value=_part(message, segment, 5),
                        unit=_part(message, segment, 6, 1),
                        collected=hl7_date(_part(message, segment, 14)) or order_date,
                        status=_part(message, segment, 11),
                        source=f"{source}, message {number}, OBX {observation}",
                        mrn=mrn,
                        accession=accession,
                        lab=lab,
                    )
                )
    return results
