"""The shipped profiles: valid, quoting their seeds word for word, and saying what the seeds say.

The quote check here reads the YAML and the seed files directly, independently of the loader, so
that a fault in the loader cannot hide a misquotation.
"""

import hashlib

import pytest
import yaml

from jiandu.rules.loader import (
    PROFILES_DIR,
    SEEDS_DIR,
    RuleMissing,
    available_profiles,
    catalogue,
    check_all,
    load_profile,
    national,
)

# SHA-256 of the seed files as received: the copies shipped in jiandu/rules/seeds/ must be unchanged.
SEED_SHA256 = {
    "000_e1ba62d0300353fa.txt": "8714894cc541593baf3ed3505580f604e70ebbd31c8924d305e4e65744ad6e48",
    "001_d4f2384a3251ca7f.txt": "9a5a9f7de26a16cd9cf5939defa98f0cbbf9035da70aa53ecea4ffdcb0f415ad",
    "002_6698ecc543d3fb6b.txt": "9d7bd5fb7753e67460f8a6cad3125da24b1d03e6dce776b3a70c4fda48986dfe",
    "003_31789acdca87db4d.txt": "72ff21f4db32bd9f72c8277447256316cde27023758d3bc7e27c35f91daa0944",
    "004_15f54f20eedb7af0.txt": "0ce85ff0a85ede84bc5d6d7d7ec80259e81fdc7b285ded8277aa7e20acc822a8",
}

PROFILE_SEEDS = {
    "jingzhou-ggzy": "000_e1ba62d0300353fa.txt",
    "liangping-district": "001_d4f2384a3251ca7f.txt",
    "jingzhou-zwsj": "002_6698ecc543d3fb6b.txt",
    "qianjiang-amr": "003_31789acdca87db4d.txt",
    "zhongshan-amr": "004_15f54f20eedb7af0.txt",
}

# Every period of every profile, checked against the seeds by hand: (amount, unit, article).
PERIODS = {
    ("jingzhou-ggzy", "complaint.acceptance"): (5, "workday", "第五条"),
    ("jingzhou-ggzy", "complaint.handling"): (30, "day", "第六条"),
    ("jingzhou-ggzy", "complaint.extension.max"): (30, "day", "第六条"),
    ("jingzhou-ggzy", "bulletin.regular_interval"): (6, "month", "第五条"),
    ("jingzhou-ggzy", "rectification.bulletin_report"): (15, "day", "第七条"),
    ("liangping-district", "complaint.assigned.handling"): (15, "workday", "一、统一受理途径，规范处理程序"),
    ("liangping-district", "complaint.assigned.extension.max"): (
        15,
        "workday",
        "一、统一受理途径，规范处理程序",
    ),
    ("liangping-district", "supervision_notice.inspection_order.reply"): (15, "day", "第六条"),
    ("liangping-district", "accountability.referral"): (2, "day", "第十条（一）"),
    ("liangping-district", "accountability.reinvestigation_order"): (1, "month", "第十条（三）"),
    ("jingzhou-zwsj", "filing.normative_document"): (30, "day", "第七条"),
    ("jingzhou-zwsj", "filing.major_penalty_decision"): (15, "day", "第八条"),
    ("jingzhou-zwsj", "complaint.referral"): (10, "day", "第九条"),
    ("jingzhou-zwsj", "complaint.respondent_notice"): (10, "day", "第九条"),
    ("jingzhou-zwsj", "complaint.respondent_explanation"): (15, "day", "第九条"),
    ("jingzhou-zwsj", "supervision_notice.notice.reply"): (15, "day", "第十二条"),
    ("jingzhou-zwsj", "supervision_notice.decision.reply"): (15, "day", "第十二条"),
    ("jingzhou-zwsj", "supervision_notice.correction_report"): (15, "day", "第十二条"),
    ("qianjiang-amr", "accountability.referral"): (2, "day", "第十条（一）"),
    ("qianjiang-amr", "accountability.reinvestigation_order"): (1, "month", "第十条（三）"),
    ("zhongshan-amr", "disclosure.decision"): (20, "workday", "第三条（五）"),
    ("zhongshan-amr", "disclosure.permit_penalty_decision"): (7, "workday", "第三条（五）"),
    ("zhongshan-amr", "complaint.handling"): (30, "day", "第6条"),
    ("zhongshan-amr", "complaint.extension.max"): (20, "day", "第6条"),
}


def collapse(text: str) -> str:
    return " ".join(text.split())


def raw_profiles() -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(PROFILES_DIR.glob("*.yaml"))
    }


def test_every_shipped_profile_validates():
    assert check_all() == []
    assert available_profiles() == sorted(PROFILE_SEEDS)


def test_one_profile_per_seed_and_seeds_unchanged():
    shipped = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS_DIR.glob("*.txt")}
    assert shipped == SEED_SHA256
    for code, seed in PROFILE_SEEDS.items():
        profile = load_profile(code)
        assert profile.seed == seed
        assert profile.seed_sha256 == SEED_SHA256[seed]
        assert all(c.file == seed for rule in profile.rules.values() for c in rule.citations())


def test_every_quote_is_verbatim_in_its_seed():
    seeds = {name: collapse((SEEDS_DIR / name).read_text(encoding="utf-8")) for name in SEED_SHA256}
    count = 0
    for code, data in raw_profiles().items():
        for key, rule in data["rules"].items():
            for citation in [rule["citation"], *rule.get("see_also", [])]:
                quote = collapse(citation["quote"])
                assert quote in seeds[citation.get("file", data["seed"])], (code, key, citation["quote"])
                count += 1
    assert count > 250


