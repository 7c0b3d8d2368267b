"""An ANC as someone entered it, the one type every surface reads (rules.md §13 R15, R16).

Add ANC, the PSF editor, the enrollment wizard, a pharmacy's ANC, the registry's API, the
documents a signature covers and printing all hold an `EnteredAnc` and read it with `parse()`,
so a value means the same everywhere: the number the rules read (a JSON number, R16), the
unit as written (R15), the blood draw date, and the text as typed, kept to show and print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.anc import Anc, AncUnit, anc_number, unit_mixup_warning
from app.errors import ErrorCode, InvalidEntry, RemsError, echo
from app.records import AncReport

# Where a sender names no unit (the registry's API and the scenario format allow that), the
# value is in cells/µL, the unit the program's forms print. People always choose one.
DEFAULT_UNIT = AncUnit.PER_UL.value


@dataclass(frozen=True)
class EnteredAnc:
    """An ANC on a form or in a request.

    `value` is what the rules read: a number for anything typed as a plain decimal, or the
    value exactly as a sender gave it (a string, a boolean, null), which `parse()` refuses.
    `as_entered` is the text as typed ("1,500", "1.9"); None when a program sent the number.
    """

    value: object
    drawn: date | str
    unit: str = DEFAULT_UNIT
    as_entered: str | None = None

    @classmethod
    def typed(cls, text: str, unit: str, drawn: date | str) -> EnteredAnc:
        """What a person typed from a lab report: read as a number where it is one (R16), the
        text kept as typed either way, so a half-typed draft loses nothing."""
        cleaned = text.strip()
        return cls(typed_number(cleaned), drawn, unit, cleaned)

    @classmethod
    def recorded(cls, report: AncReport) -> EnteredAnc:
        """A recorded ANC as it was entered (1.9 in K/µL stays 1.9 K/µL)."""
        text = report.entered_value or str(report.anc.per_ul)
        return cls.typed(text, report.entered_unit or DEFAULT_UNIT, report.drawn)

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> EnteredAnc:
        """An ANC as the registry's API and a version 2 document carry it; values are taken
        as sent (a string "2000" stays a string, for `parse()` to refuse)."""
        as_entered = raw.get("as_entered")
        return cls(
            value=raw.get("value"),
            drawn=str(raw.get("drawn", "")),
            unit=str(raw.get("unit", DEFAULT_UNIT)),
            as_entered=None if as_entered is None else str(as_entered),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "as_entered": self.as_entered,
            "unit": self.unit,
            "drawn": self.drawn.isoformat() if isinstance(self.drawn, date) else self.drawn,
        }

    def parse(self) -> Anc:
        """The ANC in cells/µL, or INVALID_ANC saying what is wrong and what to type."""
        if isinstance(self.value, str):
            anc_number(self.value)  # text no lab prints is refused in the typist's words
            raise InvalidEntry(
                ErrorCode.INVALID_ANC,
                f"The ANC must be a number, and {echo(self.value)} was sent as text. Send the "
                "number, with the text as typed beside it in as_entered.",
            )
        return Anc.from_entry(self.value, self.unit)

    def number(self) -> object:
        """The value to send: INVALID_ANC, before anything is queued, for text that is not a
        number (R16); the rest of what `parse()` checks is the registry's to answer."""
        if isinstance(self.value, str):
            self.parse()  # always refuses text
        return self.value

    def warning(self) -> str | None:
        """A valid value that looks like the other unit (Add ANC and the PSF editor alike)."""
        try:
            return unit_mixup_warning(self.value, self.unit)
        except RemsError:
            return None

    @property
    def shown(self) -> str:
        """The value as the record shows and prints it: as typed, or the number sent."""
        return self.as_entered if self.as_entered is not None else str(self.value)


def typed_number(text: str) -> object:
    """Text typed as a plain decimal becomes the number it says (R16: no exponents, at most
    10 significant digits); anything else stays text, for `parse()` to refuse with its own
    message, and costs nothing to read."""
    try:
        return anc_number(text)
    except InvalidEntry:
        return text
