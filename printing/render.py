"""Draws a form (filled, signed or blank) as a fax-ready PDF.

Fax rules, all enforced here: US Letter set explicitly; black on white only (no fills or
gray that a 200 dpi black-and-white fax drops); text 10 pt or larger; rules 1 pt or heavier;
every page headed with the form name, whom it is about (or "BLANK") and "Page X of N";
an embedded TrueType font. An unsigned filled form carries an outlined diagonal
"DRAFT - NOT SIGNED" and an empty box for a wet signature; a signed one shows the signature
manifestation and the content hash. A filled form ends with its data as QR code(s).

Layout is two passes: blocks are measured and placed on pages first, then drawn, so every
page knows the page count.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, cast

import zxingcpp
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing import fonts, qr_payload
from printing.spec import Field, FormData, Kind, Section, SignatureMark

if TYPE_CHECKING:
    from typing_extensions import Buffer

PAGE_W, PAGE_H = LETTER
MARGIN = 40.0
CONTENT_W = PAGE_W - 2 * MARGIN
HEADER_H = 58.0
FOOTER_H = 46.0  # three lines: whom to send to, the numbers, the confidentiality line
TOP = PAGE_H - MARGIN - HEADER_H
BOTTOM = MARGIN + FOOTER_H

LABEL = 10.0  # the smallest text anywhere on a form
VALUE = 12.0
TITLE = 16.0
SECTION = 12.0
RULE = 1.0
HEAVY = 1.5
GAP = 6.0
QR_MODULE = 1.3  # points per QR module: 3.6 fax pixels at 200 dpi

DRAFT_MARK = "DRAFT - NOT SIGNED"
CONFIDENTIAL = (
    "Confidential health information. If you received this in error, tell the sender and "
    "destroy it."
)


@dataclass(frozen=True)
class ProgramContact:
    """Whom a faxed form goes to: the numbers the registry this workstation reports to
    supplied, under its label. None supplied (the default), a form says in words to use the
    fax number of the program the office reports to, never a blank line to guess at."""

    label: str = ""
    phone: str = ""
    fax: str = ""

    @property
    def known(self) -> bool:
        return bool(self.fax or self.phone)


NO_CONTACT = (
    "Use the fax number of the Clozapine REMS program you report to (this workstation has "
    "not been given one by its registry)."
)


Draw = Callable[[Canvas, float, float], None]  # (canvas, left x, top y)


@dataclass(frozen=True)
class Block:
    height: float
    draw: Draw
    keep_with_next: bool = False  # a section title stays with its first row


def render(form: FormData, contact: ProgramContact = ProgramContact()) -> bytes:
    """The PDF's bytes; the same bytes for the same form (reportlab's invariant mode)."""
    return render_packet([form], contact)


def render_packet(forms: Sequence[FormData], contact: ProgramContact = ProgramContact()) -> bytes:
    """Several forms in one PDF, in order, each numbering its own pages. A fax (a cover
    sheet, then the forms) is counted whole: the cover says how many pages follow it, as
    laid out, and every page behind it also says which page of the fax it is. The document
    is titled by the first form."""
    fonts.register()
    laid = [(form, _paginate(_blocks(form, contact))) for form in forms]
    fax_total = 0
    if len(laid) > 1 and forms[0].spec.code == "fax_cover":
        fax_total = sum(len(pages) for _, pages in laid)
        cover = replace(forms[0], values={**forms[0].values, "pages": str(fax_total)})
        laid[0] = (cover, _paginate(_blocks(cover, contact)))
    first = forms[0]
    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    canvas.setTitle(f"{first.spec.title}{'' if first.blank else ' - ' + first.subject_name}")
    canvas.setAuthor("Clozapine REMS Desk")
    canvas.setCreator("Clozapine REMS Desk")
    fax_page = 0
    for form, pages in laid:
        total = _cover_total(form, len(pages)) if form.spec.code == "fax_cover" else len(pages)
        for number, blocks in enumerate(pages, 1):
            fax_page += 1
            behind_cover = fax_total and fax_page > 1
            _draw_page(
                canvas,
                form,
                blocks,
                (number, total),
                contact,
                f"Fax page {fax_page} of {fax_total}" if behind_cover else "",
            )
    canvas.save()
    return buffer.getvalue()


def _cover_total(cover: FormData, own: int) -> int:
    """A cover sheet is page 1 of the fax it leads: it counts the pages it announces."""
    pages = cover.values.get("pages")
    return int(pages) if isinstance(pages, str) and pages.isdigit() and int(pages) else own


def _draw_page(
    canvas: Canvas,
    form: FormData,
    blocks: list[Block],
    page: tuple[int, int],
    contact: ProgramContact,
    fax_page: str,
) -> None:
    canvas.setPageSize(LETTER)
    if _is_draft(form):
        _draft_mark(canvas)
    _header(canvas, form, *page)
    _footer(canvas, contact, fax_page)
    y = TOP
    for block in blocks:
        block.draw(canvas, MARGIN, y)
        y -= block.height
    canvas.showPage()


def new_canvas(buffer: io.BytesIO) -> Canvas:
    """A Letter canvas in the form font, writing reproducible bytes (invariant mode)."""
    fonts.register()
    return Canvas(
        buffer,
        pagesize=LETTER,
        invariant=1,
        pageCompression=1,
        # types-reportlab declares a float here; reportlab takes the font's name.
        initialFontName=fonts.REGULAR,  # type: ignore[arg-type]
        initialFontSize=LABEL,
    )


def _is_draft(form: FormData) -> bool:
    return form.spec.signed and not form.blank and form.signature is None and not form.sign_by_hand


# Pages
def _paginate(blocks: list[Block]) -> list[list[Block]]:
    """Fill pages top to bottom; a run of keep-with-next blocks (a title, an attestation)
    moves to the next page together with the block that follows it."""
    pages: list[list[Block]] = [[]]
    room = TOP - BOTTOM
    for i, block in enumerate(blocks):
        needed = block.height
        j = i
        while blocks[j].keep_with_next and j + 1 < len(blocks):
            j += 1
            needed += blocks[j].height
        starts_run = i == 0 or not blocks[i - 1].keep_with_next
        if starts_run and needed > room and pages[-1]:
            pages.append([])
            room = TOP - BOTTOM
        pages[-1].append(block)
        room -= block.height
    return pages


def _header(canvas: Canvas, form: FormData, number: int, total: int) -> None:
    top = PAGE_H - MARGIN
    canvas.setFillColorRGB(0, 0, 0)
    _font(canvas, fonts.BOLD, TITLE)
    canvas.drawString(MARGIN, top - TITLE, form.spec.title)
    _font(canvas, fonts.REGULAR, LABEL + 1)
    canvas.drawRightString(PAGE_W - MARGIN, top - TITLE, f"Page {number} of {total}")
    _font(canvas, fonts.BOLD, LABEL + 2)
    canvas.drawString(MARGIN, top - TITLE - 18, _subject_line(form))
    _font(canvas, fonts.REGULAR, LABEL)
    state = (
        "Electronically signed"
        if form.signature
        else "Draft - not signed"
        if _is_draft(form)
        else "Blank form"
        if form.blank
        else ""
    )
    if state:
        canvas.drawRightString(PAGE_W - MARGIN, top - TITLE - 18, state)
    canvas.setLineWidth(HEAVY)
    canvas.line(MARGIN, top - HEADER_H + 8, PAGE_W - MARGIN, top - HEADER_H + 8)


def _subject_line(form: FormData) -> str:
    subject = form.spec.subject
    if not subject:
        return "Clozapine REMS"
    if form.blank or not form.subject_name:
        return f"{subject.capitalize()}: BLANK"
    line = f"{subject.capitalize()}: {form.subject_name}"
    if form.subject_dob:
        line += f"    Date of birth: {form.subject_dob}"
    return line


def _footer(canvas: Canvas, contact: ProgramContact, fax_page: str) -> None:
    canvas.setLineWidth(RULE)
    canvas.line(MARGIN, MARGIN + FOOTER_H - 6, PAGE_W - MARGIN, MARGIN + FOOTER_H - 6)
    _font(canvas, fonts.REGULAR, LABEL)
    if contact.known:
        lines = [_fit(f"Send to: {contact.label}", fonts.REGULAR, LABEL, CONTENT_W)]
        lines.append(_numbers(contact))
    else:
        room = CONTENT_W - (_width(fax_page, fonts.REGULAR, LABEL) + 12 if fax_page else 0)
        lines = simpleSplit(NO_CONTACT, fonts.REGULAR, LABEL, room)[:2]
    for i, line in enumerate(lines):
        canvas.drawString(MARGIN, MARGIN + 24 - 12 * i, line)
    if fax_page:  # beside the numbers, which are short
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN + 12, fax_page)
    canvas.drawString(MARGIN, MARGIN, CONFIDENTIAL)


def _numbers(contact: ProgramContact) -> str:
    """The numbers supplied, each named; one not supplied is not printed as a blank."""
    parts = [
        f"Fax {contact.fax}" if contact.fax else "",
        f"Phone {contact.phone}" if contact.phone else "",
    ]
    return "    ".join(p for p in parts if p)


def _draft_mark(canvas: Canvas) -> None:
    """Outlined letters, no fill: unmistakable after a fax, and the form stays readable."""
    canvas.saveState()
    canvas.translate(PAGE_W / 2, PAGE_H / 2)
    canvas.rotate(40)
    size = 64
    text = canvas.beginText()
    text.setTextRenderMode(1)  # stroke only
    text.setFont(fonts.BOLD, size)
    width = canvas.stringWidth(DRAFT_MARK, fonts.BOLD, size)
    text.setTextOrigin(-width / 2, -size / 3)
    canvas.setLineWidth(RULE)
    canvas.setStrokeColorRGB(0, 0, 0)
    text.textLine(DRAFT_MARK)
    canvas.drawText(text)
    canvas.restoreState()


# Blocks
def _blocks(form: FormData, contact: ProgramContact) -> list[Block]:
    blocks: list[Block] = []
    if form.spec.instructions:
        blocks.append(_paragraph(form.spec.instructions, LABEL, after=GAP))
    if form.spec.code == "fax_cover":
        blocks.append(_to_block(contact))
    for section in form.spec.sections:
        blocks += _section(section, form)
    if form.spec.signed:
        blocks += _signature_blocks(form)
    if form.spec.code == "fax_cover":
        blocks.append(_paragraph(CONFIDENTIAL_NOTICE, LABEL, bold=True, before=GAP))
    if not form.blank and not form.spec.signed:
        blocks.append(_qr_row(_qr_codes(form)))
    return blocks


CONFIDENTIAL_NOTICE = (
    "CONFIDENTIALITY NOTICE: This fax contains protected health information that is "
    "confidential and protected by law. It is meant only for the program named above. If "
    "you are not the intended recipient, do not read, copy or share it: call the sender at "
    "once and destroy all copies."
)


def _paragraph(
    text: str, size: float, *, bold: bool = False, before: float = 0.0, after: float = 0.0
) -> Block:
    font = fonts.BOLD if bold else fonts.REGULAR
    lines = simpleSplit(text, font, size, CONTENT_W)
    lead = size * 1.25

    def draw(canvas: Canvas, x: float, y: float) -> None:
        _font(canvas, font, size)
        for i, line in enumerate(lines):
            canvas.drawString(x, y - before - size - i * lead, line)

    return Block(before + len(lines) * lead + after, draw)


def _to_block(contact: ProgramContact) -> Block:
    if contact.known:
        to = simpleSplit(f"To: {contact.label}", fonts.BOLD, SECTION + 2, CONTENT_W)
        below = [(fonts.BOLD, VALUE + 2, _numbers(contact))]
    else:
        to = ["To: the Clozapine REMS program you report to"]
        below = [
            (fonts.REGULAR, VALUE, line)
            for line in simpleSplit(NO_CONTACT, fonts.REGULAR, VALUE, CONTENT_W)
        ]
    height = 18.0 * len(to) + 17.0 * len(below) + 10

    def draw(canvas: Canvas, x: float, y: float) -> None:
        _font(canvas, fonts.BOLD, SECTION + 2)
        for i, line in enumerate(to):
            canvas.drawString(x, y - 16 - 18 * i, line)
        top = y - 18 * len(to)
        for i, (font, size, line) in enumerate(below):
            _font(canvas, font, size)
            canvas.drawString(x, top - 16 - 17 * i, line)

    return Block(height, draw)


def _section(section: Section, form: FormData) -> list[Block]:
    blocks = [_title_block(section.title, section.note)]
    for row in section.rows:
        if len(row) == 1 and row[0].kind is Kind.TABLE:
            blocks += _table(row[0], form)
        else:
            blocks.append(_row(row, form))
    blocks.append(Block(GAP, lambda c, x, y: None))
    if sum(b.height for b in blocks) <= KEEP_TOGETHER:
        # A short section is read as one: it moves to the next page whole, never split.
        blocks = [Block(b.height, b.draw, keep_with_next=True) for b in blocks[:-1]] + blocks[-1:]
    return blocks


KEEP_TOGETHER = 200.0  # points: sections up to this tall are never split across pages


def _row(row: tuple[Field, ...], form: FormData) -> Block:
    total = sum(f.width for f in row)
    widths = [CONTENT_W * f.width / total for f in row]
    cells = [
        _cell(f, w - (GAP if i < len(row) - 1 else 0), form)
        for i, (f, w) in enumerate(zip(row, widths, strict=True))
    ]
    height = max(h for h, _ in cells) + GAP

    def draw(canvas: Canvas, x: float, y: float) -> None:
        left = x
        for (_, cell), width in zip(cells, widths, strict=True):
            cell(canvas, left, y)
            left += width

    return Block(height, draw)


def _label(canvas: Canvas, field: Field, x: float, y: float, width: float) -> float:
    """Draws the label (with its hint when there is room); returns the y under it."""
    _font(canvas, fonts.REGULAR, LABEL)
    text = field.label + (f" ({field.hint})" if field.hint else "")
    if _width(text, fonts.REGULAR, LABEL) > width:
        text = field.label
    canvas.drawString(x, y - LABEL, _fit(text, fonts.REGULAR, LABEL, width))
    return y - LABEL - 3


def _cell(field: Field, width: float, form: FormData) -> tuple[float, Draw]:
    value = form.values.get(field.key)
    if field.kind in (Kind.TEXT, Kind.DATE):
        shown = _display(field, value)
        box_h = 22.0

        def draw_text(canvas: Canvas, x: float, y: float) -> None:
            below = _label(canvas, field, x, y, width)
            canvas.setLineWidth(RULE)
            canvas.rect(x, below - box_h, width, box_h, stroke=1, fill=0)
            if shown:
                size = _size_to_fit(shown, width - 8)
                _font(canvas, fonts.BOLD, size)
                canvas.drawString(
                    x + 4, below - box_h + 6, _fit(shown, fonts.BOLD, size, width - 8)
                )

        return LABEL + 3 + box_h, draw_text
    if field.kind is Kind.CHECK:

        def draw_check(canvas: Canvas, x: float, y: float) -> None:
            _box(canvas, x, y - 14, ticked=value is True)
            _font(canvas, fonts.REGULAR, LABEL + 1)
            canvas.drawString(x + 18, y - 11.5, field.label)

        return 18.0, draw_check
    if field.kind is Kind.CHOICE:
        lines = _choice_lines(field, width)

        def draw_choice(canvas: Canvas, x: float, y: float) -> None:
            below = _label(canvas, field, x, y, width)
            for i, line in enumerate(lines):
                left = x
                for option, label in line:
                    top = below - 4 - i * 18
                    _box(canvas, left, top - 12, ticked=value == option)
                    _font(canvas, fonts.REGULAR, LABEL + 1)
                    canvas.drawString(left + 17, top - 10, label)
                    left += _option_width(label)

        return LABEL + 3 + 4 + 18 * len(lines), draw_choice
    if field.kind is Kind.LINES:
        text = str(value) if isinstance(value, str) else ""
        wrapped = simpleSplit(text, fonts.BOLD, VALUE, width - 8) if text else []
        count = max(field.lines, len(wrapped))
        lead = 16.0

        def draw_lines(canvas: Canvas, x: float, y: float) -> None:
            below = _label(canvas, field, x, y, width)
            canvas.setLineWidth(RULE)
            canvas.rect(x, below - count * lead - 6, width, count * lead + 6, stroke=1, fill=0)
            _font(canvas, fonts.BOLD, VALUE)
            for i, line in enumerate(wrapped):
                canvas.drawString(x + 4, below - (i + 1) * lead + 1, line)

        return LABEL + 3 + count * lead + 6, draw_lines
    raise ValueError(f"{field.kind} cannot sit in a row")


def _table(field: Field, form: FormData) -> list[Block]:
    value = form.values.get(field.key)
    rows = value if isinstance(value, list) else []
    # A blank form offers `lines` rows for handwriting; a filled one its rows and two spare.
    count = field.lines if form.blank else max(3, len(rows) + 2)
    shares = [share for _, _, share in field.columns]
    widths = [CONTENT_W * s / sum(shares) for s in shares]
    row_h = 20.0

    def heading(canvas: Canvas, x: float, y: float) -> None:
        canvas.setLineWidth(RULE)
        left = x
        for (_, title, _), width in zip(field.columns, widths, strict=True):
            canvas.rect(left, y - row_h, width, row_h, stroke=1, fill=0)
            _font(canvas, fonts.BOLD, LABEL)
            canvas.drawString(left + 4, y - 14, _fit(title, fonts.BOLD, LABEL, width - 8))
            left += width

    def body_row(cells: dict[str, str]) -> Draw:
        def draw(canvas: Canvas, x: float, y: float) -> None:
            canvas.setLineWidth(RULE)
            left = x
            for (key, _, _), width in zip(field.columns, widths, strict=True):
                canvas.rect(left, y - row_h, width, row_h, stroke=1, fill=0)
                shown = cells.get(key, "")
                if key == "drawn":
                    shown = _us_date(shown)
                if shown:
                    _font(canvas, fonts.BOLD, VALUE)
                    canvas.drawString(left + 4, y - 15, _fit(shown, fonts.BOLD, VALUE, width - 8))
                left += width

        return draw

    blocks = [Block(row_h, heading, keep_with_next=True)]
    for i in range(count):
        blocks.append(Block(row_h, body_row(rows[i] if i < len(rows) else {})))
    blocks.append(Block(GAP, lambda c, x, y: None))
    return blocks


def _signature_blocks(form: FormData) -> list[Block]:
    """The attestation, then the signature area; a filled form's QR code sits beside it
    (one code) so it costs no extra page."""
    spec = form.spec
    blocks = [_title_block(f"{spec.signer} signature")]
    if spec.attestation:
        attestation = _paragraph(spec.attestation, LABEL + 1, after=GAP)
        blocks.append(Block(attestation.height, attestation.draw, keep_with_next=True))
    codes = _qr_codes(form) if not form.blank else []
    qr_side = _qr_side(codes[0]) if len(codes) == 1 else 0.0
    width = CONTENT_W - (qr_side + 14 if qr_side else 0)
    area_h, draw_area = _signed_area(form.signature, width) if form.signature else _wet_area(width)
    height = max(area_h, 26 + qr_side if qr_side else 0)

    def draw(canvas: Canvas, x: float, y: float) -> None:
        draw_area(canvas, x, y)
        if qr_side:
            right = x + width + 14
            _font(canvas, fonts.REGULAR, LABEL)
            canvas.drawString(right, y - LABEL, "This form's data,")
            canvas.drawString(right, y - LABEL - 12, "for scanning:")
            _draw_qr(canvas, codes[0], right, y - 26 - qr_side, qr_side)

    blocks.append(Block(height + GAP, draw))
    if len(codes) > 1:
        blocks.append(_qr_row(codes))
    return blocks


def _signed_area(signature: SignatureMark, width: float) -> tuple[float, Draw]:
    digest = signature.content_sha256
    lines = [
        (fonts.BOLD, f"Electronically signed by {signature.printed_name}"),
        (fonts.BOLD, f"Signed on {signature.signed_at}"),
        (fonts.BOLD, f"Meaning: {signature.meaning}"),
        (fonts.REGULAR, "Content hash (SHA-256 of the form's data):"),
        (fonts.REGULAR, digest[:32]),
        (fonts.REGULAR, digest[32:]),
    ]
    height = 14 + len(lines) * 15

    def draw(canvas: Canvas, x: float, y: float) -> None:
        canvas.setLineWidth(HEAVY)
        canvas.rect(x, y - height, width, height, stroke=1, fill=0)
        for i, (font, line) in enumerate(lines):
            _font(canvas, font, LABEL + (1 if font == fonts.BOLD else 0))
            canvas.drawString(x + 8, y - 16 - i * 15, _fit(line, font, LABEL + 1, width - 16))

    return height, draw


def _wet_area(width: float) -> tuple[float, Draw]:
    """An empty box to sign by hand, then the date and the printed name."""
    box_h = 44.0
    below = 13 + box_h + 8

    def draw(canvas: Canvas, x: float, y: float) -> None:
        _font(canvas, fonts.REGULAR, LABEL)
        canvas.drawString(x, y - LABEL, "Signature (sign by hand)")
        canvas.setLineWidth(HEAVY)
        canvas.rect(x, y - 13 - box_h, width, box_h, stroke=1, fill=0)
        canvas.setLineWidth(RULE)
        canvas.drawString(x, y - below - LABEL, "Date  (MM/DD/YYYY)")
        canvas.rect(x, y - below - 13 - 22, width * 0.38, 22, stroke=1, fill=0)
        canvas.drawString(x + width * 0.42, y - below - LABEL, "Printed name")
        canvas.rect(x + width * 0.42, y - below - 13 - 22, width * 0.58, 22, stroke=1, fill=0)

    return below + 13 + 22, draw


def _title_block(title: str, note: str = "") -> Block:
    """A section's title over a 1 pt rule, and its note; it stays with what follows."""
    note_lines = simpleSplit(note, fonts.REGULAR, LABEL, CONTENT_W) if note else []

    def draw(canvas: Canvas, x: float, y: float) -> None:
        _font(canvas, fonts.BOLD, SECTION)
        canvas.drawString(x, y - 14, title)
        canvas.setLineWidth(RULE)
        canvas.line(x, y - 18, x + CONTENT_W, y - 18)
        _font(canvas, fonts.REGULAR, LABEL)
        for i, line in enumerate(note_lines):
            canvas.drawString(x, y - 30 - i * 12.5, line)

    return Block(22 + len(note_lines) * 12.5, draw, keep_with_next=True)


