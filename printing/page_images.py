"""A form's PDF pages as pixels, in memory, through pdfium (pypdfium2): what the desktop's
print preview shows and what the tests read back as a fax machine would. No external program
and no file: the form may carry a patient's details."""

from __future__ import annotations

import threading
from contextlib import closing
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]  # it ships no type hints

POINTS_PER_INCH = 72

# pdfium is not thread-safe: every call into it, closing included, holds this lock. The
# desktop renders on its store thread, and each window has its own store thread.
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class PagePixels:
    """One page, top row first: 3 bytes a pixel (red, green, blue) or 1 (grey)."""

    width: int
    height: int
    stride: int  # bytes a row: pdfium may pad each row
    pixels: bytes
    grey: bool


def page_pixels(pdf: bytes, dpi: int, *, grey: bool = False) -> list[PagePixels]:
    """Each page of `pdf` at `dpi`, on white: US Letter at 150 dpi is 1275 × 1650."""
    # pdfium rounds a page's pixel size up, so a float's last bit (150/72 × 792 is
    # 1650.0000000000002) would add a row: scale a hair under.
    scale = dpi / POINTS_PER_INCH * (1 - 1e-9)
    pages = []
    # Each pdfium object is closed here, under the lock: left to the garbage collector,
    # pdfium would be called from whichever thread collects.
    with _PDFIUM, closing(pdfium.PdfDocument(pdf)) as document:
        for each in document:
            with closing(each) as page:
                rendered = page.render(scale=scale, grayscale=grey, rev_byteorder=True)
                with closing(rendered) as bitmap:
                    pixels = bytes(bitmap.buffer)
                    pages.append(
                        PagePixels(bitmap.width, bitmap.height, bitmap.stride, pixels, grey)
                    )
    return pages
