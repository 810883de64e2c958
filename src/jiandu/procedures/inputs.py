"""What a step takes from the person acting: one declaration per field, read by the runner (which
validates), the page (which draws a form) and the API (which documents and parses a request).

Validation lives here and only here: `Input.clean` turns a raw value (from a form, JSON or a
scenario file) into the value the step's body gets, or raises ServiceError naming the field in
Chinese. Form and serializer fields only parse types; whatever they let through is cleaned again.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from rest_framework import serializers

from jiandu.core.errors import ServiceError
from jiandu.core.text import clean_text

TEXT_KINDS = ("line", "short", "long")
KINDS = (*TEXT_KINDS, "integer", "date", "choice", "choices", "flag", "record", "files")

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Anti-abuse bound on one submission (not a legal rule): how many files one field may carry.
MAX_FILES_PER_FORM = 10

Choices = Sequence[tuple[str, str]] | Callable[[Any], Sequence[tuple[str, str]]]


def date_range() -> tuple[datetime.date, datetime.date]:
    """The dates accepted at all (anti-abuse bounds, `settings.JIANDU_API_DATE_RANGE`): outside
    them a date is a typing error, and near Python's ends a day more or less cannot be computed."""
    first, last = getattr(settings, "JIANDU_API_DATE_RANGE", None) or ("1900-01-01", "2999-12-31")
    return datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)


