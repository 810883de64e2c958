"""Read-only admin views of the ledger and its checkpoints: nobody adds, changes or deletes here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Checkpoint, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only; the ledger is written by services and the database refuses edits anyway."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "recorded_at", "actor_label", "agency", "action", "object_ref"]
    # Filters that need no DISTINCT scan of the entries: the table grows to millions of rows.
    list_filter = ["recorded_at", "agency"]
    search_fields = ["^action", "=object_id", "=actor_label"]
    search_help_text = "按行为前缀（如 orgs.agency）、对象编号或操作人标识查找"
    list_select_related = ["agency"]
    # An exact COUNT(*) over the whole ledger on every page would be slow; the filtered count suffices.
    show_full_result_count = False
    ordering = ["-seq"]
    fields = [
        "seq",
        "recorded_at",
        "actor",
        "actor_label",
        "agency",
        "action",
        "object_type",
        "object_id",
        "payload",
        "payload_digest",
        "prev_hash",
        "entry_hash",
    ]

    @admin.display(description="对象")
    def object_ref(self, entry: LedgerEntry) -> str:
        return entry.object_ref or "-"


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "signed_at", "root_hash", "key_id"]
    fields = ["tree_size", "root_hash", "signed_at", "signature", "key_id"]