def _qr_codes(form: FormData) -> list[list[bytes]]:
    signature = None
    if form.signature is not None:
        mark = form.signature
        signature = {
            "name": mark.printed_name,
            "at": mark.signed_at,
            "meaning": mark.meaning,
            "sha256": mark.content_sha256,
        }
    texts = qr_payload.encode(form.spec.code, form.spec.version, form.values, signature)
    return [_qr_modules(text) for text in texts]


def _qr_side(rows: list[bytes]) -> float:
    return (len(rows) + 2 * QR_QUIET) * QR_MODULE


def _qr_row(codes: list[list[bytes]]) -> Block:
    """Codes in a row under a caption (forms with no signature, or data that needs several)."""
    sides = [_qr_side(rows) for rows in codes]
    caption = (
        f"This form's data for scanning ({len(codes)} code{'s' if len(codes) > 1 else ''}, "
        f"{qr_payload.FORMAT})."
    )

    def draw(canvas: Canvas, x: float, y: float) -> None:
        _font(canvas, fonts.REGULAR, LABEL)
        canvas.drawString(x, y - 12, caption)
        left = x
        for rows, side in zip(codes, sides, strict=True):
            _draw_qr(canvas, rows, left, y - 16 - side, side)
            left += side + 10

    return Block(16 + max(sides) + GAP, draw)


