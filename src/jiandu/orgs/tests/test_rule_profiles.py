"""`sync_profiles` (idempotent, ledgered, all-or-nothing), `profile_for`, the admin pages, and the
profiles' vocabularies of roles and units against the models."""

import pytest
import yaml
from django.contrib.auth.models import Permission
from django.urls import reverse

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Agency, Person, Role, RoleAssignment, Unit
from jiandu.orgs.profiles import profile_for, sync_profiles
from jiandu.rules import loader
from jiandu.rules.loader import ProfileError, available_profiles, document_digest, load_profile
from jiandu.rules.models import RuleProfile
from jiandu.rules.schema import ROLES, UNIT_KINDS
from jiandu.rules.services import parsed_profile

pytestmark = pytest.mark.django_db


def rule_entries() -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action__startswith="rules.").order_by("seq"))


@pytest.fixture
def admin_user() -> Person:
    return Person.objects.create(username="root", full_name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def agency() -> Agency:
    return Agency.objects.create(code="test-amr", name="测试市场监督管理局", kind=Agency.Kind.ENFORCEMENT)


def test_sync_creates_every_profile_with_one_ledger_entry_each():
    touched = sync_profiles(actor=None)
    assert sorted(row.code for row in touched) == available_profiles()
    row = RuleProfile.objects.get(code="jingzhou-ggzy")
    profile = load_profile("jingzhou-ggzy")
    assert (row.name, row.digest, row.source_file) == (
        profile.name,
        profile.digest,
        "profiles/jingzhou-ggzy.yaml",
    )
    assert row.document == profile.as_document()
    assert document_digest(row.document) == row.digest
    entries = rule_entries()
    assert [e.action for e in entries] == ["rules.profile.create"] * 5
    assert {e.object_id for e in entries} == {
        str(pk) for pk in RuleProfile.objects.values_list("pk", flat=True)
    }
    assert entries[0].actor_label == "system"
    assert entries[0].payload["digest"] == RuleProfile.objects.get(pk=entries[0].object_id).digest


def test_sync_is_idempotent():
    sync_profiles()
    before = [(r.code, r.digest, r.updated_at) for r in RuleProfile.objects.all()]
    assert sync_profiles() == []
    assert [(r.code, r.digest, r.updated_at) for r in RuleProfile.objects.all()] == before
    assert len(rule_entries()) == 5


def test_sync_updates_a_changed_profile_and_ledgers_what_changed(admin_user):
    sync_profiles()
    row = RuleProfile.objects.get(code="zhongshan-amr")
    old = row.document
    del old["rules"]["complaint.handling"]
    old["rules"]["complaint.extension.max"]["amount"] = 25
    row.document, row.digest = old, document_digest(old)
    row.save()
    [updated] = sync_profiles(actor=admin_user)
    assert updated.code == "zhongshan-amr"
    assert updated.digest == load_profile("zhongshan-amr").digest
    entry = rule_entries()[-1]
    assert entry.action == "rules.profile.update"
    assert entry.actor_id == admin_user.pk
    assert entry.payload["added"] == ["complaint.handling"]
    assert entry.payload["changed"] == ["complaint.extension.max"]
    assert entry.payload["removed"] == []
    assert entry.payload["to"] == updated.digest


def test_sync_validates_everything_before_writing(tmp_path, monkeypatch):
    for code in available_profiles():
        (tmp_path / f"{code}.yaml").write_bytes((loader.PROFILES_DIR / f"{code}.yaml").read_bytes())
    document = yaml.safe_load((tmp_path / "zhongshan-amr.yaml").read_text(encoding="utf-8"))
    document["rules"]["complaint.handling"]["citation"]["quote"] = "不是原文"
    (tmp_path / "zhongshan-amr.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    monkeypatch.setattr(loader, "PROFILES_DIR", tmp_path)
    with pytest.raises(ProfileError, match=r"zhongshan-amr\.yaml: rules/complaint\.handling/citation/quote"):
        sync_profiles()
    assert not RuleProfile.objects.exists()
    assert rule_entries() == []


def test_only_administrators_sync(agency):
    clerk = Person.objects.create(username="clerk", full_name="办事员", agency=agency)
    with pytest.raises(NotAllowed):
        sync_profiles(actor=clerk)
    RoleAssignment.objects.create(person=clerk, role=Role.ADMINISTRATOR)
    clerk = Person.objects.get(pk=clerk.pk)  # role codes are cached on the instance
    assert len(sync_profiles(actor=clerk)) == 5


def test_profile_for_an_unbound_agency_is_a_clear_error(agency):
    with pytest.raises(ServiceError) as unbound:
        profile_for(agency)
    assert unbound.value.code == "profile_unbound"
    assert "测试市场监督管理局" in unbound.value.message


def test_profile_for_returns_the_bound_profile_cached_by_digest(agency):
    sync_profiles()
    agency.profile = RuleProfile.objects.get(code="liangping-district")
    agency.save()
    agency = Agency.objects.select_related("profile").get(pk=agency.pk)
    profile = profile_for(agency)
    assert profile.code == "liangping-district"
    assert profile.period("complaint.assigned.handling").unit == "workday"
    assert profile_for(agency) is profile
    parsed = parsed_profile(RuleProfile.objects.get(code="liangping-district"))
    assert parsed is parsed_profile(RuleProfile.objects.get(code="liangping-district"))
    # What the agency follows is its profile on the national layer.
    assert profile.layers == ("liangping-district", "national")
    assert profile.rule("complaint.assigned.handling").layer == "liangping-district"
    assert profile.rule("complaint.basis").layer == "national"


def test_profile_for_refuses_a_document_changed_behind_syncs_back(agency):
    sync_profiles()
    row = RuleProfile.objects.get(code="qianjiang-amr")
    row.document["rules"]["accountability.referral"]["amount"] = 5
    row.digest = "f" * 64  # a new digest, so no cached copy answers
    row.save()
    agency.profile = row
    agency.save()
    with pytest.raises(ServiceError) as corrupt:
        profile_for(agency)
    assert corrupt.value.code == "profile_corrupt"


# ------------------------------------------------------------------------------------------ admin


def test_admin_list_and_read_only_page(client, admin_user, agency):
    sync_profiles()
    agency.profile = RuleProfile.objects.get(code="jingzhou-ggzy")
    agency.save()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:rules_ruleprofile_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    row = RuleProfile.objects.get(code="jingzhou-ggzy")
    assert row.digest[:12] in page and "从数据文件重新载入" in page
    detail = client.get(reverse("admin:rules_ruleprofile_change", args=[row.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "《荆州市公共资源交易监督管理局行政执法投诉举报制度》第六条" in html
    assert "法规科自受理行政执法投诉举报后30日内审查终结" in html
    assert "测试市场监督管理局" in html
    assert 'name="_save"' not in html  # nothing to save: profiles are not edited here
    assert client.get(reverse("admin:rules_ruleprofile_add")).status_code == 403


def test_admin_reload_action_and_button(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:rules_ruleprofile_reload")
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert RuleProfile.objects.count() == 5
    assert "5 份新建或更新" in response.content.decode()
    assert {e.actor_id for e in rule_entries()} == {admin_user.pk}
    changelist = reverse("admin:rules_ruleprofile_changelist")
    pks = list(RuleProfile.objects.values_list("pk", flat=True)[:1])
    response = client.post(changelist, {"action": "reload_from_files", "_selected_action": pks}, follow=True)
    assert "0 份新建或更新，5 份未变" in response.content.decode()
    assert len(rule_entries()) == 5


def test_admin_reload_refused_for_staff_without_the_role(client, agency):
    staff = Person.objects.create(username="staff", full_name="职员", is_staff=True, agency=agency)
    staff.user_permissions.add(Permission.objects.get(codename="view_ruleprofile"))
    client.force_login(staff)
    response = client.post(reverse("admin:rules_ruleprofile_reload"), follow=True)
    assert "只有系统管理员" in response.content.decode()
    assert not RuleProfile.objects.exists()


def test_vocabularies_match_the_orgs_models():
    # Every role a profile may name is a platform role; the hotline's service account is no
    # person a regulation could name, so it is the one platform role profiles do not know.
    assert dict(Role.choices) == {**ROLES, Role.HOTLINE.value: Role.HOTLINE.label}
    assert set(Unit.Kind.values) == set(UNIT_KINDS) - {"external"}
