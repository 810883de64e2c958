"""Rule profiles in the database: a stored `RuleProfile` row parsed back into a `Profile`.

Parsed profiles are cached per process keyed by (code, digest), which is safe with several app
servers because a changed profile has a new digest and so is never served stale. Writing the rows
(`sync_profiles`) and finding an agency's rules (`profile_for`) need agencies, people and the
ledger, which sit above this layer: they are in `jiandu.orgs.profiles`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from jiandu.core.errors import ServiceError

from .loader import Profile, ProfileError, document_digest, load_document
from .models import RuleProfile

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, str], Profile] = OrderedDict()
_cache_lock = threading.Lock()


def parsed_profile(row: RuleProfile) -> Profile:
    """The Profile a stored row holds, parsed once per process for each (code, digest)."""
    key = (row.code, row.digest)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    # The digest is the cache key, so a document changed behind sync's back must not hide behind it.
    if document_digest(row.document) != row.digest:
        raise ServiceError(
            f"规则配置“{row.name}”（{row.code}）的内容与其摘要不符，可能被直接改动过；"
            "请系统管理员从数据文件重新载入。",
            code="profile_corrupt",
        )
    try:
        profile = load_document(row.document)
    except ProfileError as exc:
        raise ServiceError(
            f"规则配置“{row.name}”（{row.code}）无法使用：{exc.problems[0]}", code="profile_invalid"
        ) from exc
    with _cache_lock:
        _cache[key] = profile
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return profile
