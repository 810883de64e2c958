"""Laying out a document's text as DOCX (what offices edit) and PDF (what is archived).

Both follow the layout of GB/T 9704-2012 (党政机关公文格式) where a letter uses it: A4 paper,
margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; body in 3号 (16 pt) at 22 lines a page;
title in 2号 (22 pt), centred; the date four characters in from the right with the agency's name
centred above it; page numbers in 4号 as "— 1 —".

The DOCX names the fonts an office's Word has (仿宋 for the body, 宋体 for the title) through
w:eastAsia, so Chinese text is set in them rather than in a Latin fallback. The PDF embeds its
font (see `fonts`), and sets each character the main face lacks in the first fallback face that
has it; a character no face has is refused (`unprintable`), never dropped from the PDF. Both
outputs depend on the text alone: the same text gives the same bytes, so a digest taken at issue
can be checked against a file at any time.

The closing, the seal, the agency's name and the date never stand on a page without body text
(as GB/T 9704 requires): they are kept on one page with the last body paragraph.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import paragraph as reportlab_paragraph

from jiandu.core.errors import ServiceError

from .fonts import PDF_FONT_NAME, face_for, missing, pdf_fallback, pdf_font
from .kinds import SEAL_PLACEHOLDER, DocumentText

TITLE_PT = 22  # 2号
BODY_PT = 16  # 3号
PAGE_NUMBER_PT = 14  # 4号
# 22 lines in the 225 mm text block.
BODY_LEADING_PT = 28.95
TITLE_LEADING_PT = 33
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
DATE_RIGHT_INDENT_EM = 4
DOCX_BODY_FONT = "仿宋"
DOCX_TITLE_FONT = "宋体"
DOCX_LATIN_FONT = "Times New Roman"
# Zip entries carry a time; a fixed one keeps the DOCX bytes a function of the text.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# reportlab's CJK line breaking knows the Japanese rules for what may not start a line; Chinese
# (避头点) also forbids these. An overflowing one hangs in the margin instead of opening the next
# line. Both of reportlab's CJK wrappers read the list from their module's global at each wrap,
# and nothing but CJK wrapping reads it.
_CHINESE_CANNOT_START = "，；：！？》〉”’」』）〕］｝"
for _wrapper in (reportlab_textsplit, reportlab_paragraph):
    _wrapper.ALL_CANNOT_START += "".join(
        char for char in _CHINESE_CANNOT_START if char not in _wrapper.ALL_CANNOT_START
    )


def unprintable(text: str) -> list[str]:
    """The characters of `text` that no embedded face can print, each once, in order of occurrence.

    Whitespace is never among them: the layout breaks lines at it and prints none of it. Cheap
    after the first call in a process, so forms may call it on every field to refuse such text
    before it reaches a letter.
    """
    return [char for char in missing(text) if not char.isspace()]


def describe_characters(chars: list[str]) -> str:
    """Characters as a reader can find them again, e.g. U+2A6A5「𪚥」、U+30EDE「𰻞」."""
    return "、".join(f"U+{ord(char):04X}「{char}」" for char in chars)


def _em(text: str) -> float:
    # Width in ems as a Chinese typesetter counts it: full-width characters one, ASCII half.
    return sum(0.5 if ord(char) < 128 else 1.0 for char in text)


def _signature_indents(text: DocumentText) -> list[tuple[str, float]]:
    """Seal placeholder, agency name and date, each with its right indent in ems.

    The date stands four characters in from the right; the name (and the seal over it) is
    centred on the date, as far right as the margin allows when it is longer.
    """
    date_centre = DATE_RIGHT_INDENT_EM + _em(text.date_line) / 2
    lines = [SEAL_PLACEHOLDER, text.agency_name]
    centred = [(line, max(0.0, date_centre - _em(line) / 2)) for line in lines]
    return [*centred, (text.date_line, float(DATE_RIGHT_INDENT_EM))]


# --- DOCX -----------------------------------------------------------------------------------


def _set_run_fonts(rpr: CT_RPr, east_asian: str, size_pt: float | None = None) -> None:
    fonts = rpr.get_or_add_rFonts()
    # Theme attributes win over named fonts in Word: drop them so the names below apply.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), DOCX_LATIN_FONT)
    fonts.set(qn("w:hAnsi"), DOCX_LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    if size_pt is not None:
        rpr.sz_val = Pt(size_pt)


def _docx_paragraph(
    document: docx.document.Document,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_line_em: float = 0,
    right_em: float = 0,
    title: bool = False,
) -> DocxParagraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(TITLE_LEADING_PT if title else BODY_LEADING_PT)
    layout.space_before = layout.space_after = Pt(0)
    if first_line_em:
        layout.first_line_indent = Pt(first_line_em * BODY_PT)
    if right_em:
        layout.right_indent = Pt(right_em * BODY_PT)
    if text:
        run = paragraph.add_run(text)
        if title:
            _set_run_fonts(run._r.get_or_add_rPr(), DOCX_TITLE_FONT, TITLE_PT)
            run.bold = True
    return paragraph


def _docx_page_number(section: docx.section.Section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    field.append(paragraph.add_run("1")._r)  # shown until Word updates the field
    paragraph._p.append(field)
    paragraph.add_run(" —")
    for run in paragraph._p.iter(qn("w:r")):
        _set_run_fonts(run.get_or_add_rPr(), DOCX_TITLE_FONT, PAGE_NUMBER_PT)


def _fixed_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_docx(text: DocumentText) -> bytes:
    """The document as a Word file (.docx)."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    # The page number's line stands 7 mm below the text block (GB/T 9704 7.5).
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - PAGE_NUMBER_PT * 25.4 / 72)

    # Document-wide defaults: body font, size and Chinese as the East Asian language.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_fonts(defaults, DOCX_BODY_FONT, BODY_PT)
    lang = defaults.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    _set_run_fonts(document.styles["Normal"].element.get_or_add_rPr(), DOCX_BODY_FONT, BODY_PT)

    _docx_paragraph(document, text.agency_name, align=WD_ALIGN_PARAGRAPH.CENTER, title=True)
    _docx_paragraph(document, text.title, align=WD_ALIGN_PARAGRAPH.CENTER, title=True)
    _docx_paragraph(document, "")
    _docx_paragraph(document, text.number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _docx_paragraph(document, "")
    _docx_paragraph(document, f"{text.addressee}：")
    body = [_docx_paragraph(document, paragraph, first_line_em=2) for paragraph in text.body]
    # The signature never stands on a page without body text: the last body paragraph, the
    # closing and the signature lines go over together, none of them split across pages.
    ending = [
        *body[-1:],
        _docx_paragraph(document, text.closing, first_line_em=2),
        _docx_paragraph(document, ""),
        _docx_paragraph(document, ""),
    ]
    for line, indent in _signature_indents(text):
        ending.append(_docx_paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, right_em=indent))
    for paragraph in ending:
        paragraph.paragraph_format.keep_together = True
    for paragraph in ending[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    _docx_page_number(section)

    properties = document.core_properties
    properties.title = text.title
    properties.subject = text.number
    properties.author = properties.last_modified_by = text.agency_name
    properties.comments = ""
    properties.revision = 1
    # Word shows these as the file's dates; the day of issue is the one that means something.
    issued = datetime.datetime.combine(text.issued_on, datetime.time(), tzinfo=datetime.UTC)
    properties.created = properties.modified = issued

    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


# --- PDF ------------------------------------------------------------------------------------


def _pdf_styles(font: str) -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" breaks lines between any two Chinese characters (there are no spaces to break at).
    body = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=BODY_PT,
        leading=BODY_LEADING_PT,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontSize=TITLE_PT, leading=TITLE_LEADING_PT, alignment=TA_CENTER
        ),
        "centred": ParagraphStyle("centred", parent=body, alignment=TA_CENTER),
        "left": ParagraphStyle("left", parent=body, alignment=TA_LEFT),
        "body": ParagraphStyle("indented", parent=body, firstLineIndent=2 * BODY_PT),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


