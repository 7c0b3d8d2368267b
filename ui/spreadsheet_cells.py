"""CSV cells that a spreadsheet shows as text, never runs as a formula (CSV injection).

A pharmacy's name comes from the registry, where anyone enrolling types it: a name such as
`=HYPERLINK("http://…","Click")` would become a live formula in the wholesaler's Excel or
LibreOffice. OWASP's advice: a cell starting with = + - @, a tab or a carriage return gets a
single quote in front, which the spreadsheet shows as text (and hides)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
