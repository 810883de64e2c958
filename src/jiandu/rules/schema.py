"""JSON Schemas for rule profiles and the key catalogue, and the closed vocabularies they use.

A profile file (`profiles/<code>.yaml`) is checked against `PROFILE_SCHEMA` first; the loader then
checks what a schema cannot: that every key is in the catalogue with the catalogue's kind, that
every citation names a system of the profile's seed, and that every quote is verbatim in the seed.
The schema is plain data so that it can also be served or exported as a JSON file.
"""

from __future__ import annotations

from typing import Any

# Units a period may be counted in. A "N个工作日" is `workday`; "N日"/"N天" is `day`.
PERIOD_UNITS: dict[str, str] = {"workday": "个工作日", "day": "日", "month": "个月"}

# The platform roles of `jiandu.orgs.models.Role`, repeated here so that the loader stays free of
# Django models; a test keeps the two lists equal.
ROLES: dict[str, str] = {
    "case_handler": "办案人员",
    "legal_affairs": "法制工作人员",
    "principal_leader": "主要领导",
    "deputy_leader": "分管领导",
    "supervisor": "执法监督人员",
    "discipline_inspector": "纪检监察人员",
    "administrator": "系统管理员",
}

# Kinds of `jiandu.orgs.models.Unit`, plus `external` for a body outside the agency (区司法局,
# 纪检监察组, 司法机关 …), which code must look for among the supervising bodies, not the units.
UNIT_KINDS: dict[str, str] = {
    "legal_affairs": "法制机构",
    "personnel": "人事机构",
    "enforcement": "执法机构",
    "office": "办公室",
    "discipline": "纪检监察机构",
    "other": "其他内设机构",
    "external": "本机关以外的机关",
}

# Bodies outside an agency that a rule can name, as the org model finds them from the agency.
ORGANS: dict[str, str] = {"government": "本级人民政府（及其办公室）", "supervisory": "行政执法监督机关"}

RULE_KINDS: dict[str, str] = {
    "period": "期限",
    "count": "次数",
    "threshold": "数额标准",
    "role": "审批或责任角色",
    "unit": "承办机构",
    "list": "清单",
    "flag": "规定（是/否）",
    "text": "文字规定",
}

KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_CODE: dict[str, Any] = {"type": "string", "pattern": CODE_PATTERN}

# Fields every rule may carry, whatever its kind.
_COMMON_FIELDS: dict[str, Any] = {
    "kind": {"enum": list(RULE_KINDS)},
    "label": _TEXT,
    "citation": {"$ref": "#/$defs/citation"},
    "see_also": {"type": "array", "items": {"$ref": "#/$defs/citation"}, "minItems": 1},
    "note": _TEXT,
    # False when list items, text values or names are not copied word for word from the seed
    # (e.g. a sanction split out of a longer clause); the rule must then say why in `note`.
    "verbatim": {"type": "boolean"},
}

# kind -> (its own fields, which of them are required)
_KIND_FIELDS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "period": (
        {
            "amount": {"type": "integer", "minimum": 1},
            "unit": {"enum": list(PERIOD_UNITS)},
            # The event the period is counted from, in the seed's words (受理, 收到通知书 …).
            "start": _TEXT,
        },
        ["amount", "unit", "start"],
    ),
    "count": ({"value": {"type": "integer", "minimum": 1}, "measure": _TEXT}, ["value"]),
    "threshold": ({"value": {"type": "integer", "minimum": 0}, "measure": _TEXT}, ["value", "measure"]),
    "role": (
        {
            "role": {"enum": list(ROLES)},
            "body": _TEXT,
            # The seed's own word for the approver or responsible person (局主要领导, 负责人 …).
            "title": _TEXT,
            "also": {"type": "array", "items": {"enum": list(ROLES)}, "minItems": 1, "uniqueItems": True},
        },
        ["title"],
    ),
    "unit": (
        {
            "unit_kind": {"enum": list(UNIT_KINDS)},
            "name": _TEXT,
            # For an `external` unit: which body it is in the org model, seen from the agency — its
            # people's government (区政府办公室) or its supervisory body (区司法局).
            "organ": {"enum": list(ORGANS)},
        },
        ["unit_kind", "name"],
    ),
    "list": ({"items": {"type": "array", "items": _TEXT, "minItems": 1, "uniqueItems": True}}, ["items"]),
    "flag": ({"value": {"type": "boolean"}}, ["value"]),
    "text": ({"value": _TEXT}, ["value"]),
}


