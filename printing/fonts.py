"""The embedded fonts. DejaVu Sans ships with the app (its license is beside it), so names
like "José Núñez-Ölçer" print on any machine and the PDF carries the glyphs it uses."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FOLDER = Path(__file__).parent / "fonts"


def register() -> None:
    """Register once per process; later calls are free."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(_FOLDER / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(_FOLDER / "DejaVuSans-Bold.ttf")))
