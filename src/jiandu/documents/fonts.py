"""The typefaces embedded in archived PDFs: a Chinese Song face, and fallbacks for what it lacks.

An archived PDF carries its font instead of naming one that a reader's viewer may lack, so the
document looks the same in twenty years. The typeface is Noto Serif SC (思源宋体; SIL Open Font
License 1.1, which allows embedding and says documents made with the font are not bound by it),
shipped on PyPI by `pylopdf-fonts-zh-cn`: a Song face, the face of Chinese official documents.

It comes with PostScript (CFF) outlines, which reportlab cannot embed, so it is converted once to
TrueType outlines with fontTools and kept under VAR_DIR/fonts/, named by the digest of the source
file and of this conversion. Every app server that converts finds the same bytes (the conversion
is deterministic), so a PDF rendered on any of them is the same. The conversion takes about half
a minute; `jiandu documents fonts` does it ahead of the first render, e.g. at deployment.

No one typeface has every character a letter may carry: Noto Serif SC lacks most of CJK Extension
B (𠮷, a surname, among them) and emoji. A character the main face lacks is set in the first
fallback face that has it (`FALLBACKS`, all SIL OFL 1.1 and on PyPI): Noto Serif TC and Noto Serif
JP for the Extension B characters of Hong Kong, Taiwan and Japan, then Noto Emoji, Noto Sans
Symbols and Noto Sans. Each fallback is cut down to the characters that the faces before it lack
(a few hundred to two thousand glyphs; seconds, not the main face's half minute) and kept beside
the main face, named by the digest of its source and of those characters. A character that no face
has is not dropped: `missing` names it, and the documents refuse text that carries one.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pylopdf_fonts_jp
import pylopdf_fonts_zh_cn
import pylopdf_fonts_zh_tw
from django.conf import settings
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.varLib import instancer
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

PDF_FONT_NAME = "JianduSerifSC"
# Part of the cache file's name: change it whenever the conversion below changes its output.
CONVERSION_VERSION = "1"
# Part of each fallback's cache file name: change it whenever `make_fallback` changes its output.
FALLBACK_VERSION = "1"
# Largest distance (in font units of 1000 per em) allowed between a cubic curve and its quadratic
# replacement: far below what any printer or screen can show.
MAX_CURVE_ERROR = 1.0

_lock = threading.Lock()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap for an embedded subset, right beyond the BMP too.

    A ToUnicode CMap maps to UTF-16BE; reportlab writes the bare code point, so 𠮷 (U+20BB7)
    became <20BB7> and vanished when the PDF was searched or copied. A BMP character is written
    exactly as reportlab writes it, so PDFs without such characters keep their bytes.
    """
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>" for i, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


# Nothing but the embedding of TrueType subsets reads it (reportlab.pdfbase.ttfonts.TTFont).
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


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


def _cff_to_glyf(font: TTFont) -> None:
    # fontTools' otf2ttf recipe: each cubic outline is redrawn as quadratic curves and the contour
    # direction reversed (TrueType winds the other way).
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


def _save(font: TTFont, target: Path) -> None:
    # Written to a temporary file and renamed, so a reader never sees half a font and two
    # processes writing at once do no harm.
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def convert_to_truetype(source: Path, target: Path) -> None:
    """Write `source` (an OpenType font with CFF outlines) to `target` with TrueType outlines.

    The timestamp of the source is kept, so the output depends on the source alone.
    """
    font = TTFont(source, recalcTimestamp=False)
    _cff_to_glyf(font)
    _save(font, target)


def _ensure_main() -> Path:
    target = converted_path()
    if not target.exists():
        convert_to_truetype(source_path(), target)
    return target


def ensure_converted() -> Path:
    """The converted font's path, converting the source first if this machine has not yet.

    Makes the fallback faces too (see `ensure_fallback`), so that a deployment that runs this
    once leaves no font work for the first letter.
    """
    target = _ensure_main()
    for fallback in FALLBACKS:
        if fallback_characters(fallback):
            ensure_fallback(fallback)
    return target


def pdf_font() -> str:
    """The name under which reportlab knows the embedded Chinese font; registers it once per process."""
    with _lock:
        if PDF_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(ReportlabTTFont(PDF_FONT_NAME, str(_ensure_main())))
    return PDF_FONT_NAME


# --- fallback faces ---------------------------------------------------------------------------


def _manimgx_font(filename: str) -> Callable[[], Path]:
    return lambda: Path(str(resources.files("manimgx_fonts").joinpath(filename)))


