"""Load, validate and query jurisdiction rule profiles.

Rules are data: `profiles/<code>.yaml` holds one seed jurisdiction's periods, thresholds, units,
approvers, lists and flags, each with the clause of the seed it comes from (`seeds/*.txt`, shipped
unchanged). Code asks a `Profile` (`profile.period("complaint.handling")`) and never hard-codes a
period. Every key is declared once in `catalogue.yaml`, so that the same idea has the same key
in every profile.

This module does not touch the database: `jiandu.orgs.profiles` stores the resolved documents
and finds the profile an agency follows.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import yaml

from jiandu.core.errors import ServiceError

from . import national as national_texts
from .schema import CATALOGUE_SCHEMA, PERIOD_UNITS, PROFILE_SCHEMA, ROLES, RULE_KINDS, UNIT_KINDS

PACKAGE_DIR = Path(__file__).resolve().parent
SEEDS_DIR = PACKAGE_DIR / "seeds"
PROFILES_DIR = PACKAGE_DIR / "profiles"
CATALOGUE_FILE = PACKAGE_DIR / "catalogue.yaml"


# --------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file: which file, where in it (a `/`-separated path), what."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class ProfileError(Exception):
    """A profile or the catalogue failed validation; `problems` lists every fault found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RuleMissing(ServiceError, LookupError):
    """The profile does not state this rule: its seed is silent on it."""

    code = "rule_missing"

    def __init__(self, profile: Profile, key: str) -> None:
        self.profile_code = profile.code
        self.key = key
        label = catalogue().label(key)
        super().__init__(
            f"规则配置“{profile.name}”（{profile.code}）没有规定“{label}”（{key}）：其依据的制度对此未作规定。"
        )


class UnknownRuleKey(LookupError):
    """The key is not in the catalogue at all: a mistake in the calling code, not in the data."""


class RuleKindError(TypeError):
    """The rule exists but is of another kind than the accessor asked for (e.g. `period()` on a list)."""


