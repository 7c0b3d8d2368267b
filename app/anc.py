"""ANC values with units, populations and ANC categories (rules.md §2)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from app import thresholds as t
from app.errors import ErrorCode, InvalidEntry, echo


class AncUnit(StrEnum):
    """The units a lab reports an ANC in."""

    PER_UL = "/uL"  # cells per microliter (= /mm³)
    K_PER_UL = "K/uL"  # thousands per microliter (= ×10⁹/L)

    @property
    def label(self) -> str:
        return "/µL" if self is AncUnit.PER_UL else "×10³/µL (K/µL)"

    @classmethod
    def parse(cls, text: str | AncUnit) -> AncUnit:
        """Read a unit spelled as rules.md §13 R15 lists it (spaces and the case of x, k and
        cells ignored); anything else is INVALID_ANC, never guessed: g/L is grams."""
        if isinstance(text, AncUnit):
            return text
        unit = _SPELLINGS.get(_spelling_key(str(text)))
        if unit is None:
            raise InvalidEntry(
                ErrorCode.INVALID_ANC,
                f"The unit {echo(text)} is not an ANC unit. Per microliter: "
                f"{', '.join(PER_UL_SPELLINGS)}. Thousands per microliter (×10⁹/L): "
                f"{', '.join(THOUSANDS_SPELLINGS)}.",
            )
        return unit


# rules.md §13 R15: the spellings accepted, and no others.
PER_UL_SPELLINGS = ("/uL", "/µL", "/μL", "/mm3", "/mm³", "cells/uL", "cells/µL")
THOUSANDS_SPELLINGS = (
    "K/uL", "K/µL", "x10^3/uL", "×10³/µL", "10^3/uL", "10*3/uL",
    "x10^9/L", "×10⁹/L", "10^9/L", "10*9/L", "G/L",
)  # fmt: skip


def _spelling_key(text: str) -> str:
    """Spaces gone, and x, k and "cells" in one case; every other letter as written."""
    key = "".join(text.split())
    if key[:5].lower() == "cells":
        key = "cells" + key[5:]
    return key.replace("X", "x").replace("K", "k")


_SPELLINGS = {_spelling_key(s): AncUnit.PER_UL for s in PER_UL_SPELLINGS} | {
    _spelling_key(s): AncUnit.K_PER_UL for s in THOUSANDS_SPELLINGS
}


class Population(StrEnum):
    """Which ANC ranges apply: the general population or benign ethnic neutropenia (BEN)."""

    GENERAL = "general"
    BEN = "ben"


class AncCategory(StrEnum):
    """Where an ANC falls for the patient's population (rules.md §2 table)."""

    NORMAL = "normal"
    MILD = "mild"
    MODERATE = "moderate"
    BEN_NEUTROPENIA = "ben_neutropenia"
    SEVERE = "severe"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    AncCategory.NORMAL: "Normal range",
    AncCategory.MILD: "Mild neutropenia",
    AncCategory.MODERATE: "Moderate neutropenia",
    AncCategory.BEN_NEUTROPENIA: "BEN neutropenia",
    AncCategory.SEVERE: "Severe neutropenia",
}


@dataclass(frozen=True, order=True)
class Anc:
    """An absolute neutrophil count in whole cells per microliter, within 0-100,000."""

    per_ul: int

    def __post_init__(self) -> None:
        if isinstance(self.per_ul, bool) or not isinstance(self.per_ul, int):
            raise InvalidEntry(ErrorCode.INVALID_ANC, "An ANC is a whole number of cells per µL.")
        if not 0 <= self.per_ul <= t.MAX_ANC_PER_UL:
            raise InvalidEntry(
                ErrorCode.INVALID_ANC,
                f"An ANC must be between 0 and {t.MAX_ANC_PER_UL:,} cells/µL.",
            )

    @classmethod
    def from_entry(cls, value: object, unit: str | AncUnit = AncUnit.PER_UL) -> Anc:
        """Convert a value as entered (a number and its unit) to cells/µL.

        K/µL values are multiplied by 1000 and rounded half-up; /µL values must be whole.
        Anything else is INVALID_ANC with a message naming the likely unit mix-up.
        """
        parsed_unit = AncUnit.parse(unit)
        number = _as_decimal(value)
        if parsed_unit is AncUnit.K_PER_UL:
            if number < 0:
                raise _negative()
            per_ul = (number * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            if per_ul > t.MAX_ANC_PER_UL:
                raise InvalidEntry(
                    ErrorCode.INVALID_ANC,
                    f"{_plain(number)} K/µL would be {int(per_ul):,} cells/µL, far above any "
                    f"real ANC. If the lab wrote {_plain(number)}, the unit is probably /µL: "
                    "choose /µL.",
                )
            return cls(int(per_ul))
        if number < 0:
            raise _negative()
        if number != number.to_integral_value():
            raise InvalidEntry(
                ErrorCode.INVALID_ANC,
                f"{_plain(number)} is not a whole number of cells/µL. If the lab reported "
                f"{_plain(number)} ×10³/µL, choose the unit K/µL (that is "
                f"{int((number * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}/µL).",
            )
        if number > t.MAX_ANC_PER_UL:
            raise InvalidEntry(
                ErrorCode.INVALID_ANC,
                f"{_plain(number)} cells/µL is above any real ANC (at most "
                f"{t.MAX_ANC_PER_UL:,}). Check the value on the lab report.",
            )
        return cls(int(number))

    def __str__(self) -> str:
        return f"{self.per_ul:,}/µL"


# R16: more significant digits than any lab prints is a typing or software error, and
# bounding them keeps every conversion below cheap.
MAX_SIGNIFICANT_DIGITS = 10
# What a person types from a lab report: "1500", "1,500", "1.5"; no signs, no exponents.
_PLAIN_DECIMAL = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,10})(?:\.\d{1,10})?")