def _markup(text: str) -> str:
    """`text` as Paragraph markup: escaped, with runs the main face lacks set in a fallback face."""
    runs: list[tuple[str, list[str]]] = []
    for char in text:
        face = face_for(char)
        if face is None:
            if not char.isspace():
                raise ServiceError(f"文书中有字体无法印出的字符：{describe_characters([char])}")
            # Whitespace only breaks the line: it goes with the run around it.
            face = runs[-1][0] if runs else PDF_FONT_NAME
        if runs and runs[-1][0] == face:
            runs[-1][1].append(char)
        else:
            runs.append((face, [char]))
    return "".join(
        escape("".join(chars))
        if face == PDF_FONT_NAME
        else f'<font name="{pdf_fallback(face)}">{escape("".join(chars))}</font>'
        for face, chars in runs
    )


def render_pdf(text: DocumentText) -> bytes:
    """The document as PDF, with its fonts embedded; ServiceError if a character cannot be printed."""
    font = pdf_font()
    styles = _pdf_styles(font)
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=MARGINS_MM["top"] * mm,
        bottomMargin=MARGINS_MM["bottom"] * mm,
        leftMargin=MARGINS_MM["left"] * mm,
        rightMargin=MARGINS_MM["right"] * mm,
        title=text.title,
        subject=text.number,
        author=text.agency_name,
        creator="Jiandu",
        # Without it the canvas would name (unembedded) Helvetica as its starting font.
        initialFontName=font,
        # No creation date or random file id: the bytes depend on the text alone.
        invariant=1,
    )

    def page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, PAGE_NUMBER_PT)
        canvas.drawCentredString(
            A4[0] / 2, (MARGINS_MM["bottom"] - 7) * mm - PAGE_NUMBER_PT, f"— {doc.page} —"
        )
        canvas.restoreState()

    def first_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        # invariant=1 stamps every file 2000-01-01; the day of issue is the date that means something.
        issued = f"D:{text.issued_on:%Y%m%d}000000+08'00'"
        canvas.setDateFormatter(lambda *_ignored: issued)
        page_number(canvas, doc)

    line = BODY_LEADING_PT
    body = [Paragraph(_markup(paragraph), styles["body"]) for paragraph in text.body]
    story = [
        Paragraph(_markup(text.agency_name), styles["title"]),
        Paragraph(_markup(text.title), styles["title"]),
        Spacer(0, line),
        Paragraph(_markup(text.number), styles["centred"]),
        Spacer(0, line),
        Paragraph(_markup(f"{text.addressee}："), styles["left"]),
        *body[:-1],
    ]
    # The signature never stands on a page without body text: the last body paragraph, the
    # closing and the signature lines go over together.
    ending = [*body[-1:], Paragraph(_markup(text.closing), styles["body"]), Spacer(0, 2 * line)]
    for signature_line, indent in _signature_indents(text):
        style = ParagraphStyle(f"right-{indent}", parent=styles["right"], rightIndent=indent * BODY_PT)
        ending.append(Paragraph(_markup(signature_line), style))
    story.append(KeepTogether(ending))
    template.build(story, onFirstPage=first_page, onLaterPages=page_number)
    return out.getvalue()