@dataclass(frozen=True)
class Input:
    """One field a step takes.

    kind: line / short / long (text of that bound), integer, date, choice, choices (several of
    them, a list), flag, record (a row of `records`, given by id), files.
    personal: the value may identify a person; it never goes into the ledger payload.
    choices: (value, label) pairs, or a function of the matter (None when creating) giving them.
    records: for a record, a function of the matter (None when creating) giving the queryset the
    row must be in; the body gets the row, the ledger its id.
    minimum/maximum: bounds of an integer; maximum is also the most characters of a text (its
    column's length where that is shorter than the kind's bound).
    example: a valid value for scenarios and the shared tests, or a function of today giving one;
    by default one is made from the kind (today for a date, the first choice …).
    """

    name: str
    label: str
    kind: str = "short"
    required: bool = True
    personal: bool = False
    help: str = ""
    choices: Choices = ()
    minimum: int | None = None
    maximum: int | None = None
    example: Any = None
    records: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r} for {self.name}")

    def example_value(self, today: datetime.date, text: str = "示例") -> Any:
        """A valid value of this input (`text` for typed text)."""
        if self.example is not None:
            return self.example(today) if callable(self.example) else self.example
        if self.kind in TEXT_KINDS:
            return text
        if self.kind == "integer":
            return self.minimum if self.minimum is not None else 1
        if self.kind == "date":
            return today
        if self.kind == "choice":
            return self.options(None)[0][0]
        if self.kind == "choices":
            return [self.options(None)[0][0]]
        if self.kind == "flag":
            return True
        if self.kind == "record":
            return None
        from django.core.files.uploadedfile import SimpleUploadedFile

        return [SimpleUploadedFile("示例.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")]

    def options(self, matter: Any) -> list[tuple[str, str]]:
        return list(self.choices(matter) if callable(self.choices) else self.choices)

    # ---------------------------------------------------------------------------------- cleaning

    def clean(self, raw: Any, matter: Any = None) -> Any:
        """The value the step's body receives, or ServiceError naming this field."""
        if self.kind in TEXT_KINDS:
            text = clean_text(raw, field=self.name, label=self.label, kind=self.kind, required=self.required)
            if self.maximum is not None and len(text) > self.maximum:
                raise ServiceError(
                    f"“{self.label}”不能超过 {self.maximum} 字（现为 {len(text)} 字）。", field=self.name
                )
            return text
        if raw in (None, "", [], ()):
            if self.required:
                raise ServiceError(f"请填写“{self.label}”。", field=self.name)
            return [] if self.kind in ("files", "choices") else (False if self.kind == "flag" else None)
        return getattr(self, f"_clean_{self.kind}")(raw, matter)

    def _clean_integer(self, raw: Any, matter: Any) -> int:
        if isinstance(raw, bool):
            raise ServiceError(f"“{self.label}”须为整数。", field=self.name)
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise ServiceError(f"“{self.label}”须为整数。", field=self.name) from None
        if self.minimum is not None and value < self.minimum:
            raise ServiceError(f"“{self.label}”不能小于 {self.minimum}。", field=self.name)
        if self.maximum is not None and value > self.maximum:
            raise ServiceError(f"“{self.label}”不能大于 {self.maximum}。", field=self.name)
        return value

    def _clean_date(self, raw: Any, matter: Any) -> datetime.date:
        if isinstance(raw, datetime.datetime):
            raw = raw.date()
        if not isinstance(raw, datetime.date):
            # Only YYYY-MM-DD: fromisoformat alone would also take 20261130 (or a number).
            text = raw.strip() if isinstance(raw, str) else ""
            try:
                if not ISO_DATE.fullmatch(text):
                    raise ValueError(text)
                raw = datetime.date.fromisoformat(text)
            except ValueError:
                raise ServiceError(
                    f"“{self.label}”日期格式不正确，例如 2026-03-01。", field=self.name
                ) from None
        first, last = date_range()
        if not first <= raw <= last:
            raise ServiceError(f"“{self.label}”须在 {first} 至 {last} 之间。", field=self.name)
        return raw

    def _clean_choice(self, raw: Any, matter: Any) -> str:
        value = str(raw)
        if value not in {v for v, _ in self.options(matter)}:
            raise ServiceError(f"“{self.label}”的选项不正确。", field=self.name)
        return value

    def _clean_choices(self, raw: Any, matter: Any) -> list[str]:
        values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
        allowed = [v for v, _ in self.options(matter)]
        if values is None or any(str(v) not in allowed for v in values):
            raise ServiceError(f"“{self.label}”的选项不正确。", field=self.name)
        # In the declared order, each once: the same choice ticked twice is one.
        return [v for v in allowed if v in {str(v) for v in values}]

    def _clean_record(self, raw: Any, matter: Any) -> Any:
        assert self.records is not None, f"record input {self.name} declares no records"
        pk = getattr(raw, "pk", raw)
        try:
            pk = int(str(pk).strip()) if not isinstance(pk, bool) else None
        except ValueError:
            pk = None
        found = self.records(matter).filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise ServiceError(f"“{self.label}”不存在或不可选。", field=self.name)
        return found

    def _clean_flag(self, raw: Any, matter: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in {"1", "true", "on", "yes"}:
            return True
        if str(raw).lower() in {"0", "false", "off", "no"}:
            return False
        raise ServiceError(f"“{self.label}”须为是或否。", field=self.name)

    def _clean_files(self, raw: Any, matter: Any) -> list[Any]:
        # Content is checked when stored (procedures.uploads.check_upload), which names the file.
        files = list(raw) if isinstance(raw, list | tuple) else [raw]
        if len(files) > MAX_FILES_PER_FORM:
            raise ServiceError(f"“{self.label}”一次最多上传 {MAX_FILES_PER_FORM} 个文件。", field=self.name)
        if any(not hasattr(f, "read") for f in files):
            raise ServiceError(f"“{self.label}”须为上传的文件。", field=self.name)
        return files

    # ------------------------------------------------------------------------- form and serializer

    def form_field(self, matter: Any = None) -> forms.Field:
        # Never required at the form: the runner refuses a missing value with a message naming it.
        common: dict[str, Any] = {"label": self.label, "required": False, "help_text": self.help}
        if self.kind in TEXT_KINDS:
            widget = forms.Textarea(attrs={"rows": 4}) if self.kind == "long" else None
            return forms.CharField(widget=widget, strip=False, **common)
        if self.kind == "integer":
            return forms.IntegerField(min_value=self.minimum, max_value=self.maximum, **common)
        if self.kind == "date":
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": "日期格式不正确，例如 2026-03-01。"},
                **common,
            )
        if self.kind == "choice":
            return forms.ChoiceField(choices=[("", "请选择"), *self.options(matter)], **common)
        if self.kind == "choices":
            return forms.MultipleChoiceField(
                choices=self.options(matter), widget=forms.CheckboxSelectMultiple, **common
            )
        if self.kind == "flag":
            return forms.BooleanField(**{**common, "required": False})
        if self.kind == "record":
            return forms.IntegerField(min_value=1, **common)
        return MultipleFileField(**common)

    def serializer_field(self) -> serializers.Field:
        common: dict[str, Any] = {
            "label": self.label,
            "required": self.required,
            "help_text": self.help or None,
        }
        if self.kind in TEXT_KINDS:
            return serializers.CharField(allow_blank=not self.required, trim_whitespace=False, **common)
        if self.kind == "integer":
            return serializers.IntegerField(min_value=self.minimum, max_value=self.maximum, **common)
        if self.kind == "date":
            return serializers.DateField(**common)
        if self.kind == "choice":
            # Choices may depend on the matter; the schema lists the static ones, the runner checks.
            static = [] if callable(self.choices) else list(self.choices)
            return (
                serializers.ChoiceField(choices=static, **common)
                if static
                else serializers.CharField(**common)
            )
        if self.kind == "choices":
            static = [] if callable(self.choices) else list(self.choices)
            child = serializers.ChoiceField(choices=static) if static else serializers.CharField()
            return serializers.ListField(child=child, allow_empty=not self.required, **common)
        if self.kind == "flag":
            return serializers.BooleanField(**{**common, "required": False})
        if self.kind == "record":
            return serializers.IntegerField(min_value=1, allow_null=not self.required, **common)
        return serializers.ListField(child=serializers.FileField(), allow_empty=not self.required, **common)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if len(items) > MAX_FILES_PER_FORM:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES_PER_FORM} 个文件。")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def form_class(inputs: Sequence[Input], matter: Any = None) -> type[forms.Form]:
    """A Django form for the inputs (types only; the runner validates)."""
    attrs: dict[str, Any] = {i.name: i.form_field(matter) for i in inputs}
    return type("StepForm", (forms.Form,), attrs)


def serializer_class(name: str, inputs: Sequence[Input]) -> type[serializers.Serializer]:
    """A DRF serializer for the inputs, named for the schema (e.g. FilingsAcceptInput)."""
    attrs: dict[str, Any] = {i.name: i.serializer_field() for i in inputs}
    return type(name, (serializers.Serializer,), attrs)