def anc_number(text: str) -> int | float:
    """The ANC a person typed, as the JSON number the registry and the rules read (R16).
    INVALID_ANC for anything but a plain decimal (a thousands comma is fine)."""
    cleaned = text.strip()
    if not _PLAIN_DECIMAL.fullmatch(cleaned):
        raise InvalidEntry(
            ErrorCode.INVALID_ANC,
            f"{echo(text)} is not a number as a lab report prints it. Type the ANC, e.g. 1500, "
            "1,500 or 1.5.",
        )
    number = Decimal(cleaned.replace(",", ""))
    _check_digits(number)
    return int(number) if "." not in cleaned else float(number)


def _check_digits(number: Decimal) -> None:
    too_many = len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
    if too_many or number.adjusted() >= MAX_SIGNIFICANT_DIGITS:  # 1e4000 has one digit
        raise InvalidEntry(
            ErrorCode.INVALID_ANC,
            f"An ANC has at most {MAX_SIGNIFICANT_DIGITS} significant digits. Check the value "
            "on the lab report.",
        )


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidEntry(
            ErrorCode.INVALID_ANC,
            f"The ANC must be a number, not {echo(value)}. Type the value from the lab report.",
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidEntry(ErrorCode.INVALID_ANC, "The ANC must be a finite number.")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the type check above
        raise InvalidEntry(ErrorCode.INVALID_ANC) from exc
    if not number.is_finite():
        raise InvalidEntry(ErrorCode.INVALID_ANC, "The ANC must be a finite number.")
    _check_digits(number)  # before any arithmetic: 10**4000 costs nothing to refuse here
    return number


def unit_mixup_warning(value: object, unit: str | AncUnit) -> str | None:
    """A warning (not an error) for a value that is valid but looks like the other unit."""
    parsed = AncUnit.parse(unit)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if parsed is AncUnit.PER_UL and 0 < value < 50:
        return (
            f"{value}/µL is an extremely low ANC. If the lab reported {value} ×10³/µL, "
            "choose the unit K/µL."
        )
    return None


def _negative() -> InvalidEntry:
    return InvalidEntry(ErrorCode.INVALID_ANC, "An ANC cannot be negative. Check the lab report.")


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


# The rules.md §2 table: each category from its lowest ANC (/µL), lowest first.
_BANDS: dict[Population, tuple[tuple[int, AncCategory], ...]] = {
    Population.GENERAL: (
        (0, AncCategory.SEVERE),
        (t.SEVERE_BELOW, AncCategory.MODERATE),
        (t.GENERAL_MILD_MIN, AncCategory.MILD),
        (t.GENERAL_NORMAL_MIN, AncCategory.NORMAL),
    ),
    Population.BEN: (
        (0, AncCategory.SEVERE),
        (t.SEVERE_BELOW, AncCategory.BEN_NEUTROPENIA),
        (t.BEN_NORMAL_MIN, AncCategory.NORMAL),
    ),
}


def category_bands(population: Population) -> list[tuple[int, int | None, AncCategory]]:
    """(from, below, category) for the population, lowest first; `below` None is open-ended.
    What a chart draws behind a patient's ANCs."""
    bands = _BANDS[population]
    highs: list[int | None] = [low for low, _ in bands[1:]]
    highs.append(None)
    return [(low, high, category) for (low, category), high in zip(bands, highs, strict=True)]


def categorize(anc: Anc, population: Population) -> AncCategory:
    """The ANC category for the patient's population (rules.md §2 table)."""
    value = anc.per_ul
    for low, category in reversed(_BANDS[population]):
        if value >= low:
            return category
    return AncCategory.SEVERE


def acceptable_floor(population: Population) -> int:
    """The lowest ANC that needs no Treatment Rationale."""
    return t.BEN_NEUTROPENIA_MIN if population is Population.BEN else t.GENERAL_MILD_MIN


def is_acceptable(anc: Anc, population: Population) -> bool:
    """In the acceptable range: treatment may continue without a Treatment Rationale."""
    return anc.per_ul >= acceptable_floor(population)


def initiation_threshold(population: Population) -> int:
    """The ANC a new enrollment needs."""
    return t.BEN_NORMAL_MIN if population is Population.BEN else t.GENERAL_NORMAL_MIN


def meets_initiation(anc: Anc, population: Population) -> bool:
    return anc.per_ul >= initiation_threshold(population)


def normal_floor(population: Population) -> int:
    """The lowest ANC in the normal range for the population."""
    return t.BEN_NORMAL_MIN if population is Population.BEN else t.GENERAL_NORMAL_MIN
