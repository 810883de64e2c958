"""Pages follow the rules the services apply: who handles (the profile's unit), who may open letters
that name the complainant, and the body complained about signing for its notice."""

import pytest

from jiandu.complaints import services
from jiandu.documents.models import Document
from jiandu.orgs.models import Agency

from .test_services import SECRET_NAME, intake

pytestmark = pytest.mark.django_db


def test_letters_that_name_the_complainant_are_for_the_handler_only(signed_in, demo):
    ggzy = Agency.objects.get(code="demo-ggzy")
    complaint = services.submit_complaint(intake(ggzy)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    letter = Document.objects.get(subject_id=complaint.pk, kind="complaint_acceptance")
    handler, leader = signed_in("ggzy-legal"), signed_in("ggzy-leader")
    assert handler.get(f"/complaints/documents/{letter.pk}.pdf").status_code == 200
    page = leader.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "仅承办人员可下载" in page and f"/complaints/documents/{letter.pk}.pdf" not in page
    assert SECRET_NAME not in page
    assert leader.get(f"/complaints/documents/{letter.pk}.pdf").status_code == 404
    assert signed_in("supervisor").get(f"/complaints/documents/{letter.pk}.docx").status_code == 404


def test_complaints_at_a_004_agency_are_handled_by_its_personnel_unit(signed_in, demo):
    amr = Agency.objects.get(code="demo-amr")
    complaint = services.submit_complaint(intake(amr)).complaint
    # 004 第3条: 人事股 handles; the 法规科 officer cannot accept it or register complaints.
    assert services.may_handle(demo["legal"], complaint)  # 王法规 sits in the 人事股 in the demo
    assert not services.may_handle(demo["amr-fagui"], complaint)
    fagui = signed_in("amr-fagui")
    assert fagui.post(f"/complaints/{complaint.pk}/act/accept/").status_code in (403, 404, 302)
    complaint.refresh_from_db()
    assert complaint.state == complaint.State.RECEIVED
    assert fagui.get("/complaints/register/").status_code == 403
    assert signed_in("legal").get("/complaints/register/").status_code == 200


def test_the_body_complained_about_signs_for_its_notice_on_the_page(signed_in, demo):
    ggzy, amr = Agency.objects.get(code="demo-ggzy"), Agency.objects.get(code="demo-amr")
    complaint = services.submit_complaint(intake(ggzy, target_agency=amr)).complaint
    services.accept_complaint(complaint, actor=demo["ggzy-legal"])
    request = services.request_explanation(complaint, actor=demo["ggzy-legal"], matters="请说明检查经过。")
    respondent = signed_in("leader")
    page = respondent.get("/complaints/explanations/").content.decode()
    assert "签收通知" in page and "自签收通知之日起算" in page
    response = respondent.post(f"/complaints/explanations/{request.pk}/receive/", follow=True)
    assert "书面说明期限自今日起算" in response.content.decode()
    request.refresh_from_db()
    assert request.received_at is not None and request.received_by == demo["leader"]
    assert "已于" in respondent.get("/complaints/explanations/").content.decode()
