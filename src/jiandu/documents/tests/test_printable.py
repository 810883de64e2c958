"""No character is lost from a PDF letter: the main face's gaps are filled by fallback faces, and
text with a character that no face has is refused before anything is issued."""

import io

import pypdf
import pytest
from fontTools.ttLib import TTFont

from jiandu.core.errors import ServiceError
from jiandu.core.models import Sequence
from jiandu.documents import fonts, services
from jiandu.documents.kinds import all_kinds
from jiandu.documents.models import Document
from jiandu.documents.render import unprintable

from .conftest import CITATION

# 𠮷 (U+20BB7, CJK Extension B, a surname) and 😀 (U+1F600): Noto Serif SC has neither.
SURNAME = "\U00020bb7"
EMOJI = "\U0001f600"
# 𪚥 (U+2A6A5, CJK Extension B): none of the embedded faces has it.
NO_FACE = "\U0002a6a5"


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _page_fonts(data: bytes) -> list:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]


def test_unprintable_names_only_characters_no_face_has():
    assert unprintable("被投诉执法人员在执法过程中未出示行政执法证件。") == []
    assert unprintable(f"{SURNAME}某{EMOJI}★Nguyễn") == []
    # Each once, in the order they occur; line breaks are whitespace, not characters to print.
    assert unprintable(f"王{NO_FACE}\n{NO_FACE}\t\U00030ede") == [NO_FACE, "\U00030ede"]


def test_the_main_face_lacks_what_the_fallbacks_print():
    # Otherwise the tests below would prove nothing about the fallback.
    assert fonts.face_for("王") == fonts.PDF_FONT_NAME
    assert fonts.face_for(SURNAME) not in (None, fonts.PDF_FONT_NAME)
    assert fonts.face_for(EMOJI) not in (None, fonts.PDF_FONT_NAME)
    assert fonts.face_for(NO_FACE) is None


def test_pdf_keeps_extension_b_and_emoji(full_context):
    full_context["findings"] = f"被投诉执法人员{SURNAME}某某在执法过程中未出示行政执法证件{EMOJI}"
    docx_bytes, pdf_bytes = services.render_preview("complaint_result", full_context)

    # Searching or copying the PDF gives the characters back (its ToUnicode maps are right).
    assert f"{SURNAME}某某在执法过程中未出示行政执法证件{EMOJI}" in _pdf_text(pdf_bytes)
    embedded = _page_fonts(pdf_bytes)
    names = {str(font["/BaseFont"]).split("+", 1)[1] for font in embedded}
    assert {"NotoSerifSC-Regular", "NotoSerifJP-Regular", "NotoEmoji-Regular"} <= names
    for font in embedded:
        assert "/FontFile2" in font["/FontDescriptor"], "every face is embedded"
    assert services.render_preview("complaint_result", full_context) == (docx_bytes, pdf_bytes)


def test_fallback_faces_stay_small_in_the_pdf(full_context):
    _, plain = services.render_preview("complaint_result", full_context)
    full_context["findings"] += f"，{SURNAME}某{EMOJI}"
    _, with_fallbacks = services.render_preview("complaint_result", full_context)
    # Only the glyphs used are embedded, as for the main face: kilobytes, not the fonts' megabytes.
    assert len(with_fallbacks) - len(plain) < 40_000


def test_each_fallback_keeps_exactly_its_characters():
    for fallback in fonts.FALLBACKS:
        path = fonts.ensure_fallback(fallback)
        font = TTFont(path, lazy=True)
        assert path.read_bytes()[:4] == b"\x00\x01\x00\x00", "TrueType outlines"
        assert "fvar" not in font, "a static face: reportlab reads no variations"
        assert set(font.getBestCmap()) == fonts.fallback_characters(fallback)


def test_every_kind_text_is_printable():
    for kind in all_kinds():
        assert unprintable("".join((kind.title, kind.closing, *kind.body))) == [], kind.code


def test_preview_refuses_text_no_face_prints(full_context):
    full_context["findings"] = f"当事人{NO_FACE}某拒不配合"
    with pytest.raises(ServiceError) as refused:
        services.render_preview("complaint_result", full_context)
    assert refused.value.field == "findings"
    assert refused.value.code == "unprintable"
    assert f"U+2A6A5「{NO_FACE}」" in refused.value.message


def test_issue_refuses_text_no_face_prints_and_stores_nothing(media, agency, context):
    context["reasons"] = f"投诉人{NO_FACE}某所述事项不属于本机关职责"
    with pytest.raises(ServiceError) as refused:
        services.issue_document(
            kind="complaint_rejection", subject=agency, agency=agency, context=context, citation=CITATION
        )
    assert (refused.value.field, refused.value.code) == ("reasons", "unprintable")
    assert "reasons" in refused.value.message and f"U+2A6A5「{NO_FACE}」" in refused.value.message
    assert not Document.objects.exists()
    assert not Sequence.objects.filter(last__gt=0).exists(), "no number was taken"
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_issue_refuses_an_unprintable_number_given_by_hand(media, agency, context):
    with pytest.raises(ServiceError) as refused:
        services.issue_document(
            kind="complaint_acceptance",
            subject=agency,
            agency=agency,
            context=context,
            citation=CITATION,
            number=f"测试{NO_FACE}〔2025〕1号",
        )
    assert refused.value.field == "number"
    assert not Document.objects.exists()
