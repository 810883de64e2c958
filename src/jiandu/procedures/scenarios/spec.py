"""A scenario file read and checked before anything runs (the format: docs/scenarios.md).

Every fault is reported at once, each naming its place in the file as a person finds it: the line
and the path, lists counted from 1 as the acts are (`第 12 行 acts[3].inputs.event_date：…`). A file
with faults runs nothing. What only running can tell (a refused step, a missing required input)
is an act's outcome, which its `expect:` may ask for, not a fault of the file.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils import timezone

from jiandu.orgs.models import Agency, Certificate, Person, Role, Unit
from jiandu.rules.loader import available_profiles

from ..registry import lookup

# Acts are dated in the platform's time zone (settings.TIME_ZONE), whatever the host's.
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")
# An act dated by its day alone happens at this hour (an office's working morning).
DEFAULT_HOUR = 9
PUBLIC, HOTLINE = "public", "hotline"
EXPECT_DEADLINE_KEYS = ("key", "due", "unit", "amount", "provisional", "citation", "state", "extension")
TEXT_KINDS = ("line", "short", "long")
# A date written relative to the day the file is run: `today`, `today-45`, `today+730` (days).
RELATIVE_DATE = re.compile(r"today\s*(?:([+-])\s*(\d{1,5}))?")
# The moment the file is run, for an act that happens "now" (on the real clock, not a patched one).
NOW = "now"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ScenarioError(Exception):
    """A file that cannot run, with every fault found (each a line for the reader)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    short_name: str = ""
    parent: str | None = None
    supervisor: str | None = None
    profile: str | None = None
    also: tuple[str, ...] = ()
    units: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CertificateSpec:
    number: str
    valid_from: datetime.date
    valid_to: datetime.date
    issuer: str
    status: str


@dataclass(frozen=True)
class PersonSpec:
    code: str
    name: str
    agency: str
    unit: str | None
    roles: tuple[str, ...]
    certificates: tuple[CertificateSpec, ...] = ()


@dataclass(frozen=True)
class RecordRef:
    """A row an act names by its code in the file's world: an agency's code or a person's."""

    kind: str  # "agency" or "person"
    code: str


