"""Reading our PDFs back as a receiver would: the text, the pages, and the QR codes as a
200 dpi black-and-white fax machine sees them."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def fax_images(data: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page rendered 1-bit at `dpi`, like a fax (pdftoppm -mono)."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "form.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-mono", "-r", str(dpi), "-png", str(pdf), str(Path(folder) / "p")],
            check=True,
        )
        return [Image.open(p).copy() for p in sorted(Path(folder).glob("p-*.png"))]


def qr_texts(data: bytes) -> list[str]:
    texts: list[str] = []
    for image in fax_images(data):
        codes = zxingcpp.read_barcodes(
            image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        texts += [code.text for code in codes]
    return texts
