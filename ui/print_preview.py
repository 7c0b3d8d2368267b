"""Print and fax: a form (draft, signed or blank) made by `printing/` as a PDF in memory, shown
in Qt's print preview on US Letter, printed, or saved as a PDF where the person chooses.
Every print and save is audited. Pages become images in memory through pdfium
(`printing.page_images`), with no external program: the form never touches the disk unless
the person saves it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from desk import filled_forms
from printing.page_images import page_pixels
from ui import save_paths

if TYPE_CHECKING:
    from desk.session import Session

PREVIEW_DPI = 150


@dataclass(frozen=True)
class PrintJob:
    title: str
    subject: str  # what the audit log names
    pdf: bytes
    pages: list[QImage]


def page_images(pdf: bytes, dpi: int = PREVIEW_DPI) -> list[QImage]:
    """Each page as an image at `dpi`; the caller's thread renders (the store thread, for
    the preview), and `printing.page_images` keeps pdfium to one thread at a time."""
    return [
        # copy(): the image owns its pixels, not the bytes it was made over
        QImage(p.pixels, p.width, p.height, p.stride, QImage.Format.Format_RGB888).copy()
        for p in page_pixels(pdf, dpi)
    ]


def job_of(packet: filled_forms.PrintPacket) -> PrintJob:
    """A packet's PDF, and its pages as images for the preview."""
    pdf = packet.pdf()
    return PrintJob(packet.title, packet.subject, pdf, page_images(pdf))


def psf_job(
    session: Session,
    *,
    patient_id: str | None = None,
    form_id: str | None = None,
    today: date | None = None,
    blank: bool = False,
) -> PrintJob:
    """A PSF: a saved form (draft or signed), the patient's PSF of this period (the one just
    signed, or the next one prefilled), or a blank one."""
    if blank:
        return job_of(filled_forms.blank_psf(session))
    return job_of(filled_forms.psf_packet(session, today, patient_id=patient_id, form_id=form_id))


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

    def __init__(
        self, job: PrintJob, on_audit: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        self.letter = letter_printer()  # kept: the dialog does not own its printer
        super().__init__(self.letter, parent)
        self.job, self.on_audit = job, on_audit
        self.setWindowTitle(f"Print preview: {job.title}")
        self._fit_to_screen(parent)
        self.paintRequested.connect(self._paint)
        save = QPushButton("Save as &PDF…")
        save.clicked.connect(self.save_pdf)
        layout = self.layout()
        if layout is not None:
            layout.addWidget(save)

    def _fit_to_screen(self, parent: QWidget | None) -> None:
        """A Letter page's shape where it fits, never taller or wider than the screen's free
        area (a 1366×768 laptop too), so Print and "Save as PDF…" stay on screen."""
        screen = (
            parent.screen() if parent is not None else None
        ) or QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        frame = 40  # the window manager's title bar and borders, and a little air
        width = min(900, free.width() - frame)
        height = min(1000, free.height() - frame)
        self.setMinimumSize(min(self.minimumWidth(), width), min(self.minimumHeight(), height))
        self.resize(width, height)
        self.move(
            free.x() + (free.width() - width) // 2,
            free.y() + (free.height() - height) // 2 - frame // 4,
        )

    def _paint(self, printer: QPrinter) -> None:
        # Qt resets the page after the native dialog: Letter again, every time.
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        paint_pages(printer, self.job.pages)

    def accept(self) -> None:
        self.on_audit(f"printed {self.job.title} ({len(self.job.pages)} page(s), Letter)")
        super().accept()

    def save_pdf(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save as PDF",
                save_paths.suggested_path(self.job.title, ".pdf"),
                "PDF (*.pdf)",
            )
            if path:
                save_paths.remember(path)
        if path:
            with open(path, "wb") as out:
                out.write(self.job.pdf)
            self.on_audit(f"saved {self.job.title} as PDF")
