"""The Chinese typeface embedded in archived PDFs.

An archived PDF carries its font instead of naming one that a reader's viewer may lack, so the
document looks the same in twenty years. The typeface is Noto Serif SC (思源宋体; SIL Open Font
License 1.1, which allows embedding and says documents made with the font are not bound by it),
shipped on PyPI by `pylopdf-fonts-zh-cn`: a Song face, the face of Chinese official documents.

It comes with PostScript (CFF) outlines, which reportlab cannot embed, so it is converted once to
TrueType outlines with fontTools and kept under VAR_DIR/fonts/, named by the digest of the source
file and of this conversion. Every app server that converts finds the same bytes (the conversion
is deterministic), so a PDF rendered on any of them is the same. The conversion takes about half
a minute; `jiandu documents fonts` does it ahead of the first render, e.g. at deployment.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

import pylopdf_fonts_zh_cn
from django.conf import settings
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

PDF_FONT_NAME = "JianduSerifSC"
# Part of the cache file's name: change it whenever the conversion below changes its output.
CONVERSION_VERSION = "1"
# Largest distance (in font units of 1000 per em) allowed between a cubic curve and its quadratic
# replacement: far below what any printer or screen can show.
MAX_CURVE_ERROR = 1.0

_lock = threading.Lock()


def source_path() -> Path:
    """The Noto Serif SC font file as the PyPI package ships it (CFF outlines)."""
    return Path(pylopdf_fonts_zh_cn.serif_path())


def cache_dir() -> Path:
    """Where converted fonts are kept: a cache, safe to delete, rebuilt on the next render."""
    return Path(settings.VAR_DIR) / "fonts"


def converted_path() -> Path:
    """Where the TrueType conversion of the source font is (or will be) kept."""
    digest = hashlib.sha256(source_path().read_bytes()).hexdigest()[:16]
    return cache_dir() / f"NotoSerifSC-Regular-{digest}-glyf{CONVERSION_VERSION}.ttf"


def convert_to_truetype(source: Path, target: Path) -> None:
    """Write `source` (an OpenType font with CFF outlines) to `target` with TrueType outlines.

    This is fontTools' otf2ttf recipe: each cubic outline is redrawn as quadratic curves and the
    contour direction reversed (TrueType winds the other way). The timestamp of the source is
    kept, so the output depends on the source alone. Written to a temporary file and renamed, so
    a reader never sees half a font and two processes converting at once do no harm.
    """
    font = TTFont(source, recalcTimestamp=False)
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    # Version 1.0 of maxp carries the TrueType fields; no instructions, so all of them are zero.
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    del font["CFF "]
    if "VORG" in font:  # vertical origins belong to CFF fonts only
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"
    # post format 3 drops the glyph names, which a TrueType font does not need.
    font["post"].formatType = 3.0
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_converted() -> Path:
    """The converted font's path, converting the source first if this machine has not yet."""
    target = converted_path()
    if not target.exists():
        convert_to_truetype(source_path(), target)
    return target


def pdf_font() -> str:
    """The name under which reportlab knows the embedded Chinese font; registers it once per process."""
    with _lock:
        if PDF_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(ReportlabTTFont(PDF_FONT_NAME, str(ensure_converted())))
    return PDF_FONT_NAME
