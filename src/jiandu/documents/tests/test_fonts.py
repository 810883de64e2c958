"""The PDF font: Noto Serif SC converted to TrueType outlines, every character kept; the CLI around it."""

import io

from django.core.management import call_command
from fontTools.ttLib import TTFont

from jiandu.documents import fonts


def test_converted_font_is_truetype_with_every_character_of_the_source():
    path = fonts.ensure_converted()
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00", "TrueType outlines, not CFF ('OTTO')"
    converted, source = TTFont(path, lazy=True), TTFont(fonts.source_path(), lazy=True)
    assert "glyf" in converted and "CFF " not in converted
    characters = set(converted.getBestCmap())
    assert characters == set(source.getBestCmap())
    assert {ord("荆"), ord("〔"), ord("《")} <= characters
    assert converted["maxp"].numGlyphs == source["maxp"].numGlyphs


def test_commands_prepare_the_font_and_list_the_kinds():
    out = io.StringIO()
    call_command("documents", "fonts", stdout=out)
    assert str(fonts.converted_path()) in out.getvalue()
    out = io.StringIO()
    call_command("documents", "kinds", stdout=out)
    assert "complaint_extension\t投诉举报延期告知书\t投诉\t" in out.getvalue()
    assert "new_due_date" in out.getvalue()