QR_QUIET = 4  # modules of white around a code, as the QR standard asks


def _qr_modules(text: str) -> list[bytes]:
    """The code's modules, row by row (0 = dark). zxing-cpp encodes in C++ in ~3 ms and
    picks the best mask; a pure-Python encoder took 100-600 ms a form."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # zxing-cpp's Image has the buffer protocol; its stub does not declare it.
    image = memoryview(cast("Buffer", barcode.to_image(scale=1, add_quiet_zones=False)))
    size = len(image)  # a 2-D view's length is its number of rows
    raw = image.tobytes()
    return [raw[r * size : (r + 1) * size] for r in range(size)]


def _draw_qr(canvas: Canvas, rows: list[bytes], x: float, y: float, side: float) -> None:
    """Paper-white square (the draft mark must not cross the code, or no reader decodes it
    after a fax; white is the paper itself, not a tint a fax loses), then the code as a
    1-bit stencil mask, one module to a sample, painted black with interpolation off: an
    exact grid at any resolution, and a few hundred bytes instead of 4,000 rectangles."""
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    size = len(rows)
    packed = b"".join(_pack_row(row) for row in rows)
    quiet = QR_QUIET * QR_MODULE
    width = size * QR_MODULE
    canvas.addLiteral(
        f"q 0 g {width:.2f} 0 0 {width:.2f} {x + quiet:.2f} {y + quiet:.2f} cm\n"
        f"BI /W {size} /H {size} /IM true /BPC 1 /I false /F /AHx\n"
        f"ID {packed.hex()}> EI Q"
    )


def _pack_row(row: bytes) -> bytes:
    """Eight modules to a byte, dark = 0: an image mask paints its 0 samples."""
    bits = row.translate(_AS_BIT).ljust(-(-len(row) // 8) * 8, b"1")
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


_AS_BIT = bytes.maketrans(b"\x00\xff", b"01")
_DARK_RUN = re.compile(b"\x00+")


# Small helpers
def _box(canvas: Canvas, x: float, y: float, *, ticked: bool) -> None:
    canvas.setLineWidth(RULE)
    canvas.rect(x, y, 12, 12, stroke=1, fill=0)
    if ticked:
        _font(canvas, fonts.BOLD, VALUE)
        canvas.drawString(x + 2, y + 1.5, "X")


def _option_width(label: str) -> float:
    return 17 + _width(label, fonts.REGULAR, LABEL + 1) + 16


def _choice_lines(field: Field, width: float) -> list[list[tuple[str, str]]]:
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for option in field.options:
        needed = _option_width(option[1])
        if lines[-1] and used + needed > width:
            lines.append([])
            used = 0.0
        lines[-1].append(option)
        used += needed
    return lines


def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def _size_to_fit(text: str, width: float) -> float:
    """A value prints at 12 pt, down to 10 pt (never smaller) before it would be cut."""
    for size in (VALUE, VALUE - 1, LABEL):
        if _width(text, fonts.BOLD, size) <= width:
            return size
    return LABEL


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with "…" only if it cannot fit the box (the QR keeps it whole)."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _display(field: Field, value: object) -> str:
    if value is None or value is False:
        return ""
    if field.kind is Kind.DATE:
        return _us_date(str(value))
    return str(value)


def _us_date(value: str) -> str:
    """ISO dates print as MM/DD/YYYY (US forms); anything else prints as typed."""
    try:
        return date.fromisoformat(value).strftime("%m/%d/%Y")
    except ValueError:
        return value


def _font(canvas: Canvas, name: str, size: float) -> None:
    """Set the font only when it changes: each setFont writes operators to the page."""
    # The canvas's current font is private state the stubs do not declare.
    if canvas._fontname != name or canvas._fontsize != size:  # type: ignore[attr-defined]
        canvas.setFont(name, size)
