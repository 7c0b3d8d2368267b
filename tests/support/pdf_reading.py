"""Reading our PDFs back as a receiver would: the text, the pages, and the QR codes as a
200 dpi black-and-white fax machine sees them."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from printing.page_images import PagePixels, page_pixels


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def picture(page: PagePixels) -> Image.Image:
    mode = "L" if page.grey else "RGB"
    size = (page.width, page.height)
    return Image.frombuffer(mode, size, page.pixels, "raw", mode, page.stride, 1)


def fax_images(data: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page rendered 1-bit at `dpi`, like a fax: grey, then black below half."""
    return [
        picture(page).point(lambda v: 255 if v >= 128 else 0, mode="1")
        for page in page_pixels(data, dpi, grey=True)
    ]


def qr_texts(data: bytes) -> list[str]:
    texts: list[str] = []
    for image in fax_images(data):
        codes = zxingcpp.read_barcodes(
            image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        texts += [code.text for code in codes]
    return texts
