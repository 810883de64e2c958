"""Property tests of the one place a step's inputs are validated (`procedures.inputs.Input.clean`):
whatever arrives, the step's body gets a clean value of the declared kind, or the sender gets a
ServiceError naming the field — never another exception, never a value out of bounds."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from jiandu.core.errors import ServiceError
from jiandu.core.text import control_character, limit
from jiandu.procedures.inputs import Input, date_range

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(),
    st.lists(st.text(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.dates(),
)


@given(raw=ANYTHING, kind=st.sampled_from(["line", "short", "long"]), required=st.booleans())
def test_text_is_clean_and_bounded_or_refused_naming_the_field(raw, kind, required):
    field = Input("note", "说明", kind=kind, required=required, maximum=50)
    try:
        value = field.clean(raw)
    except ServiceError as refused:
        assert refused.field == "note"
        return
    assert isinstance(value, str)
    assert control_character(value) is None and len(value) <= min(50, limit(kind))
    assert value == value.strip() and (value or not required)
    if kind == "line":
        assert "\n" not in value


@given(raw=ANYTHING)
def test_a_date_is_in_range_or_refused_naming_the_field(raw):
    field = Input("on", "日期", kind="date")
    try:
        value = field.clean(raw)
    except ServiceError as refused:
        assert refused.field == "on"
        return
    first, last = date_range()
    assert isinstance(value, datetime.date) and first <= value <= last
    # Only a date, or text written YYYY-MM-DD, is read as one.
    assert isinstance(raw, datetime.date) or (isinstance(raw, str) and raw.strip() == value.isoformat())


@given(raw=ANYTHING)
def test_an_integer_is_within_its_bounds_or_refused(raw):
    field = Input("amount", "期间", kind="integer", minimum=1, maximum=30)
    try:
        value = field.clean(raw)
    except ServiceError as refused:
        assert refused.field == "amount"
        return
    assert type(value) is int and 1 <= value <= 30


@given(raw=ANYTHING)
def test_a_choice_is_one_of_the_options_or_refused(raw):
    field = Input("order", "决定", kind="choice", choices=[("change", "变更"), ("revoke", "撤销")])
    try:
        value = field.clean(raw)
    except ServiceError as refused:
        assert refused.field == "order"
        return
    assert value in {"change", "revoke"}


@given(raw=ANYTHING)
def test_files_must_be_uploads(raw):
    field = Input("files", "材料", kind="files", required=False)
    try:
        value = field.clean(raw)
    except ServiceError as refused:
        assert refused.field == "files"
        return
    assert value == [] or all(hasattr(f, "read") for f in value)