# --------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a seed system's article and the clause quoted, or a national law.

    `str()` is the citation as a person writes it: 《title》article, the title being the system's
    full name (with its issuer where the system's own name does not say whose it is), never the
    file the text is kept in; `file` is for tools that check the quote.
    """

    article: str
    system: str = ""
    file: str = ""
    annex: str = ""
    quote: str = ""
    law: str = ""
    title: str = ""

    @property
    def is_seed(self) -> bool:
        return not self.law

    def __str__(self) -> str:
        return f"《{self.law or self.title or self.system}》{self.article}"


@dataclass(frozen=True)
class Period:
    """A statutory period: `amount` units ('workday' | 'day' | 'month') counted from `start`."""

    key: str
    label: str
    amount: int
    unit: str
    start: str
    citation: Citation
    note: str = ""

    def __str__(self) -> str:
        return f"{self.amount}{PERIOD_UNITS[self.unit]}"


@dataclass(frozen=True)
class RoleSpec:
    """Who approves or answers: a platform role (and others the seed's word covers) or an outside body."""

    title: str
    role: str = ""
    body: str = ""
    also: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        """Every platform role that may act; empty when an outside body acts."""
        return (self.role, *self.also) if self.role else ()

    def __str__(self) -> str:
        if self.body:
            return f"{self.body}（本机关以外）" if self.body == self.title else f"{self.body}（{self.title}）"
        names = "或".join(ROLES[r] for r in self.roles)
        return f"{names}（原文：{self.title}）"


@dataclass(frozen=True)
class UnitSpec:
    """A responsible unit: its kind (matching `orgs.Unit.Kind`, or `external`) and the seed's name for it."""

    unit_kind: str
    name: str
    organ: str = ""  # for an external unit: "government" or "supervisory" (schema.ORGANS)

    def __str__(self) -> str:
        return f"{self.name}（{UNIT_KINDS[self.unit_kind]}）"


@dataclass(frozen=True)
class Rule:
    """One rule of a profile; `value` by kind: Period, int, RoleSpec, UnitSpec, tuple[str, ...], bool, str."""

    key: str
    kind: str
    label: str
    value: Any
    citation: Citation
    see_also: tuple[Citation, ...] = ()
    note: str = ""
    measure: str = ""
    # Which layer the rule came from when profiles are composed: a profile's code or "national".
    layer: str = ""

    def display(self) -> str:
        """The value as a Chinese reader expects it (30日、5个工作日、2次、10000元 …)."""
        if self.kind == "period":
            return f"{self.value}（自{self.value.start}起算）"
        if self.kind in ("count", "threshold"):
            return f"{self.value}{self.measure}"
        if self.kind == "list":
            return "；".join(self.value)
        if self.kind == "flag":
            return "是" if self.value else "否"
        return str(self.value)

    def citations(self) -> tuple[Citation, ...]:
        return (self.citation, *self.see_also)


@dataclass(frozen=True)
class System:
    """One regulation (制度) inside a seed file, with its attachment number in the issuing notice."""

    title: str
    annex: str = ""


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's rules, immutable. Ask it; do not hard-code what it says."""

    code: str
    name: str
    issuers: tuple[str, ...]
    rules: Mapping[str, Rule]
    digest: str
    document_title: str = ""
    document_number: str = ""
    document_date: str = ""
    seed: str = ""
    seed_sha256: str = ""
    applies_to: str = ""
    systems: tuple[System, ...] = ()
    notes: tuple[str, ...] = ()
    inherits: tuple[str, ...] = ()
    # Set on a composed profile (`compose`): its layers, highest precedence first, and the rules
    # two layers state differently, with the one kept.
    layers: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    _canonical: str = field(default="", repr=False, compare=False)

    def __hash__(self) -> int:
        return hash((self.code, self.digest))

    def has(self, key: str) -> bool:
        catalogue().check_key(key)
        return key in self.rules

    def rule(self, key: str) -> Rule:
        """The rule for `key`; RuleMissing when the seed is silent, UnknownRuleKey for an undeclared key."""
        catalogue().check_key(key)
        try:
            return self.rules[key]
        except KeyError:
            raise RuleMissing(self, key) from None

    def period(self, key: str) -> Period:
        rule = self.rule(key)
        if rule.kind != "period":
            raise RuleKindError(f"{self.code}: {key} 是“{RULE_KINDS[rule.kind]}”，不是期限。")
        return rule.value

    def value(self, key: str) -> Any:
        return self.rule(key).value

    def as_document(self) -> dict[str, Any]:
        """The resolved document (a fresh copy): what the database stores and `load_document` reads."""
        if not self._canonical:
            raise TypeError(f"{self.code} is composed of layers; store its layers, not it")
        return json.loads(self._canonical)

    def local_keys(self, domain: str) -> list[str]:
        """Keys of a domain (complaint, case …) that a local layer states, not the national one."""
        return [k for k, r in self.rules.items() if k.split(".", 1)[0] == domain and r.layer != NATIONAL]


@dataclass(frozen=True)
class Conflict:
    """One rule two layers state differently: which layer's rule applies and why."""

    key: str
    kept: Rule
    overridden: tuple[Rule, ...]
    reason: str

    def __str__(self) -> str:
        others = "；".join(f"{r.layer}：{r.display()}（{r.citation}）" for r in self.overridden)
        return (
            f"{self.kept.label}（{self.key}）：适用{self.kept.layer}：{self.kept.display()}"
            f"（{self.kept.citation}）；不适用 {others}。理由：{self.reason}"
        )


# --------------------------------------------------------------------------------------------
# Text helpers


def normalize(text: str) -> str:
    """Collapse every run of whitespace (line breaks, full-width and no-break spaces) into one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _squeezed(text: str) -> str:
    # Titles may be broken over lines in the seed (附件3 of 000); compare them without any spaces.
    return "".join(text.split())


def canonical_json(document: Mapping[str, Any]) -> str:
    """The one serialisation the digest is taken over: sorted keys, no spaces, UTF-8 text kept."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document_digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@functools.cache
def _seed_text(name: str) -> str | None:
    path = SEEDS_DIR / name
    if "/" in name or not path.is_file():
        return None
    return normalize(path.read_text(encoding="utf-8"))


@functools.cache
def _seed_sha256(name: str) -> str:
    return hashlib.sha256((SEEDS_DIR / name).read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# YAML and schema


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML would keep the last one silently) and keeps
    dates as text (the schema wants "2021-05-12" as a string, not a datetime.date)."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_unique_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"重复的键 {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_StrictLoader), []  # noqa: S506 (a SafeLoader subclass)
    except OSError as exc:
        return None, [Problem(path.name, "", f"无法读取：{exc.strerror}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path.name, "", f"YAML 格式错误：{exc}")]


def _schema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's messages, said in Chinese for the validators the profile schema uses."""
    value = error.validator_value
    if error.validator == "required":
        missing = [name for name in value if name not in error.instance]
        return f"缺少必填项 {', '.join(missing)}"
    if error.validator == "dependentRequired":
        needs = [
            f"有 {name} 时须同时写 {', '.join(d for d in deps if d not in error.instance)}"
            for name, deps in value.items()
            if name in error.instance and any(d not in error.instance for d in deps)
        ]
        return "；".join(needs)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"不认识的字段 {', '.join(extra)}"
    if error.validator == "enum":
        return f"{error.instance!r} 不是允许的值（允许：{', '.join(map(str, value))}）"
    if error.validator == "type":
        return f"类型应为 {value}，实为 {type(error.instance).__name__}"
    if error.validator == "minimum":
        return f"不得小于 {value}（实为 {error.instance!r}）"
    if error.validator in ("minItems", "minLength", "minProperties"):
        return "不得为空"
    if error.validator == "pattern":
        return f"{error.instance!r} 格式不对（应符合 {value}）"
    if error.validator == "uniqueItems":
        return "有重复的项"
    if error.validator == "oneOf":
        # The profile schema's only oneOf: a role rule names a platform role or an outside body.
        return "role（平台角色）与 body（外部机关）须有且只有一个"
    return error.message


def _schema_problems(file: str, document: Any, schema: dict[str, Any]) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        parts = [str(p) for p in error.absolute_path]
        if "propertyNames" in error.schema_path:
            parts.append(str(error.instance))
            message = f"键 {error.instance!r} 格式不对：应为小写字母、数字、下划线，以点分段"
        else:
            message = _schema_message(error)
        problem = Problem(file, "/".join(parts), message)
        if problem not in problems:  # dependentRequired reports once per missing field
            problems.append(problem)
    return problems


# --------------------------------------------------------------------------------------------
# Catalogue


@dataclass(frozen=True)
class KeySpec:
    """One key of the shared vocabulary: its kind, Chinese label and English description."""

    key: str
    kind: str
    label: str
    description: str

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]


@dataclass(frozen=True)
class Catalogue:
    """The shared key vocabulary (`catalogue.yaml`), grouped by domain."""

    domains: Mapping[str, tuple[str, str]]  # domain -> (Chinese label, English description)
    keys: Mapping[str, KeySpec]

    def check_key(self, key: str) -> KeySpec:
        try:
            return self.keys[key]
        except KeyError:
            raise UnknownRuleKey(f"规则目录中没有键 {key!r}（见 jiandu/rules/catalogue.yaml）。") from None

    def label(self, key: str) -> str:
        spec = self.keys.get(key)
        return spec.label if spec else key

    def by_domain(self) -> Iterator[tuple[str, tuple[str, str], list[KeySpec]]]:
        for domain, texts in self.domains.items():
            yield domain, texts, [spec for spec in self.keys.values() if spec.domain == domain]


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    """Read and validate the key catalogue; ProfileError lists every fault."""
    data, problems = _read_yaml(path)
    if not problems:
        problems = _schema_problems(path.name, data, CATALOGUE_SCHEMA)
    if not problems:
        for key in data["keys"]:
            if key.split(".", 1)[0] not in data["domains"]:
                problems.append(Problem(path.name, f"keys/{key}", "键的第一段不是已声明的领域（domains）"))
    if problems:
        raise ProfileError(problems)
    return Catalogue(
        domains=MappingProxyType({d: (v["label"], v["description"]) for d, v in data["domains"].items()}),
        keys=MappingProxyType(
            {k: KeySpec(k, v["kind"], v["label"], v["description"]) for k, v in data["keys"].items()}
        ),
    )


@functools.cache
def catalogue() -> Catalogue:
    """The shipped catalogue (read once per process: it only changes with a release)."""
    return load_catalogue()


# --------------------------------------------------------------------------------------------
# Checks a schema cannot make


# How far past the start of a quote list items and names may stand: a list's lead-in is quoted and
# its items follow it in the article.
_ARTICLE_REACH = 800


def _cited_passages(seed: str, citations: list[Mapping[str, Any]]) -> list[str]:
    """The stretches of the seed a rule cites: each quote and what follows it within the article."""
    passages = []
    for citation in citations:
        quote = normalize(citation.get("quote", ""))
        start = seed.find(quote) if quote else -1
        while start != -1:
            passages.append(seed[start : start + len(quote) + _ARTICLE_REACH])
            start = seed.find(quote, start + 1)
    return passages


def _verbatim_problems(file: str, key: str, rule: Mapping[str, Any], seed: str) -> list[Problem]:
    """List items, text values and names must be the words of the cited clauses (or of the list that
    follows a quoted lead-in) unless the rule says otherwise in `verbatim: false` and a note."""
    if rule.get("verbatim", True) is False:
        return (
            []
            if rule.get("note")
            else [Problem(file, f"rules/{key}/note", "verbatim: false 时须在 note 中说明理由")]
        )
    words: list[tuple[str, str]] = []
    kind = rule["kind"]
    if kind == "list":
        words = [(f"items/{i}", item) for i, item in enumerate(rule["items"])]
    elif kind == "text":
        words = [("value", rule["value"])]
    elif kind == "unit":
        words = [("name", rule["name"])]
    elif kind == "role":
        words = [("title", rule["title"])] + ([("body", rule["body"])] if "body" in rule else [])
    passages = _cited_passages(seed, [rule["citation"], *rule.get("see_also", [])])
    return [
        Problem(
            file,
            f"rules/{key}/{where}",
            f"{text!r} 不是所引条文中的字样（如系概括，请设 verbatim: false 并在 note 说明）",
        )
        for where, text in words
        if not any(normalize(text) in passage for passage in passages)
    ]


def _citation_problems(
    file: str, where: str, citation: Mapping[str, Any], *, own_seed: str | None, systems: set[str] | None
) -> list[Problem]:
    """A seed citation must name a shipped seed (the profile's own, for a source file), one of its
    systems, and quote it word for word (whitespace collapsed)."""
    if "law" in citation:
        problem = national_texts.citation_problem(
            citation["law"], citation["article"], citation.get("quote", "")
        )
        return [Problem(file, f"{where}/quote", problem)] if problem else []
    problems = []
    name = citation.get("file") or own_seed
    if name is None:
        return [Problem(file, f"{where}/file", "未指明所引原文文件，且本配置没有 seed")]
    if own_seed is not None and name != own_seed:
        problems.append(Problem(file, f"{where}/file", f"只能引用本配置的原文 {own_seed}，不能引用 {name}"))
    seed = _seed_text(name)
    if seed is None:
        return [*problems, Problem(file, f"{where}/file", f"原文文件 {name} 不存在于 jiandu/rules/seeds/")]
    if systems is not None and citation["system"] not in systems:
        problems.append(
            Problem(file, f"{where}/system", f"“{citation['system']}”不是本配置 systems 中列出的制度")
        )
    elif _squeezed(citation["system"]) not in _squeezed(seed):
        problems.append(
            Problem(file, f"{where}/system", f"制度名称“{citation['system']}”在原文 {name} 中找不到")
        )
    if normalize(citation["quote"]) not in seed:
        problems.append(
            Problem(file, f"{where}/quote", f"引文不是原文 {name} 中的原话：{citation['quote']!r}")
        )
    return problems


def _semantic_problems(file: str, document: Mapping[str, Any], *, source: bool) -> list[Problem]:
    """Checks beyond the schema. `source` is True for a data file (which must cite only its own seed
    and systems) and False for a resolved document (which may carry rules inherited from a base)."""
    problems: list[Problem] = []
    cat = catalogue()
    own_seed = document.get("seed")
    systems = {s["title"] for s in document.get("systems", [])}
    seed_text = _seed_text(own_seed) if own_seed else None
    if own_seed:
        if seed_text is None:
            problems.append(Problem(file, "seed", f"原文文件 {own_seed} 不存在于 jiandu/rules/seeds/"))
        elif _seed_sha256(own_seed) != document["seed_sha256"]:
            problems.append(
                Problem(file, "seed_sha256", f"与原文文件 {own_seed} 的 SHA-256 不符：原文被改动或配置未更新")
            )
        else:
            for i, title in enumerate(s["title"] for s in document["systems"]):
                if _squeezed(title) not in _squeezed(seed_text):
                    problems.append(Problem(file, f"systems/{i}/title", f"制度名称“{title}”在原文中找不到"))
    if source and "inherits" in document:
        problems.append(Problem(file, "inherits", "inherits 由载入程序生成；数据文件中请用 extends"))
    for key, rule in document["rules"].items():
        spec = cat.keys.get(key)
        if spec is None:
            problems.append(
                Problem(
                    file,
                    f"rules/{key}",
                    "键不在规则目录 catalogue.yaml 中（先在目录中登记，写明中文名称和英文说明）",
                )
            )
            continue
        if rule["kind"] != spec.kind:
            problems.append(
                Problem(file, f"rules/{key}/kind", f"目录规定此键为 {spec.kind}，这里写成了 {rule['kind']}")
            )
        citations = [("citation", rule["citation"])] + [
            (f"see_also/{i}", c) for i, c in enumerate(rule.get("see_also", []))
        ]
        for where, citation in citations:
            problems += _citation_problems(
                file,
                f"rules/{key}/{where}",
                citation,
                own_seed=own_seed if source else None,
                systems=systems if source else None,
            )
        cited = rule["citation"]
        if "law" not in cited:
            text = _seed_text(cited.get("file") or own_seed or "")
            if text is not None:
                problems += _verbatim_problems(file, key, rule, text)
    return problems


# --------------------------------------------------------------------------------------------
# Loading


def _profile_file(code: str, directory: Path) -> Path:
    return directory / f"{code}.yaml"


def available_profiles(directory: Path | None = None) -> list[str]:
    """Codes of the profiles shipped (or found in `directory`), sorted."""
    return sorted(p.stem for p in (directory or PROFILES_DIR).glob("*.yaml"))


def _load_source(
    code: str, directory: Path, chain: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """Read and check one data file and, through `extends`, its bases; return the resolved document."""
    path = _profile_file(code, directory)
    if code in chain:
        return {}, [Problem(path.name, "extends", f"extends 形成循环：{' → '.join((*chain, code))}")]
    if not path.is_file():
        where = Problem(f"{chain[-1]}.yaml", "extends", f"基础配置 {code} 不存在") if chain else None
        return {}, [where or Problem(path.name, "", "规则配置文件不存在")]
    data, problems = _read_yaml(path)
    if problems:
        return {}, problems
    problems = _schema_problems(path.name, data, PROFILE_SCHEMA)
    if problems:
        return {}, problems
    if data["code"] != code:
        problems.append(Problem(path.name, "code", f"代码 {data['code']!r} 与文件名 {code!r} 不一致"))
    problems += _semantic_problems(path.name, data, source=True)
    base: dict[str, Any] = {}
    if "extends" in data:
        base, base_problems = _load_source(data["extends"], directory, (*chain, code))
        problems += base_problems
    if problems:
        return {}, problems
    return _resolve(data, base), []


def cite_as(system: Mapping[str, Any], issuers: list[str]) -> str:
    """The title a person cites a system by: its `cite_as`, else the issuer's name and the system's
    (荆州市公共资源交易监督管理局行政执法投诉举报制度), since several seeds have systems of one name."""
    return system.get("cite_as") or f"{issuers[0]}{system['title']}"


def _resolve(data: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Merge a data file over its resolved base (the seed's rule always wins) and fill the defaults:
    the label from the catalogue, the citation's file and annex from the profile's seed."""
    document = {k: copy.deepcopy(v) for k, v in data.items() if k not in ("extends", "rules")}
    if "extends" in data:
        document["inherits"] = [data["extends"], *base.get("inherits", [])]
    annexes = {s["title"]: s.get("annex") for s in data.get("systems", [])}
    titles = {s["title"]: cite_as(s, data["issuers"]) for s in data.get("systems", [])}
    own: dict[str, Any] = {}
    for key, rule in data["rules"].items():
        rule = copy.deepcopy(rule)
        rule.setdefault("label", catalogue().label(key))
        for citation in (rule["citation"], *rule.get("see_also", [])):
            if "law" not in citation:
                citation.setdefault("file", data["seed"])
                citation.setdefault("title", titles.get(citation["system"], citation["system"]))
                if annexes.get(citation["system"]):
                    citation.setdefault("annex", annexes[citation["system"]])
        own[key] = rule
    document["rules"] = {**base.get("rules", {}), **own}
    return document


def load_profile(code: str, *, directory: Path | None = None) -> Profile:
    """Load, validate and resolve the profile `code` from the shipped files (or `directory`)."""
    document, problems = _load_source(code, directory or PROFILES_DIR)
    if problems:
        raise ProfileError(problems)
    return _build(document)


def load_document(document: Mapping[str, Any]) -> Profile:
    """A Profile from a resolved document (as the database holds it), validated like a data file.

    A document that still says `extends` is resolved against the shipped profiles."""
    label = f"<规则配置 {document.get('code', '?')}>" if isinstance(document, Mapping) else "<规则配置>"
    problems = _schema_problems(label, document, PROFILE_SCHEMA)
    if not problems:
        problems = _semantic_problems(label, document, source=False)
    if problems:
        raise ProfileError(problems)
    resolved = dict(copy.deepcopy(document))
    if "extends" in resolved:
        base, base_problems = _load_source(resolved["extends"], PROFILES_DIR, (resolved["code"],))
        if base_problems:
            raise ProfileError(base_problems)
        resolved = _resolve(resolved, base)
    return _build(resolved)


def check_all(directory: Path | None = None) -> list[str]:
    """Validate the catalogue and every profile with its quotes; one line per problem, none if all is well."""
    problems: list[Problem] = []
    try:
        load_catalogue()
    except ProfileError as exc:
        return [str(p) for p in exc.problems]
    for code in available_profiles(directory):
        problems += _load_source(code, directory or PROFILES_DIR)[1]
    try:
        load_national()
    except ProfileError as exc:
        problems += exc.problems
    return [str(p) for p in problems]


# --------------------------------------------------------------------------------------------
# Building the immutable Profile


def _citation(data: Mapping[str, Any]) -> Citation:
    return Citation(
        **{
            name: data[name]
            for name in ("article", "system", "file", "annex", "quote", "law", "title")
            if name in data
        }
    )


def _rule(key: str, data: Mapping[str, Any]) -> Rule:
    kind = data["kind"]
    citation = _citation(data["citation"])
    label = data.get("label") or catalogue().label(key)
    note = data.get("note", "")
    value: Any
    if kind == "period":
        value = Period(key, label, data["amount"], data["unit"], data["start"], citation, note)
    elif kind == "role":
        value = RoleSpec(
            data["title"], data.get("role", ""), data.get("body", ""), tuple(data.get("also", ()))
        )
    elif kind == "unit":
        value = UnitSpec(data["unit_kind"], data["name"], data.get("organ", ""))
    elif kind == "list":
        value = tuple(data["items"])
    else:
        value = data["value"]
    return Rule(
        key=key,
        kind=kind,
        label=label,
        value=value,
        citation=citation,
        see_also=tuple(_citation(c) for c in data.get("see_also", ())),
        note=note,
        measure=data.get("measure", ""),
    )


def _build(document: dict[str, Any]) -> Profile:
    canonical = canonical_json(document)
    return Profile(
        code=document["code"],
        name=document["name"],
        issuers=tuple(document["issuers"]),
        rules=MappingProxyType({key: _rule(key, data) for key, data in sorted(document["rules"].items())}),
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        document_title=document.get("document_title", ""),
        document_number=document.get("document_number", ""),
        document_date=document.get("document_date", ""),
        seed=document.get("seed", ""),
        seed_sha256=document.get("seed_sha256", ""),
        applies_to=document.get("applies_to", ""),
        systems=tuple(System(s["title"], s.get("annex", "")) for s in document.get("systems", ())),
        notes=tuple(document.get("notes", ())),
        inherits=tuple(document.get("inherits", ())),
        _canonical=canonical,
    )


# --------------------------------------------------------------------------------------------
# The national layer and composition


NATIONAL = "national"
NATIONAL_FILE = national_texts.DIRECTORY / "national.yaml"
# Why national law prevails where a local rule states the same thing differently.
NATIONAL_PRECEDENCE = "上位法优先：法律、法规另有规定的，从其规定（如《行政执法监督制度》第十九条）"
LOCAL_PRECEDENCE = "本机关主要适用的规则配置优先于同时适用的其他规则配置"


def load_national(path: Path = NATIONAL_FILE) -> Profile:
    """Load and check the national layer: every rule cites a law and quotes it from the texts here."""
    data, problems = _read_yaml(path)
    if not problems:
        problems = _schema_problems(path.name, data, PROFILE_SCHEMA)
    if not problems:
        problems = _semantic_problems(path.name, data, source=True)
        problems += [
            Problem(path.name, f"rules/{key}/citation", "国家层只能引用法律、行政法规（law）")
            for key, rule in data["rules"].items()
            if "law" not in rule["citation"]
        ]
    if problems:
        raise ProfileError(problems)
    return _build(_resolve(data, {}))


@functools.cache
def national() -> Profile:
    """The shipped national layer (read once per process: it changes only with a release)."""
    return load_national()


def _same(a: Rule, b: Rule) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "period":  # the same length; the seeds word the start event each their own way
        return (a.value.amount, a.value.unit) == (b.value.amount, b.value.unit)
    return a.value == b.value


def compose(local: list[Profile], base: Profile | None = None) -> Profile:
    """One agency's rules: its local profiles (its own first) on the national layer `base`.

    National law prevails over every local rule that states the same key differently; among local
    profiles the first (the agency's own) prevails. Every such difference is kept in `conflicts`,
    and every rule knows its `layer`.
    """
    base = national() if base is None else base
    layered = [(p.code, p) for p in local] + [(NATIONAL, base)]
    rules: dict[str, Rule] = {}
    conflicts: list[Conflict] = []
    for key in sorted({k for _code, p in layered for k in p.rules}):
        candidates = [replace(p.rules[key], layer=code) for code, p in layered if key in p.rules]
        national_rule = next((r for r in candidates if r.layer == NATIONAL), None)
        kept = national_rule or candidates[0]
        differing = tuple(r for r in candidates if r is not kept and not _same(r, kept))
        if differing:
            reason = NATIONAL_PRECEDENCE if national_rule else LOCAL_PRECEDENCE
            conflicts.append(Conflict(key, kept, differing, reason))
        rules[key] = kept
    digest = hashlib.sha256("|".join(p.digest for _code, p in layered).encode()).hexdigest()
    return Profile(
        code="+".join(p.code for p in local) or NATIONAL,
        name="、".join(p.name for p in local) or base.name,
        issuers=tuple(dict.fromkeys(i for _code, p in layered for i in p.issuers)),
        rules=MappingProxyType(rules),
        digest=digest,
        systems=tuple(s for p in local for s in p.systems),
        notes=tuple(n for p in local for n in p.notes),
        layers=tuple(code for code, _p in layered),
        conflicts=tuple(conflicts),
    )
