"""Admin for agencies, units, people and certificates; every change is ledgered."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from jiandu.core.admin import LedgeredAdmin

from .models import Agency, Certificate, Person, ProfileBinding, RoleAssignment, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


class ProfileBindingInline(admin.TabularInline):
    """Further rule profiles the agency follows beside its own; its own prevails, national law over all."""

    model = ProfileBinding
    extra = 0


@admin.register(Agency)
class AgencyAdmin(LedgeredAdmin):
    list_display = ["code", "name", "kind", "supervisor", "profile", "is_active"]
    list_filter = ["kind", "profile", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["supervisor", "profile"]
    inlines = [ProfileBindingInline, UnitInline]


@admin.register(Unit)
class UnitAdmin(LedgeredAdmin):
    list_display = ["name", "agency", "kind"]
    list_filter = ["kind", "agency"]
    list_select_related = ["agency"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class PersonCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Person
        fields = ("username", "full_name", "agency", "unit")


@admin.register(Person)
class PersonAdmin(LedgeredAdmin, UserAdmin):
    add_form = PersonCreationForm
    list_display = ["username", "full_name", "agency", "unit", "is_active", "is_staff"]
    list_filter = ["agency", "is_active", "is_staff", "role_assignments__role"]
    search_fields = ["username", "full_name"]
    list_select_related = ["agency", "unit"]
    inlines = [RoleInline, CertificateInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("人员信息", {"fields": ("full_name", "email", "agency", "unit")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "agency", "unit", "password1", "password2"),
            },
        ),
    )


@admin.register(Certificate)
class CertificateAdmin(LedgeredAdmin):
    list_display = ["number", "person", "issuer", "valid_from", "valid_to", "status"]
    list_filter = ["status", "issuer"]
    search_fields = ["number", "person__full_name"]
    list_select_related = ["person"]
