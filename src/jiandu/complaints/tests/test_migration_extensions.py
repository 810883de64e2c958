"""The migration that makes extension requests kernel approvals keeps each one decidable by the
approver its agency's rules name, with what was asked and decided."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jiandu.complaints import services
from jiandu.complaints.models import Complaint
from jiandu.orgs.models import Agency
from jiandu.procedures.models import Approval

BEFORE = [("complaints", "0008_complaint_is_a_matter")]
AFTER = [("complaints", "0009_extensions_are_kernel_approvals")]


@pytest.mark.django_db(transaction=True)
def test_extension_requests_become_approvals_with_their_approver(demo):
    intake = services.Intake(
        agency=Agency.objects.get(code="demo-amr"),
        channel="letter",
        category=(
            services.categories_for(services.profile_for(Agency.objects.get(code="demo-amr"))) or ["x"]
        )[0],
        content="执法人员未出示证件。",
        complainant=services.Complainant(name="甲", phone="13900000000"),
    )
    complaint = services.submit_complaint(intake, actor=demo["legal"]).complaint
    services.accept_complaint(complaint, actor=demo["legal"])

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    now = timezone.now()
    Extension = old.get_model("complaints", "ExtensionRequest")
    Extension.objects.create(
        complaint_id=complaint.pk,
        requested_by_id=demo["legal"].pk,
        requested_at=now,
        amount=5,
        unit="day",
        reasons="需调取录像。",
    )
    Extension.objects.create(
        complaint_id=complaint.pk,
        requested_by_id=demo["legal"].pk,
        requested_at=now,
        amount=3,
        unit="day",
        reasons="补充调查。",
        state="refused",
        decided_by_id=demo["leader"].pk,
        decided_at=now,
        decision_note="理由不充分",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    complaint = Complaint.objects.get(pk=complaint.pk)
    pending, refused = services.extensions_of(complaint).order_by("id")
    # The approver the agency's rules name (its leaders here), kept on the approval.
    assert pending.outcome == Approval.Outcome.PENDING and pending.details == {"amount": 5, "unit": "day"}
    named = services.profile_for(complaint.agency).value("complaint.extension.approver")
    assert pending.approver_agency_id == complaint.agency_id
    assert pending.approver_roles == list(named.roles)
    assert pending.citation and pending.reasons == "需调取录像。"
    assert refused.outcome == Approval.Outcome.REFUSED and refused.decision_reason == "理由不充分"
    assert refused.decided_by == demo["leader"]
    # Still decidable, by the approver named, through the step.
    services.decide_extension(pending, actor=demo["leader"], approve=True, note="同意")
    assert Approval.objects.get(pk=pending.pk).outcome == Approval.Outcome.APPROVED