def _kind_branch(kind: str) -> dict[str, Any]:
    fields, required = _KIND_FIELDS[kind]
    then: dict[str, Any] = {
        "properties": {**_COMMON_FIELDS, **fields},
        "required": required,
        "additionalProperties": False,
    }
    if kind == "role":
        # Either a platform role or a named outside body approves; never both, never neither.
        then["oneOf"] = [
            {"required": ["role"], "not": {"required": ["body"]}},
            {"required": ["body"], "not": {"required": ["role"]}},
        ]
    return {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": then}


_SEED_CITATION: dict[str, Any] = {
    "properties": {
        "file": {"type": "string", "pattern": r"^[\w.-]+\.txt$"},
        "system": _TEXT,
        "annex": _TEXT,
        "article": _TEXT,
        "quote": _TEXT,
        # Written by the loader into a resolved document: the title the system is cited by.
        "title": _TEXT,
    },
    "required": ["system", "article", "quote"],
    "additionalProperties": False,
}

_LAW_CITATION: dict[str, Any] = {
    "properties": {"law": _TEXT, "article": _TEXT, "quote": _TEXT},
    "required": ["law", "article", "quote"],
    "additionalProperties": False,
}

PROFILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Jiandu jurisdiction rule profile",
    "type": "object",
    "required": ["code", "name", "issuers", "rules"],
    "additionalProperties": False,
    "properties": {
        "code": _CODE,
        "name": _TEXT,
        "issuers": {"type": "array", "items": _TEXT, "minItems": 1},
        "document_title": _TEXT,
        "document_number": _TEXT,
        "document_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "seed": {"type": "string", "pattern": r"^[\w.-]+\.txt$"},
        "seed_sha256": {"type": "string", "pattern": r"^[0-9a-f]{64}$"},
        "applies_to": _TEXT,
        "systems": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["title"],
                "additionalProperties": False,
                # cite_as: the full title people cite the system by, where the issuer's name and
                # the system's (the default) would not read right.
                "properties": {"title": _TEXT, "annex": _TEXT, "cite_as": _TEXT},
            },
        },
        "notes": {"type": "array", "items": _TEXT},
        "extends": _CODE,
        # Written by the loader into a resolved document: the chain of base profiles merged in.
        "inherits": {"type": "array", "items": _CODE},
        "rules": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": KEY_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/rule"},
        },
    },
    "dependentRequired": {"seed": ["seed_sha256", "systems"]},
    "$defs": {
        "citation": {
            "type": "object",
            "if": {"required": ["law"]},
            "then": _LAW_CITATION,
            "else": _SEED_CITATION,
        },
        "rule": {
            "type": "object",
            "required": ["kind", "citation"],
            "properties": {"kind": _COMMON_FIELDS["kind"]},
            "allOf": [_kind_branch(kind) for kind in RULE_KINDS],
        },
    },
}

CATALOGUE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Jiandu rule key catalogue",
    "type": "object",
    "required": ["domains", "keys"],
    "additionalProperties": False,
    "properties": {
        "domains": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "required": ["label", "description"],
                "additionalProperties": False,
                "properties": {"label": _TEXT, "description": _TEXT},
            },
        },
        "keys": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": KEY_PATTERN},
            "additionalProperties": {
                "type": "object",
                "required": ["kind", "label", "description"],
                "additionalProperties": False,
                "properties": {"kind": {"enum": list(RULE_KINDS)}, "label": _TEXT, "description": _TEXT},
            },
        },
    },
}
