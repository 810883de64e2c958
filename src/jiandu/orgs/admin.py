"""Admin for agencies, units, people and certificates; every change is ledgered.

Also the admin for rule profiles: read-only views of the stored rules with their citations, and a
reload. Profiles are data files shipped with the code; nobody edits them here. The one act is "从数据
文件重新载入" (an action on the list, and a button that also works while the list is still empty),
which calls `sync_profiles` with the signed-in user so the reload is checked and ledgered like any
other. It is here rather than in `jiandu.rules` because it needs administrators and `sync_profiles`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from jiandu.core.errors import ServiceError
from jiandu.ledger.admin_base import LedgeredAdmin
from jiandu.rules.loader import Profile, ProfileError, Rule, available_profiles
from jiandu.rules.models import RuleProfile
from jiandu.rules.services import parsed_profile

from .models import Agency, Certificate, Person, ProfileBinding, Role, RoleAssignment, Unit
from .profiles import sync_profiles


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


# ------------------------------------------------------------------------------------ rule profiles


def _value_html(rule: Rule) -> SafeString:
    if rule.kind == "list":
        value = format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((item,) for item in rule.value))
        )
    else:
        value = format_html("{}", rule.display())
    if rule.note:
        return format_html('{}<div class="help">注：{}</div>', value, rule.note)
    return value


def _citations_html(rule: Rule) -> SafeString:
    return format_html_join(
        "",
        '<div>{}</div><blockquote class="help" style="margin:0 0 .5em 1em">{}</blockquote>',
        ((str(citation), citation.quote) for citation in rule.citations()),
    )


def rules_table(profile: Profile) -> SafeString:
    """The profile's rules as an HTML table: key, label, value (with note), citation and quote."""
    rows = format_html_join(
        "",
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((key, rule.label, _value_html(rule), _citations_html(rule)) for key, rule in profile.rules.items()),
    )
    return format_html(
        "<table><thead><tr><th>键</th><th>名称</th><th>规定</th><th>依据</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


@admin.register(RuleProfile)
class RuleProfileAdmin(admin.ModelAdmin):
    """Read-only: the rows change only through `sync_profiles`."""

    list_display = ["code", "name", "digest_short", "agency_count", "updated_at"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "source_file",
        "digest",
        "updated_at",
        "bound_agencies",
        "issued",
        "notes",
        "rules",
    ]
    readonly_fields = fields
    actions = ["reload_from_files"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RuleProfile]:
        return super().get_queryset(request).annotate(agency_total=Count("agencies"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_reload_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_superuser or user.has_role(Role.ADMINISTRATOR)

    @admin.display(description="内容摘要")
    def digest_short(self, row: RuleProfile) -> str:
        return row.digest[:12]

    @admin.display(description="绑定机关数", ordering="agency_total")
    def agency_count(self, row: RuleProfile) -> int:
        return row.agency_total

    @admin.display(description="绑定机关")
    def bound_agencies(self, row: RuleProfile) -> str:
        return "、".join(row.agencies.values_list("name", flat=True)) or "（无）"

    @admin.display(description="制定机关和文件")
    def issued(self, row: RuleProfile) -> SafeString:
        profile = self._profile(row)
        if isinstance(profile, str):
            return format_html("{}", profile)
        parts = [p for p in (profile.document_title, profile.document_number, profile.document_date) if p]
        return format_html(
            "{}<br>{}<br>原文：{}",
            "、".join(profile.issuers),
            "，".join(parts) or "（原文未载明）",
            profile.seed,
        )

    @admin.display(description="说明")
    def notes(self, row: RuleProfile) -> SafeString:
        profile = self._profile(row)
        if isinstance(profile, str) or not profile.notes:
            return format_html("{}", "—")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((n,) for n in profile.notes)))

    @admin.display(description="规则")
    def rules(self, row: RuleProfile) -> SafeString:
        profile = self._profile(row)
        if isinstance(profile, str):
            return format_html('<p class="errornote">{}</p>', profile)
        return rules_table(profile)

    def _profile(self, row: RuleProfile) -> Profile | str:
        """The parsed profile, or the reason it cannot be shown (a damaged row must still open)."""
        try:
            return parsed_profile(row)
        except ServiceError as exc:
            return exc.message

    @admin.action(description="从数据文件重新载入", permissions=["reload"])
    def reload_from_files(self, request: HttpRequest, queryset: QuerySet[RuleProfile]) -> None:
        # Reloads every shipped profile, whichever rows are ticked: the files are loaded as one set.
        self._reload(request)

    def _reload(self, request: HttpRequest) -> None:
        try:
            touched = sync_profiles(actor=request.user)
        except ProfileError as exc:
            self.message_user(request, f"数据文件有错误，未作任何改动：{exc.problems[0]}", messages.ERROR)
            return
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        unchanged = len(available_profiles()) - len(touched)
        names = "、".join(row.code for row in touched)
        self.message_user(
            request,
            f"已从数据文件重新载入：{len(touched)} 份新建或更新{f'（{names}）' if names else ''}，"
            f"{unchanged} 份未变。",
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        reload_url = path(
            "reload/", self.admin_site.admin_view(self.reload_view), name="rules_ruleprofile_reload"
        )
        return [reload_url, *super().get_urls()]

    def reload_view(self, request: HttpRequest) -> HttpResponse:
        """The list page's button: the same reload as the action, usable before any row exists."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_reload_permission(request):
            self.message_user(request, "只有系统管理员可以从数据文件重新载入规则配置。", messages.ERROR)
        else:
            self._reload(request)
        return HttpResponseRedirect(reverse("admin:rules_ruleprofile_changelist"))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_reload": self.has_reload_permission(request)}
        return super().changelist_view(request, extra_context)