def test_every_period_is_pinned_and_its_unit_matches_the_words_of_the_seed():
    found = {}
    for code in available_profiles():
        for key, rule in load_profile(code).rules.items():
            if rule.kind == "period":
                period = rule.value
                found[(code, key)] = (period.amount, period.unit, period.citation.article)
                quote = collapse(period.citation.quote)
                if period.unit == "workday":
                    assert f"{period.amount}个工作日" in quote, (code, key)
                elif period.unit == "day":
                    assert f"{period.amount}日" in quote and f"{period.amount}个工作日" not in quote, (
                        code,
                        key,
                    )
                else:
                    assert f"{period.amount}个月" in quote or (period.amount == 6 and "每半年" in quote), (
                        code,
                        key,
                    )
    assert found == PERIODS


def test_known_differences_between_seeds():
    jingzhou = load_profile("jingzhou-ggzy")
    handling = jingzhou.period("complaint.handling")
    assert (handling.amount, handling.unit) == (30, "day")
    assert str(handling.citation) == "《荆州市公共资源交易监督管理局行政执法投诉举报制度》第六条"
    assert handling.citation.annex == "附件1"
    extension = jingzhou.period("complaint.extension.max")
    assert (extension.amount, extension.unit) == (30, "day")
    assert jingzhou.value("complaint.extension.approver").roles == ("principal_leader",)
    assert (jingzhou.period("complaint.acceptance").amount, jingzhou.period("complaint.acceptance").unit) == (
        5,
        "workday",
    )

    zhongshan = load_profile("zhongshan-amr")
    assert (zhongshan.period("complaint.handling").amount, zhongshan.period("complaint.handling").unit) == (
        30,
        "day",
    )
    extension = zhongshan.period("complaint.extension.max")
    assert (extension.amount, extension.unit, extension.citation.article) == (20, "day", "第6条")
    assert extension.citation.system == "行政执法投诉举报制度"
    assert zhongshan.value("complaint.handling_unit").unit_kind == "personnel"
    assert zhongshan.period("disclosure.decision").amount == 20
    assert zhongshan.period("disclosure.permit_penalty_decision").amount == 7
    # 第5条 sets no acceptance period: the profile must not invent one.
    assert not zhongshan.has("complaint.acceptance")
    with pytest.raises(RuleMissing, match=r"zhongshan-amr.*complaint\.acceptance"):
        zhongshan.period("complaint.acceptance")

    liangping = load_profile("liangping-district")
    assigned = liangping.period("complaint.assigned.handling")
    assert (assigned.amount, assigned.unit) == (15, "workday")
    assert assigned.citation.annex == "附件1" and assigned.citation.article.startswith("一、")
    extension = liangping.period("complaint.assigned.extension.max")
    assert (extension.amount, extension.unit) == (15, "workday")
    approver = liangping.value("complaint.assigned.extension.approver")
    assert (approver.body, approver.roles) == ("区司法局", ())
    assert liangping.value("complaint.supervised_handling.dissatisfied_count") == 2
    # The district sets no period for complaints the agency receives itself.
    assert not liangping.has("complaint.handling")


def test_interference_sanctions_differ_as_the_seeds_say():
    # 000 goes straight to discipline; 001, 003 and 004 warn first and escalate from the second time.
    assert load_profile("jingzhou-ggzy").value("interference.unrecorded_sanctions") == ("纪律处分",)
    assert not load_profile("jingzhou-ggzy").has("interference.unrecorded_repeat_count")
    for code in ("liangping-district", "qianjiang-amr", "zhongshan-amr"):
        profile = load_profile(code)
        assert profile.value("interference.unrecorded_sanctions") == ("警告", "通报批评")
        assert profile.value("interference.unrecorded_repeat_count") == 2
    assert load_profile("qianjiang-amr").rule("interference.unrecorded_sanctions").citation.article == (
        "第十二条（第二处）"
    )


def test_review_thresholds_and_filing_periods():
    zhongshan = load_profile("zhongshan-amr")
    assert zhongshan.value("review.fine_threshold.natural_person") == 10000
    assert zhongshan.value("review.fine_threshold.organisation") == 100000
    assert zhongshan.rule("review.fine_threshold.organisation").measure == "元"
    zwsj = load_profile("jingzhou-zwsj")
    assert zwsj.period("filing.normative_document").amount == 30
    assert zwsj.period("filing.major_penalty_decision").amount == 15


def test_accountability_grounds_keep_the_seeds_numbering_gap():
    grounds = load_profile("liangping-district").rule("accountability.grounds")
    assert len(grounds.value) == 9
    assert "（七）（八）" in grounds.note


def test_catalogue_is_complete_and_every_key_is_used():
    cat = catalogue()
    used = {key for code in available_profiles() for key in load_profile(code).rules} | set(national().rules)
    assert used == set(cat.keys)
    for spec in cat.keys.values():
        assert spec.label and spec.description
        assert spec.domain in cat.domains


def test_profile_metadata():
    liangping = load_profile("liangping-district")
    assert liangping.document_number == "梁平府办发〔2021〕101号"
    assert liangping.document_date == "2021-12-24"
    qianjiang = load_profile("qianjiang-amr")
    assert qianjiang.document_number == "黔江市监发〔2020〕95号"
    assert load_profile("jingzhou-zwsj").issuers == (
        "荆州市政务服务和大数据管理局",
        "荆州市公共资源交易监督管理局",
    )
    assert load_profile("zhongshan-amr").document_date == ""
