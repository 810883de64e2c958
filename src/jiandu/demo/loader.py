"""A realistic demo district, loaded through the same services as everyone else.

示范区: a district government, its justice bureau (the supervisory body), three enforcement
agencies bound to three different seed profiles, their units, officers (one with an expired
certificate, one suspended) and one sign-in per role. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from jiandu.complaints import services as complaints
from jiandu.complaints.models import Complaint
from jiandu.filings.models import Filing
from jiandu.orgs import services as orgs
from jiandu.orgs.models import Agency, Certificate, Person, Role, Unit
from jiandu.orgs.profiles import profile_for, sync_profiles
from jiandu.procedures.runner import run_step
from jiandu.rules.models import RuleProfile

DEMO_PASSWORD = "jiandu-demo-2026"  # noqa: S105  (printed by `make run`; demo databases only)
GOVERNMENT_CODE = "demo-district"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    agency: str
    unit: str
    roles: tuple[str, ...]


# (code, name, short name, profile code): each agency follows a different seed's rules.
ENFORCEMENT_AGENCIES = [
    ("demo-amr", "示范区市场监督管理局", "区市场监管局", "zhongshan-amr"),
    ("demo-ggzy", "示范区公共资源交易监督管理局", "区公共资源交易监管局", "jingzhou-ggzy"),
    ("demo-cgzf", "示范区城市管理综合行政执法局", "区城管执法局", "liangping-district"),
]
# Further profiles an agency follows beside its own: 002 (行政执法监督制度) was issued by the
# 政务数据局 together with the 公共资源交易监督管理局, so the latter follows 000 and 002.
FURTHER_PROFILES = {"demo-ggzy": ["jingzhou-zwsj"]}

# (username, name, agency code, unit name, roles)
PEOPLE = [
    ("admin", "系统管理员", "demo-sfj", None, (Role.ADMINISTRATOR,)),
    ("supervisor", "陈监督", "demo-sfj", "行政执法监督科", (Role.SUPERVISOR,)),
    # 区政府办公室 follows the matters the 12345 hotline transferred (督办, 001 附件1 二).
    ("zfb", "林督办", GOVERNMENT_CODE, "区政府办公室", (Role.SUPERVISOR,)),
    # The bureau's head: 002 第十一条's "经批准" before a 行政执法监督决定书 (备案审查).
    ("sfj-leader", "黄局长", "demo-sfj", "办公室", (Role.PRINCIPAL_LEADER, Role.SUPERVISOR)),
    ("inspector", "周纪检", "demo-sfj", "派驻纪检监察组", (Role.DISCIPLINE_INSPECTOR,)),
    # 004 第3条: 人事股 receives and handles the 市场监管局's complaints, not its 法规科.
    ("legal", "王法规", "demo-amr", "人事股", (Role.LEGAL_AFFAIRS,)),
    ("amr-fagui", "林法规", "demo-amr", "法规科", (Role.LEGAL_AFFAIRS,)),
    ("leader", "刘局长", "demo-amr", "办公室", (Role.PRINCIPAL_LEADER,)),
    ("deputy", "孙副局长", "demo-amr", "办公室", (Role.DEPUTY_LEADER,)),
    ("handler", "赵办案", "demo-amr", "执法稽查大队", (Role.CASE_HANDLER,)),
    ("handler2", "钱办案", "demo-amr", "执法稽查大队", (Role.CASE_HANDLER,)),
    ("zhangwei", "张伟", "demo-amr", "执法稽查大队", (Role.CASE_HANDLER,)),
    ("lina", "李娜", "demo-amr", "执法稽查大队", (Role.CASE_HANDLER,)),
    ("ggzy-legal", "吴法治", "demo-ggzy", "法治科", (Role.LEGAL_AFFAIRS,)),
    ("ggzy-leader", "郑局长", "demo-ggzy", "办公室", (Role.PRINCIPAL_LEADER,)),
    ("cgzf-legal", "冯法制", "demo-cgzf", "法制科", (Role.LEGAL_AFFAIRS,)),
    ("cgzf-leader", "何局长", "demo-cgzf", "办公室", (Role.PRINCIPAL_LEADER,)),
]

# Every demo sign-in, in the order above: the roles that tests sweep for leaks.
DEMO_USERNAMES = [username for username, *_rest in PEOPLE]

UNITS = {
    GOVERNMENT_CODE: [("区政府办公室", Unit.Kind.OFFICE)],
    "demo-sfj": [
        ("行政执法监督科", Unit.Kind.LEGAL_AFFAIRS),
        ("办公室", Unit.Kind.OFFICE),
        ("派驻纪检监察组", Unit.Kind.DISCIPLINE),
    ],
    "demo-amr": [
        ("法规科", Unit.Kind.LEGAL_AFFAIRS),
        ("人事股", Unit.Kind.PERSONNEL),
        ("办公室", Unit.Kind.OFFICE),
        ("执法稽查大队", Unit.Kind.ENFORCEMENT),
    ],
    "demo-ggzy": [
        ("法治科", Unit.Kind.LEGAL_AFFAIRS),
        ("办公室", Unit.Kind.OFFICE),
        ("监督执法科", Unit.Kind.ENFORCEMENT),
    ],
    "demo-cgzf": [
        ("法制科", Unit.Kind.LEGAL_AFFAIRS),
        ("办公室", Unit.Kind.OFFICE),
        ("执法大队", Unit.Kind.ENFORCEMENT),
    ],
}


def _certificates(today: datetime.date) -> list[tuple[str, str, datetime.date, datetime.date, str]]:
    """(username, number, valid_from, valid_to, status): relative to today so the demo stays current."""
    year = datetime.timedelta(days=365)  # period-literal-ok: demo certificate validity, not a legal period
    return [
        ("handler", "SFQ-2024-0001", today - year, today + 2 * year, Certificate.Status.VALID),
        ("handler2", "SFQ-2024-0002", today - year, today + 2 * year, Certificate.Status.VALID),
        ("zhangwei", "SFQ-2020-0107", today - 4 * year, today - year, Certificate.Status.VALID),  # expired
        ("lina", "SFQ-2023-0033", today - year, today + year, Certificate.Status.SUSPENDED),
    ]


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(
            username,
            name,
            next(a for a in _agency_names() if a[0] == code)[1],
            unit or "",
            tuple(r.label for r in roles),
        )
        for username, name, code, unit, roles in PEOPLE
    ]


def _agency_names() -> list[tuple[str, str]]:
    return [(GOVERNMENT_CODE, "示范区人民政府"), ("demo-sfj", "示范区司法局")] + [
        (code, name) for code, name, _s, _p in ENFORCEMENT_AGENCIES
    ]


@transaction.atomic
def load_demo(*, matters: bool = False) -> bool:
    """Load the demo district (and, with `matters`, some complaints in progress).

    Returns False when it was already there. Tests load it without matters, so that each test
    makes the matters it needs.
    """
    if Agency.objects.filter(code=GOVERNMENT_CODE).exists():
        return False
    sync_profiles(actor=None)
    profiles = {p.code: p for p in RuleProfile.objects.all()}
    government = orgs.create_agency(
        actor=None,
        code=GOVERNMENT_CODE,
        name="示范区人民政府",
        short_name="区政府",
        kind=Agency.Kind.GOVERNMENT,
    )
    agencies = {
        "demo-sfj": orgs.create_agency(
            actor=None,
            code="demo-sfj",
            name="示范区司法局",
            short_name="区司法局",
            kind=Agency.Kind.SUPERVISORY,
            parent=government,
        )
    }
    for code, name, short, profile in ENFORCEMENT_AGENCIES:
        agencies[code] = orgs.create_agency(
            actor=None,
            code=code,
            name=name,
            short_name=short,
            kind=Agency.Kind.ENFORCEMENT,
            parent=government,
            supervisor=agencies["demo-sfj"],
            profile=profiles[profile],
        )
    for code, further in FURTHER_PROFILES.items():
        orgs.bind_further_profiles(
            actor=None, agency=agencies[code], profiles=[profiles[name] for name in further]
        )
    agencies[GOVERNMENT_CODE] = government
    units = {
        (code, name): orgs.create_unit(actor=None, agency=agencies[code], name=name, kind=kind)
        for code, specs in UNITS.items()
        for name, kind in specs
    }
    people: dict[str, Person] = {}
    for username, name, code, unit, roles in PEOPLE:
        people[username] = orgs.create_person(
            actor=None,
            username=username,
            full_name=name,
            password=DEMO_PASSWORD,
            agency=agencies[code],
            unit=units[(code, unit)] if unit else None,
            roles=roles,
            is_staff=Role.ADMINISTRATOR in roles,
            is_superuser=Role.ADMINISTRATOR in roles,
        )
    for username, number, valid_from, valid_to, status in _certificates(timezone.localdate()):
        orgs.issue_certificate(
            actor=None,
            person=people[username],
            number=number,
            issuer="示范区人民政府",
            valid_from=valid_from,
            valid_to=valid_to,
            status=status,
        )
    if matters:
        _load_matters(agencies, people)
        _load_filings(people)
    return True


def _load_matters(agencies: dict[str, Agency], people: dict[str, Person]) -> None:
    """A few complaints at different steps, made through the procedure's own services."""

    def intake(code: str, content: str, **extra: object) -> complaints.Intake:
        agency = agencies[code]
        category = (complaints.categories_for(profile_for(agency)) or ["其他"])[0]
        values: dict[str, object] = {
            "agency": agency,
            "channel": Complaint.Channel.ONLINE,
            "category": category,
            "content": content,
            "complainant": complaints.Complainant(name="演示投诉人", phone="13800000000"),
        }
        values.update(extra)
        return complaints.Intake(**values)

    legal, ggzy_legal = people["legal"], people["ggzy-legal"]
    # 公共资源交易监管局 (000): one waiting for the acceptance decision, one being handled.
    complaints.submit_complaint(intake("demo-ggzy", "开标现场监督人员未出示执法证件，态度粗暴。"))
    handled = complaints.submit_complaint(
        intake("demo-ggzy", "对投标保证金的处理拖延履行职责，多次催办无果。")
    )
    complaints.accept_complaint(handled.complaint, actor=ggzy_legal)
    # 市场监管局 (004): one with an extension waiting for the leader, one concluded.
    waiting = complaints.submit_complaint(
        intake("demo-amr", "市场检查中执法人员收取商户财物。", target_officer=people["handler2"]),
    ).complaint
    complaints.accept_complaint(waiting, actor=legal)
    complaints.request_extension(waiting, actor=legal, amount=10, reasons="涉及多名商户，需逐一调查取证。")
    concluded = complaints.submit_complaint(intake("demo-amr", "罚款未开具法定票据。")).complaint
    complaints.accept_complaint(concluded, actor=legal)
    complaints.conclude_complaint(
        concluded,
        actor=legal,
        finding="substantiated",
        measures=["correct"],
        result_text="经查属实，已责令当事执法单位改正并补开票据。",
    )
    # 城管执法局 (001): handed over by the 区司法局, and one from the 12345 hotline.
    complaints.submit_complaint(
        intake(
            "demo-cgzf",
            "区司法局交办：占道经营执法过程中执法人员未表明身份。",
            channel=Complaint.Channel.ASSIGNED,
            anonymous=True,
            complainant=complaints.Complainant(),
        ),
        actor=people["supervisor"],
    )
    complaints.submit_complaint(
        intake(
            "demo-cgzf",
            "12345转办：夜间噪音执法时态度恶劣。",
            channel=Complaint.Channel.HOTLINE,
            hotline_ticket="DEMO-12345-0001",
        ),
    )
    # One the caller was not satisfied with (回访: 不满意), now being handled again (001 附件1 二).
    disputed = complaints.submit_complaint(
        intake(
            "demo-cgzf",
            "12345转办：暂扣物品后未出具清单。",
            channel=Complaint.Channel.HOTLINE,
            hotline_ticket="DEMO-12345-0002",
        ),
    ).complaint
    cgzf_legal = people["cgzf-legal"]
    complaints.accept_complaint(disputed, actor=cgzf_legal)
    complaints.conclude_complaint(
        disputed,
        actor=cgzf_legal,
        finding="not_substantiated",
        measures=[],
        result_text="经查，暂扣时已口头告知物品情况。",
    )
    complaints.rate_complaint(disputed, value="dissatisfied", source="hotline", visit_id="DEMO-HF-0002-1")
    complaints.rehandle_complaint(
        disputed, actor=cgzf_legal, reason="回访不满意：口头告知不能代替书面清单，补充调查并补出清单。"
    )


