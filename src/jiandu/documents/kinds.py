"""The registry of document kinds (文书种类) and the filling of their texts from a context.

A kind is data: a code, a Chinese title, the numbering family its 文号 belongs to, and its body
paragraphs with `{placeholders}`. Every kind shares one letter frame (机关名称 and title centred,
文号, addressee, body, closing, seal placeholder, agency name and date at the bottom right), so a
new kind is a `register(DocumentKind(...))` call, not new rendering code. Apps that issue their
own documents register their kinds the same way.

The frame's own keys (`agency_name`, `number`, `addressee`, `issued_on`) and every placeholder in
the body must be in the context; a missing or blank one is a `MissingContext` error naming it.
Values are text, whole numbers or dates (written 2025年3月5日, as GB/T 9704 has it). Text values are
phrases: the template supplies the sentence's closing 。, so a 。，；、 the caller ends with is dropped.
"""

from __future__ import annotations

import datetime
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jiandu.core.errors import ServiceError

# Keys the letter frame itself uses, whatever the kind.
FRAME_KEYS = ("agency_name", "number", "addressee", "issued_on")
SEAL_PLACEHOLDER = "（印章）"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
# Punctuation a phrase may end with that the template's own 。 would double.
_TRAILING_PUNCTUATION = "。，；、"


class MissingContext(ServiceError):
    """A document's context lacks keys its kind needs (or gives them blank)."""

    code = "missing_context"

    def __init__(self, kind: DocumentKind, keys: list[str]) -> None:
        super().__init__(f"文书「{kind.title}」缺少必填内容：{'、'.join(keys)}", field=keys[0])
        self.keys = keys


def _placeholders(template: str) -> list[str]:
    return [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]


def format_value(value: Any) -> str:
    """A context value as it is written in a document; dates as 2025年3月5日."""
    if isinstance(value, datetime.datetime):
        raise TypeError("documents name days, not moments: pass a datetime.date")
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(
            f"a document value must be text, a whole number or a date, not {type(value).__name__}"
        )
    return str(value).strip().rstrip(_TRAILING_PUNCTUATION).rstrip()


def _blank(value: Any) -> bool:
    return value is None or (
        isinstance(value, str) and value.strip().rstrip(_TRAILING_PUNCTUATION).strip() == ""
    )


@dataclass(frozen=True)
class DocumentText:
    """A document's text, filled in and ready to lay out; both renderers take this."""

    code: str
    title: str
    agency_name: str
    number: str
    addressee: str
    body: tuple[str, ...]
    closing: str
    issued_on: datetime.date

    @property
    def date_line(self) -> str:
        """The date of issue as it is written under the agency's name."""
        return format_value(self.issued_on)


@dataclass(frozen=True)
class DocumentKind:
    """One kind of official document: what it is called, how it is numbered and what it says.

    family: the 文号's middle part ("投诉" in 某局投诉〔2025〕3号); kinds of one family share one
    number sequence per agency and year.
    body: paragraphs, each a `str.format` template over plain `{name}` placeholders; one of them
    must cite the rule applied (`{citation}`), since a document that decides states its basis.
    """

    code: str
    title: str
    family: str
    body: tuple[str, ...]
    closing: str = "特此告知。"
    required_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.code):
            raise ValueError(f"document kind code {self.code!r} is not a lower-case identifier")
        names: list[str] = []
        for paragraph in self.body:
            for name in _placeholders(paragraph):
                # Only plain names: "{a.b}" or "{a[0]}" would reach into the values' attributes.
                if not _IDENTIFIER.fullmatch(name):
                    raise ValueError(f"kind {self.code}: placeholder {{{name}}} is not a plain name")
                if name not in names:
                    names.append(name)
        if "citation" not in names:
            raise ValueError(f"kind {self.code}: the body must cite the rule applied ({{citation}})")
        keys = tuple(dict.fromkeys([*FRAME_KEYS, *names]))
        object.__setattr__(self, "required_keys", keys)

    def missing(self, context: Mapping[str, Any], *, exclude: tuple[str, ...] = ()) -> list[str]:
        """The required keys that the context lacks or gives blank, in template order."""
        return [key for key in self.required_keys if key not in exclude and _blank(context.get(key))]

    def compose(self, context: Mapping[str, Any]) -> DocumentText:
        """Fill the frame and the body from the context; raises MissingContext or ServiceError."""
        missing = self.missing(context)
        if missing:
            raise MissingContext(self, missing)
        issued_on = context["issued_on"]
        if not isinstance(issued_on, datetime.date) or isinstance(issued_on, datetime.datetime):
            raise ServiceError(f"文书「{self.title}」的成文日期须为日期", field="issued_on")
        values: dict[str, str] = {}
        for key in self.required_keys:
            try:
                values[key] = format_value(context[key])
            except TypeError as exc:
                raise ServiceError(f"文书「{self.title}」的内容 {key} 无法写入：{exc}", field=key) from None
        return DocumentText(
            code=self.code,
            title=self.title,
            agency_name=values["agency_name"],
            number=values["number"],
            addressee=values["addressee"],
            body=tuple(paragraph.format_map(values) for paragraph in self.body),
            closing=self.closing,
            issued_on=issued_on,
        )


