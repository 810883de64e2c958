"""An agency's rule profiles: loading the shipped files into `RuleProfile`, and the rules an agency follows.

`sync_profiles` is the only write path (the admin never edits a profile by hand): it validates
every shipped file first, then upserts them in one transaction with one ledger entry per profile
created or changed. `profile_for(agency)` composes the agency's bound profiles on the national
layer; composed profiles are cached per process keyed by the (code, digest) of each, which is safe
with several app servers because a changed profile has a new digest and so is never served stale.

These live with the agencies rather than in `jiandu.rules`, which knows profiles but neither
agencies, people nor the ledger (the app layers in pyproject.toml).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.db import transaction

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.ledger.services import record
from jiandu.rules.loader import Profile, available_profiles, compose, load_profile
from jiandu.rules.models import RuleProfile
from jiandu.rules.services import parsed_profile

from .models import Agency, Person, Role

_CACHE_SIZE = 64
_composed: OrderedDict[tuple[tuple[str, str], ...], Profile] = OrderedDict()
_composed_lock = threading.Lock()


def _ensure_may_sync(actor: Person | None) -> None:
    """Only administrators (or the system itself: CLI, demo loader) reload the rule profiles."""
    if actor is None or actor.is_superuser or actor.has_role(Role.ADMINISTRATOR):
        return
    raise NotAllowed("只有系统管理员可以从数据文件重新载入规则配置。")


def _rule_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """Which rule keys a new document adds, removes or changes: what the ledger should say."""
    old_rules, new_rules = old.get("rules", {}), new.get("rules", {})
    return {
        "added": sorted(new_rules.keys() - old_rules.keys()),
        "removed": sorted(old_rules.keys() - new_rules.keys()),
        "changed": sorted(k for k in new_rules.keys() & old_rules.keys() if new_rules[k] != old_rules[k]),
    }


def sync_profiles(*, actor: Person | None = None, directory: Path | None = None) -> list[RuleProfile]:
    """Upsert every shipped profile into `RuleProfile`; return the rows created or changed.

    directory: load the profiles there instead of the shipped ones (a draft, run through its
    scenarios in a scratch database by `jiandu rules check --profiles-dir`).

    All files are validated before anything is written: one invalid file (ProfileError) leaves
    the database untouched. Unchanged profiles write nothing, so running it twice is harmless.
    Profiles no longer shipped are kept: agencies may still be bound to them.
    """
    _ensure_may_sync(actor)
    profiles = [load_profile(code, directory=directory) for code in available_profiles(directory)]
    touched: list[RuleProfile] = []
    with transaction.atomic():
        for profile in profiles:
            document = profile.as_document()
            source_file = f"profiles/{profile.code}.yaml"
            row = RuleProfile.objects.select_for_update().filter(code=profile.code).first()
            if row is None:
                row = RuleProfile.objects.create(
                    code=profile.code,
                    name=profile.name,
                    document=document,
                    digest=profile.digest,
                    source_file=source_file,
                )
                record(
                    "rules.profile.create",
                    actor=actor,
                    obj=row,
                    payload={"code": row.code, "digest": row.digest, "rules": len(profile.rules)},
                )
            elif (row.digest, row.name, row.source_file) != (profile.digest, profile.name, source_file):
                payload = {"code": row.code, "from": row.digest, "to": profile.digest}
                payload.update(_rule_changes(row.document, document))
                row.name, row.document, row.digest, row.source_file = (
                    profile.name,
                    document,
                    profile.digest,
                    source_file,
                )
                row.save()
                record("rules.profile.update", actor=actor, obj=row, payload=payload)
            else:
                continue
            touched.append(row)
    return touched


def bound_profiles(agency: Agency) -> list[RuleProfile]:
    """The profile rows an agency follows: its own first, then the further ones in their order."""
    if agency.profile_id is None:
        raise ServiceError(
            f"机关“{agency}”尚未绑定规则配置，无法确定适用的期限和规定；请系统管理员先为其选择规则配置。",
            code="profile_unbound",
        )
    also = getattr(agency, "_also_profiles", None)  # filled by orgs.directory, or below
    if also is None:
        also = [
            b.profile for b in agency.profile_bindings.select_related("profile").order_by("position", "id")
        ]
        # Kept on the instance, like a related object Django caches: one page asks for an
        # agency's rules many times (who may act, which periods, each step's guards).
        agency._also_profiles = also  # type: ignore[attr-defined]
    return [agency.profile, *also]


def profile_for(agency: Agency) -> Profile:
    """The rules an agency follows: its bound profiles on the national layer (`loader.compose`).

    Composed once per process for each set of (code, digest): a changed profile has a new digest.
    ServiceError when the agency is bound to no profile.
    """
    rows = bound_profiles(agency)
    key = tuple((row.code, row.digest) for row in rows)
    with _composed_lock:
        cached = _composed.get(key)
        if cached is not None:
            _composed.move_to_end(key)
            return cached
    composed = compose([parsed_profile(row) for row in rows])
    with _composed_lock:
        _composed[key] = composed
        while len(_composed) > _CACHE_SIZE:
            _composed.popitem(last=False)
    return composed
