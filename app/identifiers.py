"""National Provider Identifier and DEA number checks (rules.md §11)."""

from __future__ import annotations

from app.errors import ErrorCode, InvalidEntry, echo

# The NPI check digit is a Luhn check over the NPI prefixed with the card issuer code 80840.
_NPI_PREFIX = "80840"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_valid_npi(text: str) -> bool:
    """10 digits, first digit 1 or 2, Luhn check over 80840 + the NPI."""
    return (
        len(text) == 10
        and text.isascii()
        and text.isdigit()
        and text[0] in "12"
        and _luhn_ok(_NPI_PREFIX + text)
    )


def validate_npi(text: object) -> str:
    """The NPI as 10 digits (spaces and dashes removed), or INVALID_NPI saying what is wrong."""
    if not isinstance(text, str):
        raise InvalidEntry(ErrorCode.INVALID_NPI, "Type the NPI as 10 digits.")
    cleaned = text.replace(" ", "").replace("-", "")
    if len(cleaned) != 10 or not (cleaned.isascii() and cleaned.isdigit()):
        raise InvalidEntry(
            ErrorCode.INVALID_NPI,
            f"An NPI has exactly 10 digits; {echo(text)} has {sum(c.isdigit() for c in cleaned)}.",
        )
    if cleaned[0] not in "12":
        raise InvalidEntry(ErrorCode.INVALID_NPI, "An NPI starts with 1 or 2.")
    if not is_valid_npi(cleaned):
        raise InvalidEntry(
            ErrorCode.INVALID_NPI,
            f"{cleaned} fails the NPI check digit: a digit is probably mistyped.",
        )
    return cleaned


def is_valid_dea(text: str) -> bool:
    """2 letters + 7 digits; (d1+d3+d5) + 2×(d2+d4+d6) ends in d7."""
    if len(text) != 9 or not text[:2].isascii() or not text[:2].isalpha():
        return False
    digits = text[2:]
    if not (digits.isascii() and digits.isdigit()):
        return False
    d = [int(c) for c in digits]
    check = (d[0] + d[2] + d[4]) + 2 * (d[1] + d[3] + d[5])
    return check % 10 == d[6]


def validate_dea(text: object) -> str:
    """The DEA number in upper case, or INVALID_DEA."""
    if not isinstance(text, str) or not is_valid_dea(text.strip().upper()):
        raise InvalidEntry(ErrorCode.INVALID_DEA)
    return text.strip().upper()
