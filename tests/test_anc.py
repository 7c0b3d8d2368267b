"""ANC units, validation and categories (rules.md §2), at every boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.anc import (
    Anc,
    AncCategory,
    Population,
    anc_number,
    categorize,
    is_acceptable,
    meets_initiation,
    unit_mixup_warning,
)
from app.entered_anc import EnteredAnc
from app.errors import ErrorCode, InvalidEntry

G, B = Population.GENERAL, Population.BEN


@pytest.mark.parametrize(
    ("value", "population", "category"),
    [
        (100_000, G, AncCategory.NORMAL),
        (1500, G, AncCategory.NORMAL),
        (1499, G, AncCategory.MILD),
        (1000, G, AncCategory.MILD),
        (999, G, AncCategory.MODERATE),
        (500, G, AncCategory.MODERATE),
        (499, G, AncCategory.SEVERE),
        (0, G, AncCategory.SEVERE),
        (1000, B, AncCategory.NORMAL),
        (999, B, AncCategory.BEN_NEUTROPENIA),
        (500, B, AncCategory.BEN_NEUTROPENIA),
        (499, B, AncCategory.SEVERE),
    ],
)
def test_category_boundaries(value: int, population: Population, category: AncCategory) -> None:
    assert categorize(Anc(value), population) is category


@pytest.mark.parametrize(
    ("value", "population", "acceptable", "initiates"),
    [
        (1500, G, True, True),
        (1499, G, True, False),
        (1000, G, True, False),
        (999, G, False, False),
        (1000, B, True, True),
        (999, B, True, False),
        (500, B, True, False),
        (499, B, False, False),
    ],
)
def test_acceptable_range_and_initiation_threshold(
    value: int, population: Population, acceptable: bool, initiates: bool
) -> None:
    assert is_acceptable(Anc(value), population) is acceptable
    assert meets_initiation(Anc(value), population) is initiates


@pytest.mark.parametrize(
    ("value", "unit", "per_ul"),
    [
        (2100, "/uL", 2100),
        (2100, "/µL", 2100),
        (2100, "cells/uL", 2100),
        (2100, "/mm3", 2100),
        (1500.0, "/uL", 1500),
        (2.1, "K/uL", 2100),
        (1.2, "K/µL", 1200),
        (1.5, "x10^9/L", 1500),
        (Decimal("1.0005"), "K/uL", 1001),  # half-up
        (Decimal("1.0004"), "K/uL", 1000),
        (0, "/uL", 0),
        (100, "K/uL", 100_000),
        (100_000, "/uL", 100_000),
    ],
)
def test_units_convert_to_whole_cells_per_microliter(value: object, unit: str, per_ul: int) -> None:
    assert Anc.from_entry(value, unit).per_ul == per_ul


@pytest.mark.parametrize(
    ("value", "unit", "hint"),
    [
        (1.5, "/uL", "K/µL"),  # a K/uL value typed with /uL
        (1500, "K/uL", "/µL"),  # a /uL value typed with K/uL
        (-5, "/uL", "negative"),
        (100_001, "/uL", "above"),
        (100.0005, "K/uL", "above"),
        ("1500", "/uL", "number"),
        (None, "/uL", "number"),
        (True, "/uL", "number"),
        (float("nan"), "/uL", "finite"),
        (1500, "mg/dL", "unit"),
    ],
)
def test_bad_values_are_invalid_anc_with_a_message_that_helps(
    value: object, unit: str, hint: str
) -> None:
    with pytest.raises(InvalidEntry) as refused:
        Anc.from_entry(value, unit)
    assert refused.value.code is ErrorCode.INVALID_ANC
    assert hint in refused.value.message


def test_typed_text_is_read_with_thousands_separators() -> None:
    assert EnteredAnc.typed(" 1,500 ", "/uL", "2024-01-01").parse().per_ul == 1500
    assert EnteredAnc.typed("1.5", "K/uL", "2024-01-01").parse().per_ul == 1500
    with pytest.raises(InvalidEntry):
        EnteredAnc.typed("fifteen hundred", "/uL", "2024-01-01").parse()


def test_a_tiny_value_in_per_microliter_gets_a_warning_not_an_error() -> None:
    assert Anc.from_entry(2, "/uL").per_ul == 2
    warning = unit_mixup_warning(2, "/uL")
    assert warning is not None and "K/µL" in warning
    assert unit_mixup_warning(1500, "/uL") is None


@given(st.decimals(min_value=0, max_value=100, places=3))
def test_k_per_ul_is_a_thousand_per_ul(value: Decimal) -> None:
    # With three decimals there is nothing to round: K/uL x is exactly 1000x /uL.
    assert Anc.from_entry(value, "K/uL").per_ul == Anc.from_entry(value * 1000, "/uL").per_ul


@given(st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 7)))
def test_k_per_ul_floats_round_half_up_to_the_nearest_cell(value: float) -> None:
    per_ul = Anc.from_entry(value, "K/uL").per_ul
    assert abs(per_ul - Decimal(str(value)) * 1000) <= Decimal("0.5")


@pytest.mark.parametrize(
    "value", [1.6735033826329273, 12345678901, 10**4000, float("inf"), float("nan"), "1500"]
)
def test_values_past_ten_significant_digits_or_not_numbers_are_invalid(value: object) -> None:
    # rules.md §13 R16: refused at once, whatever their size (10**4000 is not multiplied).
    with pytest.raises(InvalidEntry) as refused:
        Anc.from_entry(value, "K/uL")
    assert refused.value.code is ErrorCode.INVALID_ANC


@pytest.mark.parametrize(
    ("typed", "number"), [("1500", 1500), ("1,500", 1500), ("1.9", 1.9), (" 0.45 ", 0.45)]
)
def test_what_a_person_types_becomes_the_number_sent(typed: str, number: float) -> None:
    assert anc_number(typed) == number


@pytest.mark.parametrize("typed", ["1e3", "1e1000000", "-5", "1,50", "Infinity", "", "1.2.3"])
def test_exponents_signs_and_odd_text_are_not_numbers_a_person_types(typed: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        anc_number(typed)
    assert refused.value.code is ErrorCode.INVALID_ANC


@given(st.integers(0, 100_000), st.integers(0, 100_000), st.sampled_from([G, B]))
def test_categories_are_monotonic_in_the_anc(a: int, b: int, population: Population) -> None:
    order = [
        AncCategory.SEVERE,
        AncCategory.MODERATE,
        AncCategory.BEN_NEUTROPENIA,
        AncCategory.MILD,
        AncCategory.NORMAL,
    ]
    low, high = sorted((a, b))
    assert order.index(categorize(Anc(low), population)) <= order.index(
        categorize(Anc(high), population)
    )
    assert is_acceptable(Anc(low), population) <= is_acceptable(Anc(high), population)


# rules.md §13 R15: these spellings and no others; spaces and the case of x, k, cells ignored.
@pytest.mark.parametrize(
    "spelling",
    ["×10³/µL", "10*3/uL", "x10^9/L", "X10^3/uL", "G/L", "k/µL", "K / uL", "×10⁹/L", "10*9/L"],
)
def test_every_thousands_spelling_of_r15_is_a_thousand_cells(spelling: str) -> None:
    assert Anc.from_entry(1.6, spelling).per_ul == 1600


@pytest.mark.parametrize("spelling", ["/μL", "/mm³", "cells/µL", "CELLS / uL", "Cells/uL"])
def test_every_per_microliter_spelling_of_r15_is_cells(spelling: str) -> None:
    assert Anc.from_entry(1600, spelling).per_ul == 1600


@pytest.mark.parametrize("spelling", ["g/L", "%", "mg/dL", "cells/mm3", "/UL", "", "1e3"])
def test_any_other_unit_is_refused_with_the_accepted_ones_listed(spelling: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        Anc.from_entry(1.6, spelling)
    assert refused.value.code is ErrorCode.INVALID_ANC
    assert "×10³/µL" in refused.value.message and "cells/µL" in refused.value.message