@dataclass(frozen=True)
class FileSpec:
    """A file an act uploads: its name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Expect:
    """What an act should come to; only what is given is compared (None: not asked)."""

    ok: bool | None = True
    error: str | None = None
    message: str | None = None
    state: str | None = None
    # None: not asked; an empty tuple (written `[]`): the matter must have none.
    deadlines: tuple[dict[str, Any], ...] | None = None
    documents: tuple[str, ...] | None = None
    facts: tuple[tuple[str, Any], ...] = ()  # (attribute path of a declared fact, value)


@dataclass(frozen=True)
class ActSpec:
    number: int  # from 1
    at: datetime.datetime
    by: str
    step: str
    agency: str | None
    matter: int | None  # the number of the act whose matter this act takes
    label: str | None
    inputs: dict[str, Any]
    expect: Expect
    line: int
    live: bool = False  # written `now`: runs on the real clock, at the moment it is played


@dataclass(frozen=True)
class Scenario:
    path: Path
    title: str
    description: str
    agencies: tuple[AgencySpec, ...]
    people: tuple[PersonSpec, ...]
    acts: tuple[ActSpec, ...]
    # Some date is written relative to the day it runs (`today-3`, `now`): its outcomes move with
    # the calendar, so a profile's shipped scenarios may not be written so (rules check refuses).
    relative: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def profiles(self) -> set[str]:
        return {code for a in self.agencies for code in (a.profile, *a.also) if code}


# ------------------------------------------------------------------------------------- YAML reading


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (the second would silently win) and leaves dates
    and times as written, so that this module reads them and names the place of a wrong one.
    Anchors and merges (`&online`, `<<: *online`) work as in any YAML."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor`: the keys written beside it override the anchor's
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"键“{key}”重复", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


Path_ = tuple[str | int, ...]


def _node_lines(node: yaml.Node, path: Path_, out: dict[Path_, int], plain: dict[Path_, str]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _node_lines(value, (*path, str(key.value)), out, plain)
            out[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _node_lines(value, (*path, index), out, plain)
    elif isinstance(node, yaml.ScalarNode) and node.style is None:
        plain[path] = node.value  # as written: a phone number YAML reads as a number, say


def _read(path: Path) -> tuple[Any, dict[Path_, int], dict[Path_, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path.name}：无法读取（{exc}）"]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([f"{path.name}：文件为空"])
        lines: dict[Path_, int] = {}
        plain: dict[Path_, str] = {}
        _node_lines(node, (), lines, plain)
        return loader.construct_document(node), lines, plain
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            [f"{path.name} {where}：YAML 格式错误（{problem}）".replace(" ：", "：")]
        ) from None
    finally:
        loader.dispose()


# ----------------------------------------------------------------------------------------- checking


@dataclass
class _Reader:
    """Walks the parsed document, collecting faults with their places."""

    file: str
    lines: dict[Path_, int]
    plain: dict[Path_, str] = field(default_factory=dict)  # plain scalars as written
    # The day and moment the file is read, for dates written relative to them (`today-3`, `now`).
    now: datetime.datetime = field(default_factory=lambda: timezone.now().astimezone(LOCAL))
    relative: bool = False
    problems: list[str] = field(default_factory=list)

    def place(self, path: Path_) -> str:
        text = ""
        for part in path:
            text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        return f"{self.file} 第 {line} 行 {text}" if line else f"{self.file} {text}"

    def fault(self, path: Path_, message: str) -> None:
        self.problems.append(f"{self.place(path)}：{message}")

    def mapping(
        self, value: Any, path: Path_, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict:
        if not isinstance(value, dict):
            self.fault(path, "应为键值映射")
            return {}
        for key in value:
            if key not in allowed:
                self.fault((*path, str(key)), f"不认识的键；可用的键：{'、'.join(allowed)}")
        for key in required:
            if key not in value:
                self.fault(path, f"缺少“{key}”")
        return value

    def items(self, value: Any, path: Path_) -> Iterator[tuple[Path_, Any]]:
        if value is None:
            return
        if not isinstance(value, list):
            self.fault(path, "应为列表")
            return
        for index, item in enumerate(value):
            yield (*path, index), item

    def text(self, value: Any, path: Path_, *, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fault(path, "应为非空文字")
            return ""
        return value

    def choice(self, value: Any, path: Path_, choices: Any) -> str:
        allowed = [str(v) for v in choices.values]
        if value not in allowed:
            self.fault(path, f"“{value}”不是可选值；可选：{'、'.join(allowed)}")
        return str(value)

    def as_written(self, value: Any, path: Path_) -> str | None:
        """A text the file gives, as written even where YAML reads a number (`message: 12345`)."""
        if value is None or isinstance(value, str):
            return value
        return self.plain.get(path, str(value))

    def relative_date(self, text: str) -> datetime.date | None:
        """The day `today`, `today-45` or `today+730` names (None when `text` is none of them)."""
        found = RELATIVE_DATE.fullmatch(text.strip())
        if found is None:
            return None
        self.relative = True
        sign, days = found.groups()
        shift = datetime.timedelta(days=int(days or 0))  # period-literal-ok: a date as written, not a period
        today = self.now.date()
        return today - shift if sign == "-" else today + shift

    def date(self, value: Any, path: Path_) -> datetime.date:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        relative = self.relative_date(str(value))
        if relative is not None:
            return relative
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.fault(path, f"“{value}”不是日期，应写作 YYYY-MM-DD")
            return datetime.date.min

    def moment(self, value: Any, path: Path_) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, datetime.date):
            moment = datetime.datetime.combine(value, datetime.time(DEFAULT_HOUR))
        elif str(value).strip() == NOW:
            self.relative = True
            return self.now.replace(microsecond=0)
        else:
            text = str(value).strip()
            day, _, time = text.partition(" ")
            try:
                date = self.relative_date(day)
                if date is None and ISO_DAY.fullmatch(day):
                    date = datetime.date.fromisoformat(day)
                if date is not None:  # a bare date happens at DEFAULT_HOUR
                    clock = datetime.time.fromisoformat(time.strip()) if time.strip() else None
                    moment = datetime.datetime.combine(date, clock or datetime.time(DEFAULT_HOUR))
                else:
                    moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                self.fault(
                    path, f"“{value}”不是时间，应写作 YYYY-MM-DD HH:MM（北京时间；或 now、today-N HH:MM）"
                )
                return datetime.datetime.min.replace(tzinfo=LOCAL)
        return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment.astimezone(LOCAL)


def load(path: Path, *, profiles_dir: Path | None = None, now: datetime.datetime | None = None) -> Scenario:
    """The scenario in `path`; ScenarioError listing every fault when it cannot run.

    profiles_dir: the profiles its agencies may name (default: the shipped ones).
    now: the moment relative dates (`today-3`, `now`) count from (default: the real clock's).
    """
    document, lines, plain = _read(path)
    r = _Reader(path.name, lines, plain)
    if now is not None:
        r.now = now.astimezone(LOCAL)
    top = r.mapping(document, (), ("title", "description", "world", "acts"), ("title", "world", "acts"))
    title = r.text(top.get("title"), ("title",))
    description = r.text(top.get("description"), ("description",), required=False)
    world = r.mapping(top.get("world"), ("world",), ("agencies", "people"), ("agencies",))
    agencies = _agencies(r, world.get("agencies"), set(available_profiles(profiles_dir)))
    people = _people(r, world.get("people"), {a.code: a for a in agencies})
    acts = _acts(r, top.get("acts"), {a.code for a in agencies}, {p.code for p in people})
    if r.problems:
        raise ScenarioError(r.problems)
    return Scenario(
        path, title, description, tuple(agencies), tuple(people), tuple(acts), relative=r.relative
    )


def _agencies(r: _Reader, value: Any, profiles: set[str]) -> list[AgencySpec]:
    found: list[AgencySpec] = []
    for path, item in r.items(value, ("world", "agencies")):
        keys = ("code", "name", "short_name", "kind", "parent", "supervisor", "profile", "also", "units")
        data = r.mapping(item, path, keys, ("code", "name", "kind"))
        code = r.text(data.get("code"), (*path, "code"))
        if code in {a.code for a in found}:
            r.fault((*path, "code"), f"机关代号“{code}”重复")
        known = {a.code for a in found}
        for name in ("parent", "supervisor"):
            if data.get(name) is not None and data[name] not in known:
                r.fault((*path, name), f"“{data[name]}”不是上文已列出的机关代号")
        also = data.get("also") or []
        if not isinstance(also, list):
            r.fault((*path, "also"), "应为规则配置代号的列表")
            also = []
        named: list[tuple[Path_, Any]] = [((*path, "profile"), data.get("profile"))]
        named += [((*path, "also", n), c) for n, c in enumerate(also)]
        for where, profile in named:
            if profile is not None and profile not in profiles:
                r.fault(where, f"没有规则配置“{profile}”；现有：{'、'.join(sorted(profiles))}")
        units = []
        for unit_path, unit in r.items(data.get("units"), (*path, "units")):
            spec = r.mapping(unit, unit_path, ("name", "kind"), ("name", "kind"))
            units.append(
                (
                    r.text(spec.get("name"), (*unit_path, "name")),
                    r.choice(spec.get("kind"), (*unit_path, "kind"), Unit.Kind),
                )
            )
        found.append(
            AgencySpec(
                code=code,
                name=r.text(data.get("name"), (*path, "name")),
                kind=r.choice(data.get("kind"), (*path, "kind"), Agency.Kind),
                short_name=r.text(data.get("short_name"), (*path, "short_name"), required=False),
                parent=data.get("parent"),
                supervisor=data.get("supervisor"),
                profile=data.get("profile"),
                also=tuple(str(c) for c in also),
                units=tuple(units),
            )
        )
    return found


def _people(r: _Reader, value: Any, agencies: dict[str, AgencySpec]) -> list[PersonSpec]:
    found: list[PersonSpec] = []
    for path, item in r.items(value, ("world", "people")):
        data = r.mapping(
            item,
            path,
            ("code", "name", "agency", "unit", "roles", "certificates"),
            ("code", "name", "agency"),
        )
        code = r.text(data.get("code"), (*path, "code"))
        if code in (PUBLIC, HOTLINE) or code in {p.code for p in found}:
            r.fault((*path, "code"), f"人员代号“{code}”重复或为保留字（{PUBLIC}、{HOTLINE}）")
        agency = agencies.get(data.get("agency"))  # type: ignore[arg-type]
        if agency is None:
            r.fault((*path, "agency"), f"“{data.get('agency')}”不是上文已列出的机关代号")
        unit = data.get("unit")
        if unit is not None and agency is not None and unit not in {name for name, _kind in agency.units}:
            r.fault((*path, "unit"), f"机关“{agency.code}”没有内设机构“{unit}”")
        roles = [
            r.choice(role, rpath, Role) for rpath, role in r.items(data.get("roles") or [], (*path, "roles"))
        ]
        certificates = []
        for cpath, cert in r.items(data.get("certificates"), (*path, "certificates")):
            spec = r.mapping(
                cert,
                cpath,
                ("number", "valid_from", "valid_to", "issuer", "status"),
                ("number", "valid_from", "valid_to"),
            )
            certificates.append(
                CertificateSpec(
                    number=r.text(spec.get("number"), (*cpath, "number")),
                    valid_from=r.date(spec.get("valid_from"), (*cpath, "valid_from")),
                    valid_to=r.date(spec.get("valid_to"), (*cpath, "valid_to")),
                    issuer=r.text(spec.get("issuer"), (*cpath, "issuer"), required=False)
                    or (agency.name if agency else ""),
                    status=r.choice(
                        spec.get("status", Certificate.Status.VALID), (*cpath, "status"), Certificate.Status
                    ),
                )
            )
        found.append(
            PersonSpec(
                code=code,
                name=r.text(data.get("name"), (*path, "name")),
                agency=str(data.get("agency")),
                unit=unit,
                roles=tuple(roles),
                certificates=tuple(certificates),
            )
        )
    return found


def _acts(r: _Reader, value: Any, agencies: set[str], people: set[str]) -> list[ActSpec]:
    found: list[ActSpec] = []
    labels: dict[str, int] = {}
    origin: dict[int, int] = {}  # act number -> the number of the act that created its matter
    if not isinstance(value, list) or not value:
        r.fault(("acts",), "应为至少一幕的列表")
        return found
    for path, item in r.items(value, ("acts",)):
        number = int(path[-1]) + 1
        data = r.mapping(
            item,
            path,
            ("at", "by", "step", "agency", "matter", "as", "inputs", "expect"),
            ("at", "by", "step"),
        )
        at = r.moment(data.get("at"), (*path, "at"))
        live = str(data.get("at")).strip() == NOW
        if found and at < found[-1].at:
            r.fault((*path, "at"), f"早于上一幕（{found[-1].at:%Y-%m-%d %H:%M}）；各幕须按时间先后排列")
        by = str(data.get("by"))
        if by not in people and by not in (PUBLIC, HOTLINE):
            r.fault((*path, "by"), f"没有代号为“{by}”的人员（或 {PUBLIC}、{HOTLINE}）")
        name = str(data.get("step"))
        procedure: Any
        try:
            procedure, step = lookup(name)
        except KeyError:
            r.fault((*path, "step"), f"没有名为“{name}”的步骤；已登记的步骤见 jiandu scenario steps")
            procedure = step = None
        agency = data.get("agency")
        matter = _matter_ref(r, data.get("matter"), (*path, "matter"), labels, origin, number)
        if step is not None and step.creates:
            if agency not in agencies:
                r.fault((*path, "agency"), f"“{step.label}”须以 agency 指明上文已列出的机关代号")
            if "matter" in data:
                r.fault((*path, "matter"), f"“{step.label}”创建事项，不针对已有事项")
            origin[number] = number
        elif step is not None:
            if "matter" not in data:
                r.fault(path, f"“{step.label}”须以 matter 指明事项（@幕号，或某一幕 as 所起的名字）")
            if "agency" in data:
                r.fault((*path, "agency"), f"“{step.label}”针对已有事项，不另指机关")
            if matter is not None:
                origin[number] = matter
        label = data.get("as")
        if label is not None:
            if not isinstance(label, str) or label.startswith("@") or label in labels:
                r.fault((*path, "as"), f"名字“{label}”重复或以 @ 开头")
            elif number in origin:
                labels[label] = origin[number]
        found.append(
            ActSpec(
                number=number,
                at=at,
                by=by,
                step=name,
                agency=agency,
                matter=matter,
                label=label,
                inputs=_inputs(r, data.get("inputs"), (*path, "inputs"), step, agencies, people),
                expect=_expect(r, data.get("expect"), (*path, "expect"), procedure),
                line=r.lines.get(path, 0),
                live=live,
            )
        )
    return found


def _matter_ref(
    r: _Reader, value: Any, path: Path_, labels: dict[str, int], origin: dict[int, int], number: int
) -> int | None:
    """The number of the act that created the matter `value` names (`@2`, or a label given by `as`)."""
    if value is None:
        return None
    text = str(value)
    if text.startswith("@"):
        target = int(text[1:]) if text[1:].isdigit() else 0
        if not 0 < target < number or target not in origin:
            r.fault(path, f"“{text}”应指上文办理某一事项的一幕（@1 至 @{number - 1}）")
            return None
        return origin[target]
    if text not in labels:
        r.fault(path, f"上文没有名为“{text}”的事项（由某一幕的 as 命名）")
        return None
    return labels[text]


def _inputs(
    r: _Reader, value: Any, path: Path_, step: Any, agencies: set[str], people: set[str]
) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.fault(path, "应为键值映射")
        return {}
    if step is None:
        return dict(value)
    declared = {i.name: i for i in step.inputs}
    out: dict[str, Any] = {}
    for name, raw in value.items():
        spec = declared.get(name)
        if spec is None:
            r.fault((*path, str(name)), f"“{step.label}”不接受此项；可填：{'、'.join(declared) or '（无）'}")
            continue
        where = (*path, str(name))
        if spec.kind == "date" and raw is not None:
            out[name] = r.date(raw, where)
        elif spec.kind == "files":
            out[name] = _files(r, raw, where)
        elif spec.kind == "record" and isinstance(raw, str) and not raw.strip().isdigit():
            out[name] = _record(r, raw.strip(), where, spec, agencies, people)
        elif spec.kind in TEXT_KINDS and type(raw) in (int, float) and where in r.plain:
            out[name] = r.plain[where]  # digits YAML read as a number (a phone number): as written
        else:
            out[name] = raw
    return out


def record_kind(spec: Any) -> str | None:
    """Whether a record input takes agencies or people (None: neither, or it cannot be told)."""
    try:
        model = spec.records(None).model
    except Exception:  # a records function that needs its matter: told by the code alone
        return None
    return {Agency: "agency", Person: "person"}.get(model)


def _record(
    r: _Reader, code: str, path: Path_, spec: Any, agencies: set[str], people: set[str]
) -> RecordRef | None:
    """A row named as the file names it: an agency by its code, a person by theirs (the id the
    row gets is known only when the world is built; an id, written as a number, still works)."""
    kind = record_kind(spec)
    known = {"agency": agencies, "person": people}
    if kind is None:
        kinds = [k for k, codes in known.items() if code in codes]
        if len(kinds) == 1:
            return RecordRef(kinds[0], code)
        r.fault(path, f"“{code}”应为上文已列出的机关或人员代号（且不能两者同名）")
        return None
    if code not in known[kind]:
        what = "机关" if kind == "agency" else "人员"
        r.fault(path, f"没有代号为“{code}”的{what}（{spec.label}须写上文已列出的{what}代号，或其 id）")
        return None
    return RecordRef(kind, code)


def _files(r: _Reader, value: Any, path: Path_) -> list[FileSpec]:
    found = []
    for fpath, item in r.items(value if isinstance(value, list) else [value], path):
        data = r.mapping(item, fpath, ("name", "text"), ("name",))
        name = r.text(data.get("name"), (*fpath, "name"))
        text = data.get("text")
        if text is not None:
            found.append(FileSpec(name, str(text).encode("utf-8")))
        elif name.lower().endswith(".pdf"):
            found.append(FileSpec(name, tiny_pdf(name)))
        else:
            r.fault((*fpath, "text"), "除 .pdf（自动生成）外，文件须以 text 给出内容")
    return found


def tiny_pdf(title: str) -> bytes:
    """A minimal one-page PDF, enough for an upload check (the scenario's files are stand-ins)."""
    safe = "".join(ch for ch in title if ch.isascii() and ch.isalnum()) or "scenario"
    return f"%PDF-1.4\n% jiandu scenario file {safe}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".encode()


def _expect(r: _Reader, value: Any, path: Path_, procedure: Any) -> Expect:
    if value is None:
        return Expect()
    data = r.mapping(value, path, ("ok", "error", "message", "state", "deadlines", "documents", "facts"))
    ok = data.get("ok", not data.get("error"))
    if not isinstance(ok, bool):
        r.fault((*path, "ok"), "应为 true 或 false")
    deadlines = []
    for dpath, item in r.items(data.get("deadlines"), (*path, "deadlines")):
        spec = r.mapping(item, dpath, EXPECT_DEADLINE_KEYS)
        deadlines.append(
            {k: (r.date(v, (*dpath, k)).isoformat() if k == "due" else v) for k, v in spec.items()}
        )
    documents = [r.text(d, dpath) for dpath, d in r.items(data.get("documents"), (*path, "documents"))]
    return Expect(
        ok=bool(ok),
        error=r.as_written(data.get("error"), (*path, "error")),
        message=r.as_written(data.get("message"), (*path, "message")),
        state=r.as_written(data.get("state"), (*path, "state")),
        deadlines=tuple(deadlines) if data.get("deadlines") is not None else None,
        documents=tuple(documents) if data.get("documents") is not None else None,
        facts=_facts(r, data.get("facts"), (*path, "facts"), procedure),
    )


def _facts(r: _Reader, value: Any, path: Path_, procedure: Any) -> tuple[tuple[str, Any], ...]:
    """Expected values of the facts the procedure declares (what its pages show of a matter),
    each by its attribute path (`supervised`, `channel`, `target_agency.name`)."""
    if value is None or procedure is None:  # an unknown step is a fault of its own
        return ()
    declared = tuple(fact_path for _label, fact_path in procedure.facts)
    data = r.mapping(value, path, declared)
    return tuple((str(key), item) for key, item in data.items() if str(key) in declared)