_REGISTRY: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    """Add a kind to the registry; a code can be registered once."""
    if kind.code in _REGISTRY:
        raise ValueError(f"document kind {kind.code!r} is already registered")
    _REGISTRY[kind.code] = kind
    return kind


def get_kind(code: str) -> DocumentKind:
    """The registered kind with this code; ServiceError when there is none."""
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ServiceError(f"没有这一文书种类：{code}", field="kind", code="unknown_kind") from None


def all_kinds() -> list[DocumentKind]:
    """Every registered kind, in registration order."""
    return list(_REGISTRY.values())


# The complaints procedure (投诉举报). Each letter answers one complaint, named by its tracking
# code (查询码), so that an anonymous complainant, addressed as 投诉举报人, can match it.
_RECEIVED = "你（单位）于{received_on}提出的投诉举报（查询码：{tracking_code}）"

register(
    DocumentKind(
        code="complaint_acceptance",
        title="投诉举报受理通知书",
        family="投诉",
        body=(
            _RECEIVED + "已收悉。经审查，该投诉举报符合受理条件，本机关决定予以受理。",
            # promise: "并于2026年1月5日前将处理结果告知你（单位）" where a period runs, else a
            # promise without a date (no rule sets one).
            "本机关将依照{citation}的规定调查处理，{promise}。办理期间，你（单位）可以凭查询码查询办理进展。",
        ),
        closing="特此通知。",
    )
)
register(
    DocumentKind(
        code="complaint_rejection",
        title="投诉举报不予受理告知书",
        family="投诉",
        body=(
            _RECEIVED + "已收悉。经审查，{reasons}。",
            "依照{citation}的规定，本机关决定不予受理。",
            "{recourse}。",
        ),
    )
)
register(
    DocumentKind(
        code="complaint_referral",
        title="投诉举报转送告知书",
        family="投诉",
        body=(
            _RECEIVED + "已收悉。经审查，{reasons}。",
            "依照{citation}的规定，本机关已于{referred_on}将该投诉举报转送{referred_to}办理，"
            "请你（单位）今后就该事项与该机关联系。",
        ),
    )
)
register(
    DocumentKind(
        code="complaint_extension",
        title="投诉举报延期告知书",
        family="投诉",
        body=(
            _RECEIVED
            + "，本机关已于{accepted_on}受理，原定于{due_date}前办结。因{reasons}，不能在原定期限内办结。",
            "依照{citation}的规定，经批准，办理期限延长至{new_due_date}。"
            "本机关将在延长的期限内将处理结果告知你（单位）。",
        ),
    )
)
register(
    DocumentKind(
        code="complaint_result",
        title="投诉举报处理结果告知书",
        family="投诉",
        body=(
            _RECEIVED + "，本机关已于{accepted_on}受理，现已办理完毕。",
            # finding: the conclusion (查证属实 …); findings: what the handler tells the complainant.
            "经调查核实，查处结论为“{finding}”：{findings}。",
            "依照{citation}的规定，本机关作出如下处理：{decision}。",
            "{recourse}。",
        ),
    )
)
