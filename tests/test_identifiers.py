"""NPI and DEA checks (rules.md §11)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ErrorCode, InvalidEntry
from app.identifiers import is_valid_dea, is_valid_npi, validate_dea, validate_npi


def cms_check_digit(first_nine: str) -> str:
    """CMS's published method, written independently of the validator: double every other
    digit from the right of the nine, add 24 (the 80840 prefix), and take the distance to
    the next multiple of ten."""
    total = 24
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


npi_bodies = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("12"),
    st.text("0123456789", min_size=8, max_size=8),
)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),
        ("1558598797", True),
        ("1234567890", False),
        ("123456789", False),
        ("12345678931", False),
        ("3234567891", False),
        ("123456789a", False),
        ("１２３４５６７８９３", False),  # full-width digits are not ASCII digits
    ],
)
def test_npi_table(npi: str, valid: bool) -> None:
    assert is_valid_npi(npi) is valid


@given(npi_bodies)
def test_generated_npis_pass_and_any_other_check_digit_fails(body: str) -> None:
    good = cms_check_digit(body)
    assert is_valid_npi(body + good)
    for other in "0123456789":
        if other != good:
            assert not is_valid_npi(body + other)


@given(npi_bodies, st.integers(0, 8), st.integers(1, 9))
def test_a_single_mistyped_digit_is_caught(body: str, position: int, shift: int) -> None:
    npi = body + cms_check_digit(body)
    digits = list(npi)
    digits[position] = str((int(digits[position]) + shift) % 10)
    typo = "".join(digits)
    if typo[0] in "12":
        assert not is_valid_npi(typo)


def test_validate_npi_says_what_is_wrong() -> None:
    assert validate_npi("123-456-7893") == "1234567893"
    for bad, words in [
        ("123456789", "10 digits"),
        ("3234567891", "1 or 2"),
        ("1234567890", "check"),
    ]:
        with pytest.raises(InvalidEntry) as refused:
            validate_npi(bad)
        assert refused.value.code is ErrorCode.INVALID_NPI
        assert words in refused.value.message


@pytest.mark.parametrize(
    ("dea", "valid"),
    [("AP5836727", True), ("AP5836728", False), ("A15836727", False), ("AP583672", False)],
)
def test_dea_table(dea: str, valid: bool) -> None:
    assert is_valid_dea(dea) is valid


def test_validate_dea_accepts_lower_case_and_refuses_a_bad_check_digit() -> None:
    assert validate_dea("ap5836727") == "AP5836727"
    with pytest.raises(InvalidEntry) as refused:
        validate_dea("AP5836720")
    assert refused.value.code is ErrorCode.INVALID_DEA
