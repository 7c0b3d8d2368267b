"""Fax-ready forms: how long a filled PSF takes to print, and a batch of 100.

- pdf.psf_ms: one filled Patient Status Form (two pages, QR code, embedded font), median.
- pdf.batch_100_s: 100 PSFs for different patients, one after another.
- pdf.psf_over_floor: pdf.psf_ms over the time reportlab takes for a one-page document with
  the same amount of text in the same embedded font, measured in the same run.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import date

from bench.harness import Metric, median_ms

METRICS = ("pdf.psf_ms", "pdf.batch_100_s", "pdf.psf_over_floor")


def run(quick: bool) -> Iterator[Metric]:
    from cli.print_forms import build
    from desk.demo.clinic import build_demo_clinic
    from printing import fonts
    from printing.render import render

    today = date(2026, 11, 25)
    clinic = build_demo_clinic(today)
    patients = list(clinic.patient_ids)
    forms = [build("psf", clinic.ledger, patients[i % len(patients)], today) for i in range(100)]
    form = build("psf", clinic.ledger, "p-oconnor", today)
    render(form)  # the first form registers the fonts: a once-per-process cost
    rounds = 20 if quick else 60
    psf_ms = median_ms(lambda: render(form), rounds)
    text = _text_of(render(form))
    fonts.register()
    floor_ms = median_ms(lambda: _floor_document(text), rounds)

    started = time.perf_counter()
    for each in forms:
        render(each)
    batch_s = time.perf_counter() - started

    yield Metric("pdf.psf_ms", psf_ms, "ms", 50.0, note=f"median of {rounds}; 2 pages")
    yield Metric("pdf.batch_100_s", batch_s, "s", 3.0, note="100 filled PSFs, 10 patients")
    yield Metric(
        "pdf.psf_over_floor",
        psf_ms / floor_ms,
        "ratio",
        2.0,
        note=f"floor: {len(text):,} characters on one page, same font, {floor_ms:.1f} ms",
    )


def _text_of(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _floor_document(text: str) -> bytes:
    """The least a PDF with this text costs: one page, the same font, nothing else."""
    from printing import fonts
    from printing.render import new_canvas

    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    lines = [line[i : i + 95] for line in text.splitlines() for i in range(0, len(line) or 1, 95)]
    size = max(2.0, min(10.0, 740 / max(1, len(lines))))  # all of it on one page
    canvas.setFont(fonts.REGULAR, size)
    y = 760.0
    for line in lines:
        canvas.drawString(30, y, line)
        y -= size
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
