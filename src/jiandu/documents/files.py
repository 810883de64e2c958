"""Stored files that no row names any more, and their removal.

A step writes its files (uploads, letters) to storage before its transaction commits: files
cannot take part in the database transaction. When the transaction then rolls back (a later check
fails, the database refuses, the process dies), the file stays behind, named by no row. It holds
what was uploaded (possibly a complainant's evidence), so it must not linger: `sweep_orphan_files`
finds every file in the default storage that no FileField of any model names and that is older
than the grace period (a younger file may belong to a step still running), and removes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.utils import timezone

from jiandu.ledger.services import record


@dataclass
class SweepReport:
    """What a sweep looked at and what it removed (or, in a dry run, would remove)."""

    examined: int = 0
    orphans: list[str] = field(default_factory=list)
    removed: int = 0


def referenced_names() -> set[str]:
    """Every file name a FileField of any installed model holds (in the default storage)."""
    names: set[str] = set()
    for model in apps.get_models():
        for file_field in model._meta.get_fields():
            if isinstance(file_field, models.FileField) and file_field.storage is default_storage:
                names.update(
                    model._base_manager.exclude(**{file_field.name: ""})
                    .values_list(file_field.name, flat=True)
                    .iterator(chunk_size=2000)
                )
    return names


def _walk(storage: Storage, directory: str = "") -> Iterator[str]:
    directories, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        yield from _walk(storage, f"{directory}/{sub}" if directory else sub)


def sweep_orphan_files(*, dry_run: bool = False, now: datetime.datetime | None = None) -> SweepReport:
    """Remove stored files no row names, older than JIANDU_ORPHAN_FILE_GRACE_HOURS; ledgered."""
    report = SweepReport()
    if not default_storage.exists(""):
        return report
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.JIANDU_ORPHAN_FILE_GRACE_HOURS)
    # Names are read before the walk: a file committed during the walk is either named already or
    # younger than the cutoff, so it is never taken for an orphan.
    known = referenced_names()
    for name in _walk(default_storage):
        report.examined += 1
        if name in known or default_storage.get_modified_time(name) >= cutoff:
            continue
        report.orphans.append(name)
    if dry_run or not report.orphans:
        return report
    for name in report.orphans:
        default_storage.delete(name)
        report.removed += 1
    with transaction.atomic():
        # File names are random (never the uploader's name), so they can be listed.
        record("core.files.sweep", payload={"removed": report.orphans[:200], "count": report.removed})
    return report