def _load_filings(people: dict[str, Person]) -> None:
    """Filings (备案审查, 002) at several steps, through the kernel's steps like any user's."""
    filer, reviewer = people["ggzy-legal"], people["supervisor"]
    today = timezone.localdate()

    def file(title: str, number: str, kind: str, days_ago: int) -> Filing:
        text = SimpleUploadedFile(f"{number}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        inputs = {
            "kind": kind,
            "title": title,
            "document_number": number,
            "event_date": today - datetime.timedelta(days=days_ago),  # period-literal-ok: demo dates
            "summary": "",
            "files": [text],
        }
        return run_step("filings.submit", actor=filer, agency=filer.agency, inputs=inputs).matter

    # One waiting for review; one filed late (第七条: 30 days), accepted.
    file("示范区公共资源交易投诉处理暂行办法", "示范公管规〔2026〕1号", "normative_document", 5)
    late = file("示范区公共资源交易目录管理规定", "示范公管规〔2026〕2号", "normative_document", 45)
    run_step("filings.accept", late, actor=reviewer, inputs={"opinion": "同意备案；今后请按期报备。"})
    # A major penalty decision with a notice to correct, signed for: the report period runs.
    decision = file("行政处罚决定书（责令停业整顿）", "示范公管罚〔2026〕3号", "major_penalty_decision", 3)
    run_step(
        "filings.notify",
        decision,
        actor=reviewer,
        inputs={
            "problems": "处罚决定书未载明当事人陈述申辩的处理情况",
            "correction": "补充说明陈述申辩的处理情况",
        },
    )
    run_step("filings.receive", decision, actor=filer)
    # One reported on, with an order to change proposed: it waits for the bureau head, 黄局长
    # (002 第十一条 经批准).
    proposed = file("示范区招标代理机构信用评价办法", "示范公管规〔2026〕4号", "normative_document", 10)
    run_step(
        "filings.notify",
        proposed,
        actor=reviewer,
        inputs={"problems": "第五条设定了资质要求", "correction": "删除第五条"},
    )
    run_step("filings.receive", proposed, actor=filer)
    run_step("filings.report", proposed, actor=filer, inputs={"report": "已提请修改，尚未重新发布。"})
    run_step(
        "filings.propose_order",
        proposed,
        actor=reviewer,
        inputs={"order": "change", "reasons": "第五条未纠正，违反上位法关于不得设定资质要求的规定"},
    )
