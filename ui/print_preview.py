"""Print and fax: a form (draft, signed or blank) made by `printing/` as a PDF in memory, shown
in Qt's print preview on US Letter, printed, or saved as a PDF where the person chooses.
Every print and save is audited. Pages become images through poppler's `pdftoppm` over
pipes: the form never touches the disk unless the person saves it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from app.psf_document import psf_to_document
from app.use_cases.psf_draft import draft_next_psf
from local_store.forms import FormKind
from local_store.session import Session
from printing import fill, forms
from printing.render import render

PREVIEW_DPI = 150


@dataclass(frozen=True)
class PrintJob:
    title: str
    subject: str  # what the audit log names
    pdf: bytes
    pages: list[QImage]


def page_images(pdf: bytes, count: int, dpi: int = PREVIEW_DPI) -> list[QImage]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RuntimeError(
            "Print preview needs poppler's pdftoppm (Debian: apt-get install poppler-utils). "
            "Save the form as a PDF instead."
        )
    images = []
    for page in range(1, count + 1):
        png = subprocess.run(
            [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout
        images.append(QImage.fromData(png, "PNG"))
    return images


def page_count(pdf: bytes) -> int:
    return max(1, pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"))


def psf_job(
    session: Session,
    *,
    patient_id: str | None = None,
    form_id: str | None = None,
    today: date | None = None,
    blank: bool = False,
) -> PrintJob:
    """A PSF: a saved form (draft or signed), the next one prefilled, or a blank one."""
    if blank:
        data = fill.blank(forms.PSF)
        pdf = render(data)
        return PrintJob(
            "Blank Patient Status Form", "form:psf:blank", pdf, page_images(pdf, page_count(pdf))
        )
    ledger = session.ledger
    signature = None
    period = None
    if form_id is not None:
        form = session.form(form_id)
        if form.kind is not FormKind.PSF:
            raise ValueError("Only Patient Status Forms print from here.")
        patient_id, document, signature = form.patient_id, form.document, form.signature
    else:
        assert patient_id is not None and today is not None
        draft = draft_next_psf(ledger, patient_id, today)
        document, period = psf_to_document(draft.form), (draft.period_start, draft.period_end)
    patient = ledger.patient(patient_id)
    if patient is None:
        raise LookupError("This patient is not on this workstation.")
    prescriber = ledger.prescriber(patient.prescriber_id) if patient.prescriber_id else None
    data = fill.psf(patient, prescriber, document, period=period, signature=signature)
    pdf = render(data)
    state = "signed" if signature else "draft"
    return PrintJob(
        f"Patient Status Form: {patient.name} ({state})",
        f"patient:{patient_id}",
        pdf,
        page_images(pdf, page_count(pdf)),
    )


def letter_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    return printer


def paint_pages(printer: QPrinter, pages: list[QImage]) -> None:
    painter = QPainter(printer)
    try:
        for n, image in enumerate(pages):
            if n:
                printer.newPage()
            target = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            scaled = image.size().scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(target.topLeft(), scaled.toSizeF()), image)
    finally:
        painter.end()


class PreviewDialog(QPrintPreviewDialog):
    """Qt's print preview on Letter, with a "Save as PDF…" button beside Print."""

    def __init__(self, job: PrintJob, on_audit: object, parent: QWidget | None = None) -> None:
        self.printer = letter_printer()
        super().__init__(self.printer, parent)
        self.job, self.on_audit = job, on_audit
        self.setWindowTitle(f"Print preview: {job.title}")
        self.resize(900, 1000)
        self.paintRequested.connect(self._paint)
        save = QPushButton("Save as &PDF…")
        save.clicked.connect(self.save_pdf)
        self.layout().addWidget(save)

    def _paint(self, printer: QPrinter) -> None:
        # Qt resets the page after the native dialog: Letter again, every time.
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        paint_pages(printer, self.job.pages)

    def accept(self) -> None:
        self.on_audit(f"printed {self.job.title} ({len(self.job.pages)} page(s), Letter)")  # type: ignore[operator]
        super().accept()

    def save_pdf(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save as PDF", f"{self.job.title}.pdf", "PDF (*.pdf)"
            )
        if path:
            with open(path, "wb") as out:
                out.write(self.job.pdf)
            self.on_audit(f"saved {self.job.title} as PDF")  # type: ignore[operator]
