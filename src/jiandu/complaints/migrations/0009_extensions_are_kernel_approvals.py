"""Extension requests become the kernel's approvals (kind "complaints.extension"), each with the
approver its agency's rules named when it was asked (kept on the row, as every approval is)."""

from django.db import migrations

KIND = "complaints.extension"


def _approver(complaint):
    # The rules as the agency follows them now: a pending request must stay decidable by the
    # approver they name (an outside body decides through its supervision staff).
    from jiandu.orgs.profiles import profile_for

    profile = profile_for(complaint.agency)
    handed_over = complaint.assigned_by_id and profile.has("complaint.assigned.handling")
    key = f"{'complaint.assigned.extension' if handed_over else 'complaint.extension'}.approver"
    spec = profile.value(key)
    citation = str(profile.rule(key).citation)
    if spec.body:
        return (complaint.assigned_by_id or complaint.agency.supervisor_id), ["supervisor"], citation
    return complaint.agency_id, list(spec.roles), citation


def move(apps, schema_editor):
    Extension = apps.get_model("complaints", "ExtensionRequest")
    Approval = apps.get_model("procedures", "Approval")
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = Extension.objects.select_related("complaint__agency").order_by("id")
    if not rows.exists():
        return
    matter_type, _ = ContentType.objects.get_or_create(app_label="complaints", model="complaint")
    for row in rows:
        complaint = row.complaint
        agency_id, roles, citation = _approver(complaint)
        Approval.objects.create(
            matter_type=matter_type,
            matter_id=complaint.pk,
            kind=KIND,
            agency_id=complaint.agency_id,
            approver_agency_id=agency_id,
            approver_roles=roles,
            citation=citation,
            details={"amount": row.amount, "unit": row.unit},
            reasons=row.reasons,
            requested_by_id=row.requested_by_id,
            requested_at=row.requested_at,
            outcome=row.state,  # the same three values: pending, approved, refused
            decided_by_id=row.decided_by_id,
            decided_at=row.decided_at,
            decision_reason=row.decision_note,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_complaint_is_a_matter"),
        ("procedures", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExtensionRequest"),
    ]
