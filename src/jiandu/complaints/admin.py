"""Admin: complaints read-only (the procedure runs through the services), and the reveal records."""

from django.contrib import admin

from .models import Complaint, Reveal


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "agency", "channel", "category", "state", "received_at", "supervised"]
    list_filter = ["state", "channel", "supervised", "agency"]
    search_fields = ["number"]
    list_select_related = ["agency"]
    # The sealed identity is never shown here, not even as ciphertext.
    exclude = ["complainant_sealed", "secret_hash"]


@admin.register(Reveal)
class RevealAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "person", "reason", "at"]
    list_select_related = ["complaint", "person"]
    search_fields = ["complaint__number"]