@dataclass(frozen=True)
class Fallback:
    """A face for the characters the faces before it lack."""

    name: str  # as reportlab knows it
    stem: str  # the cache file's name begins with it
    source: Callable[[], Path]


# In the order they are tried: the Song (serif) faces first, as the main face is one.
FALLBACKS = (
    Fallback("JianduSerifTC", "NotoSerifTC-Regular", lambda: Path(pylopdf_fonts_zh_tw.serif_path())),
    Fallback("JianduSerifJP", "NotoSerifJP-Regular", lambda: Path(pylopdf_fonts_jp.serif_path())),
    Fallback("JianduEmoji", "NotoEmoji-Regular", _manimgx_font("NotoEmoji[wght].ttf")),
    Fallback("JianduSymbols", "NotoSansSymbols-Regular", _manimgx_font("NotoSansSymbols[wght].ttf")),
    Fallback("JianduSans", "NotoSans-Regular", _manimgx_font("NotoSans[wght].ttf")),
)


@functools.cache
def _characters(path: Path) -> frozenset[int]:
    # Read from the source files, not the converted ones: the conversion keeps every character
    # (tests check it), and asking which characters print must not wait for a conversion.
    return frozenset(TTFont(path, lazy=True).getBestCmap())


@functools.cache
def _fallback_sets() -> dict[str, frozenset[int]]:
    covered = _characters(source_path())
    sets = {}
    for fallback in FALLBACKS:
        own = _characters(fallback.source()) - covered
        sets[fallback.name] = own
        covered |= own
    return sets


def fallback_characters(fallback: Fallback) -> frozenset[int]:
    """The code points this fallback sets: those it has and no face before it has."""
    return _fallback_sets()[fallback.name]


@functools.cache
def _face_of() -> dict[int, str]:
    return {char: name for name, chars in _fallback_sets().items() for char in chars}


def face_for(char: str) -> str | None:
    """The reportlab name of the face that sets `char`, or None when no face has it."""
    code = ord(char)
    if code in _characters(source_path()):
        return PDF_FONT_NAME
    return _face_of().get(code)


def missing(text: str) -> list[str]:
    """The characters of `text` that no face has, each once, in the order they first occur.

    Fast after the first call in a process (the faces' character sets are kept), so forms can
    call it on every field.
    """
    main = _characters(source_path())
    if all(ord(char) in main for char in text):  # almost every text: no fallback needed
        return []
    faces = _face_of()
    return list(dict.fromkeys(char for char in text if ord(char) not in main and ord(char) not in faces))


def fallback_path(fallback: Fallback) -> Path:
    """Where the cut-down TrueType copy of this fallback is (or will be) kept."""
    digest = hashlib.sha256(fallback.source().read_bytes())
    digest.update(",".join(map(str, sorted(fallback_characters(fallback)))).encode())
    return cache_dir() / f"{fallback.stem}-{digest.hexdigest()[:16]}-fallback{FALLBACK_VERSION}.ttf"


def make_fallback(source: Path, characters: frozenset[int], target: Path) -> None:
    """Write to `target` a TrueType copy of `source` holding only `characters`.

    reportlab embeds TrueType outlines of a static face and shapes nothing, so a variable face is
    fixed at its default instance, CFF outlines are converted, and the layout tables (which only
    a shaping engine reads) are left out.
    """
    # fontTools logs each step of a subset at INFO, the whole glyph list included: not for our log.
    fonttools_log = logging.getLogger("fontTools")
    level = fonttools_log.level
    fonttools_log.setLevel(logging.WARNING)
    try:
        _make_fallback(source, characters, target)
    finally:
        fonttools_log.setLevel(level)


def _make_fallback(source: Path, characters: frozenset[int], target: Path) -> None:
    font = TTFont(source, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "STAT"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(characters))
    subsetter.subset(font)
    if "fvar" in font:
        font = instancer.instantiateVariableFont(
            font, {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
        )
    if "CFF " in font:
        _cff_to_glyf(font)
    _save(font, target)


def ensure_fallback(fallback: Fallback) -> Path:
    """The fallback's cut-down copy, made first if this machine has not yet."""
    target = fallback_path(fallback)
    if not target.exists():
        make_fallback(fallback.source(), fallback_characters(fallback), target)
    return target


def pdf_fallback(name: str) -> str:
    """Register the fallback face called `name` with reportlab (once per process); returns the name."""
    with _lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            fallback = next(fallback for fallback in FALLBACKS if fallback.name == name)
            pdfmetrics.registerFont(ReportlabTTFont(name, str(ensure_fallback(fallback))))
    return name
