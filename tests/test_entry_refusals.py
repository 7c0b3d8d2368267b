"""What a form or a request gets back for a date or a value no lab report prints: the code
every surface answers (rules.md §13 R13, R16, R21) and a message that says what to type,
short even when what was sent is not."""

from __future__ import annotations

import pytest

from app.dates import parse_date
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, InvalidEntry


@pytest.mark.parametrize("sent", ["20240131", "2024-W05-3", "2024-1-31", 20240131, None, True])
def test_only_yyyy_mm_dd_is_a_date(sent: object) -> None:
    # Python reads 20240131 and 2024-W05-3 as dates; no form prints them, and a number sent
    # for a date must not quietly become one (found by tests/test_cross_surface.py).
    with pytest.raises(InvalidEntry) as refused:
        parse_date(sent)
    assert refused.value.code is ErrorCode.INVALID_DATE
    assert "Use the form YYYY-MM-DD (2024-01-31)" in refused.value.message


def test_a_date_as_forms_print_it_is_read_with_spaces_around_it() -> None:
    assert parse_date(" 2024-01-31 ").isoformat() == "2024-01-31"


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (EnteredAnc("9" * 200_000, "2024-01-31"), ErrorCode.INVALID_ANC),
        (EnteredAnc(1500, "2024-01-31", "x" * 200_000), ErrorCode.INVALID_ANC),
        (EnteredAnc.typed("1" + "0" * 200_000, "/uL", "2024-01-31"), ErrorCode.INVALID_ANC),
    ],
)
def test_a_huge_value_or_unit_is_refused_with_a_short_message(
    entry: EnteredAnc, code: ErrorCode
) -> None:
    with pytest.raises(InvalidEntry) as refused:
        entry.parse()
    assert refused.value.code is code
    assert len(refused.value.message) < 600  # says what was wrong, not 200 KB of it
    assert "..." in refused.value.message


def test_a_huge_draw_date_is_refused_with_a_short_message() -> None:
    with pytest.raises(InvalidEntry) as refused:
        parse_date("2" * 200_000)
    assert refused.value.code is ErrorCode.INVALID_DATE and len(refused.value.message) < 200
