"""Text that people type, checked once at the edge: no control characters, a bound on length.

Every text a person or a program sends (form fields, API fields, imported cells) passes through
`clean_text` before a service sees it. Control characters (U+0000–U+001F except tab, line feed
and carriage return; U+007F–U+009F; the Unicode line and paragraph separators) break the XML
inside DOCX letters and hide text from readers, so they are refused, not silently removed: the
writer learns which field and which character. Lengths are bounded so that no single request can
make a letter render for minutes while other writers wait.

The limits are anti-abuse settings (`settings.JIANDU_TEXT_LIMITS`), not legal rules.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

from .errors import ServiceError

# Allowed: \t \n \r. Refused: the other C0 controls, DEL, the C1 controls, U+2028/U+2029, the
# BOM inside text (each is invisible and breaks a letter or a CSV export) and the bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a text read
# differently from what it holds.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]")


def limit(kind: str) -> int:
    """The bound for a kind of text ("line", "short", "long"), in characters."""
    return int(settings.JIANDU_TEXT_LIMITS[kind])


def control_character(value: str) -> str | None:
    """The first control character in `value`, or None."""
    found = _CONTROL.search(value)
    return found.group() if found else None


def describe(char: str) -> str:
    """A character as a reader can find it: U+0001 and its Unicode name where it has one."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f"（{name}）" if name else "")


def clean_text(value: object, *, field: str, label: str, kind: str = "short", required: bool = False) -> str:
    """`value` stripped, or ServiceError naming `field` (in Chinese, by its `label`).

    Refuses a non-text value, a control character, text over the kind's bound, and blank text
    when `required`. Line breaks are kept as \\n (\\r\\n and \\r become \\n).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError(f"“{label}”须为文字。", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from JSON "\ud800"): not a character at all
        raise ServiceError(f"“{label}”含有无效的字符编码，请重新输入。", field=field) from None
    char = control_character(value)
    if char is not None:
        raise ServiceError(f"“{label}”含有不可见的控制字符 {describe(char)}，请删除后重新提交。", field=field)
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    bound = limit(kind)
    if len(text) > bound:
        raise ServiceError(f"“{label}”不能超过 {bound} 字（现为 {len(text)} 字）。", field=field)
    if kind == "line" and "\n" in text:
        raise ServiceError(f"“{label}”只能写一行。", field=field)
    if required and not text:
        raise ServiceError(f"请填写“{label}”。", field=field)
    return text
