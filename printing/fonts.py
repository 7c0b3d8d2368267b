"""The embedded font. DejaVu Sans ships with the app (its license is beside it), so names
like "José Núñez-Ölçer" print on any machine and the PDF carries the glyphs it uses.

One face per document: each embedded face costs a font subset per document (a second face
measured 3.7 ms of a 17 ms form, and the forms must print within twice the cost of plain
text). The face is DejaVu Sans Bold: heavy strokes survive a 200 dpi fax where thin ones
break up, and emphasis comes from size (titles 16 pt, values 12 pt, labels 10 pt) and from
values sitting inside ruled boxes.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FACE = "DejaVuSans-Bold"
REGULAR = FACE  # labels, notes
BOLD = FACE  # titles, values
_FILE = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"


def register() -> None:
    """Register once per process; later calls are free."""
    if FACE not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FACE, str(_FILE)))
