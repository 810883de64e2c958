"""The loader refuses broken profiles with messages naming the file and key, resolves `extends`, and
returns immutable profiles."""

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from jiandu.core.errors import ServiceError
from jiandu.rules.loader import (
    PROFILES_DIR,
    Citation,
    ProfileError,
    RuleKindError,
    RuleMissing,
    UnknownRuleKey,
    check_all,
    load_document,
    load_profile,
)

CODE = "jingzhou-ggzy"
FILE = f"{CODE}.yaml"


def shipped(code: str = CODE) -> dict:
    return yaml.safe_load((PROFILES_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def write(directory: Path, document: dict, code: str | None = None) -> None:
    name = code or document["code"]
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def problems_for(tmp_path: Path, document: dict) -> list[str]:
    write(tmp_path, document, CODE)
    with pytest.raises(ProfileError) as caught:
        load_profile(CODE, directory=tmp_path)
    assert check_all(tmp_path) == [str(p) for p in caught.value.problems]
    return [str(p) for p in caught.value.problems]


def broken(mutate) -> dict:
    document = shipped()
    mutate(document)
    return document


def test_missing_citation_is_refused_naming_file_and_key(tmp_path):
    document = broken(lambda d: d["rules"]["complaint.handling"].pop("citation"))
    assert problems_for(tmp_path, document) == [f"{FILE}: rules/complaint.handling: 缺少必填项 citation"]


def test_unknown_period_unit_is_refused(tmp_path):
    document = broken(lambda d: d["rules"]["complaint.handling"].update(unit="week"))
    [problem] = problems_for(tmp_path, document)
    assert problem.startswith(f"{FILE}: rules/complaint.handling/unit: 'week' 不是允许的值")


@pytest.mark.parametrize(
    "key", ["Complaint.Handling", "complaint..handling", "complaint", "complaint.handling-x"]
)
def test_badly_formed_key_path_is_refused(tmp_path, key):
    document = broken(lambda d: d["rules"].__setitem__(key, d["rules"].pop("complaint.handling")))
    [problem] = problems_for(tmp_path, document)
    assert problem.startswith(f"{FILE}: rules/{key}: 键 {key!r} 格式不对")


def test_key_outside_the_catalogue_is_refused(tmp_path):
    document = broken(
        lambda d: d["rules"].__setitem__("complaint.handling_days", d["rules"].pop("complaint.handling"))
    )
    [problem] = problems_for(tmp_path, document)
    assert problem.startswith(f"{FILE}: rules/complaint.handling_days: 键不在规则目录")


def test_kind_must_match_the_catalogue(tmp_path):
    rule = {"kind": "text", "value": "30日", "citation": shipped()["rules"]["complaint.handling"]["citation"]}
    document = broken(lambda d: d["rules"].__setitem__("complaint.handling", rule))
    assert f"{FILE}: rules/complaint.handling/kind: 目录规定此键为 period，这里写成了 text" in problems_for(
        tmp_path, document
    )


def test_quote_not_in_the_seed_is_refused(tmp_path):
    def misquote(d):
        d["rules"]["complaint.handling"]["citation"]["quote"] = "法规科自受理行政执法投诉举报后60日内审查终结"

    [problem] = problems_for(tmp_path, broken(misquote))
    assert problem.startswith(f"{FILE}: rules/complaint.handling/citation/quote: 引文不是原文")


def test_quote_may_differ_from_the_seed_only_in_whitespace(tmp_path):
    def reflow(d):
        d["rules"]["complaint.truthfulness"]["citation"]["quote"] = (
            "投诉举报人对投诉举报内容\n 的真实性负责。"
        )

    write(tmp_path, broken(reflow), CODE)
    assert load_profile(CODE, directory=tmp_path).rule("complaint.truthfulness").value is True


def test_list_items_must_be_the_seeds_words(tmp_path):
    def add_item(d):
        d["rules"]["complaint.outcomes"]["items"].append("罚款")

    [problem] = problems_for(tmp_path, broken(add_item))
    assert problem.startswith(f"{FILE}: rules/complaint.outcomes/items/3: '罚款' 不是所引条文中的字样")


def test_paraphrase_needs_a_note(tmp_path):
    def paraphrase(d):
        rule = d["rules"]["complaint.outcomes"]
        rule["items"] = ["移交处理"]
        rule["verbatim"] = False
        rule.pop("note")

    assert problems_for(tmp_path, broken(paraphrase)) == [
        f"{FILE}: rules/complaint.outcomes/note: verbatim: false 时须在 note 中说明理由"
    ]


def test_citation_must_name_a_system_of_the_profile(tmp_path):
    def wrong_system(d):
        d["rules"]["complaint.handling"]["citation"]["system"] = "行政执法监督制度"

    [problem] = problems_for(tmp_path, broken(wrong_system))
    assert problem.startswith(f"{FILE}: rules/complaint.handling/citation/system:")


def test_citation_must_cite_the_profiles_own_seed(tmp_path):
    def other_seed(d):
        d["rules"]["complaint.handling"]["citation"]["file"] = "004_15f54f20eedb7af0.txt"

    found = problems_for(tmp_path, broken(other_seed))
    assert found[0].startswith(f"{FILE}: rules/complaint.handling/citation/file: 只能引用本配置的原文")


def test_seed_digest_must_match(tmp_path):
    document = broken(lambda d: d.update(seed_sha256="0" * 64))
    assert problems_for(tmp_path, document)[0].startswith(f"{FILE}: seed_sha256:")


def test_code_must_match_file_name(tmp_path):
    document = broken(lambda d: d.update(code="jingzhou-other"))
    assert problems_for(tmp_path, document) == [
        f"{FILE}: code: 代码 'jingzhou-other' 与文件名 '{CODE}' 不一致"
    ]


def test_role_needs_exactly_one_of_role_and_body(tmp_path):
    document = broken(lambda d: d["rules"]["complaint.extension.approver"].update(body="区司法局"))
    assert problems_for(tmp_path, document) == [
        f"{FILE}: rules/complaint.extension.approver: role（平台角色）与 body（外部机关）须有且只有一个"
    ]


def test_duplicate_yaml_keys_are_refused(tmp_path):
    text = (PROFILES_DIR / FILE).read_text(encoding="utf-8")
    text = text.replace("  complaint.kinds:", "  complaint.handling:\n    kind: flag\n  complaint.kinds:", 1)
    (tmp_path / FILE).write_text(text, encoding="utf-8")
    [problem] = check_all(tmp_path)
    assert problem.startswith(f"{FILE}: YAML 格式错误") and "重复的键 'complaint.handling'" in problem


def test_unquoted_dates_stay_text(tmp_path):
    text = (PROFILES_DIR / FILE).read_text(encoding="utf-8").replace('"2021-05-12"', "2021-05-12")
    (tmp_path / FILE).write_text(text, encoding="utf-8")
    assert load_profile(CODE, directory=tmp_path).document_date == "2021-05-12"


def test_every_problem_of_a_file_is_listed(tmp_path):
    def two_faults(d):
        d["rules"]["complaint.handling"]["citation"]["quote"] = "没有这句话"
        d["rules"]["complaint.acceptance"]["citation"]["quote"] = "也没有这句话"

    assert len(problems_for(tmp_path, broken(two_faults))) == 2


# ------------------------------------------------------------------------------------------ extends

NATIONAL = {
    "code": "national",
    "name": "国家法律、行政法规",
    "issuers": ["全国人民代表大会常务委员会"],
    "rules": {
        "complaint.confidentiality": {
            "kind": "flag",
            "value": True,
            "citation": {
                "law": "中华人民共和国行政处罚法",
                "article": "第五十条",
                "quote": "行政机关及其工作人员对实施行政处罚过程中知悉的国家秘密、商业秘密或者个人隐私",
            },
        },
        "complaint.handling": {
            "kind": "period",
            "amount": 60,
            "unit": "day",
            "start": "受理",
            "citation": {
                "law": "中华人民共和国行政处罚法",
                "article": "第六十条",
                "quote": "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。",
            },
        },
    },
}


def test_extends_merges_a_base_and_the_seed_rule_wins(tmp_path):
    write(tmp_path, NATIONAL)
    write(tmp_path, broken(lambda d: d.update(extends="national")), CODE)
    profile = load_profile(CODE, directory=tmp_path)
    assert profile.inherits == ("national",)
    assert profile.period("complaint.handling").amount == 30  # the seed's, not the base's 60
    assert profile.period("complaint.handling").citation.file == "000_e1ba62d0300353fa.txt"
    # A key the seed is silent on comes from the base, with the base's citation.
    silent = broken(lambda d: d.update(extends="national"))
    del silent["rules"]["complaint.confidentiality"]
    write(tmp_path, silent, CODE)
    profile = load_profile(CODE, directory=tmp_path)
    citation = profile.rule("complaint.confidentiality").citation
    assert str(citation) == "《中华人民共和国行政处罚法》第五十条"
    assert not citation.is_seed
    # The resolved document stands alone: reading it back needs no base file.
    assert load_document(profile.as_document()).rules == profile.rules


def test_extends_cycle_and_missing_base_are_refused(tmp_path):
    write(tmp_path, {**NATIONAL, "extends": CODE})
    write(tmp_path, broken(lambda d: d.update(extends="national")), CODE)
    assert any("extends 形成循环" in p for p in check_all(tmp_path))
    write(tmp_path, broken(lambda d: d.update(extends="nowhere")), CODE)
    (tmp_path / "national.yaml").unlink()
    assert check_all(tmp_path) == [f"{FILE}: extends: 基础配置 nowhere 不存在"]


def test_base_profile_may_not_quote_a_seed_it_does_not_have(tmp_path):
    base = copy.deepcopy(NATIONAL)
    base["rules"]["complaint.handling"]["citation"] = {
        "system": "某制度",
        "article": "第一条",
        "quote": "某句",
    }
    write(tmp_path, base)
    assert check_all(tmp_path) == [
        "national.yaml: rules/complaint.handling/citation/file: 未指明所引原文文件，且本配置没有 seed"
    ]


# ------------------------------------------------------------------------------------------ documents


def test_document_round_trip_keeps_everything():
    profile = load_profile("zhongshan-amr")
    again = load_document(profile.as_document())
    assert again == profile
    assert again.digest == profile.digest
    assert profile.as_document()["rules"]["complaint.handling"]["label"] == "审查终结（办结）期限"


def test_tampered_document_is_refused():
    document = load_profile(CODE).as_document()
    document["rules"]["complaint.handling"]["citation"]["quote"] = (
        "法规科自受理行政执法投诉举报后60日内审查终结"
    )
    with pytest.raises(
        ProfileError, match=r"<规则配置 jingzhou-ggzy>: rules/complaint.handling/citation/quote"
    ):
        load_document(document)
    document = load_profile(CODE).as_document()
    document["rules"]["complaint.handling"]["amount"] = "30"
    with pytest.raises(ProfileError, match=r"rules/complaint.handling/amount: 类型应为 integer"):
        load_document(document)


# ------------------------------------------------------------------------------------------ the Profile API


def test_profile_accessors():
    profile = load_profile(CODE)
    period = profile.period("complaint.acceptance")
    assert (period.amount, period.unit, str(period)) == (5, "workday", "5个工作日")
    assert period.start == "接到行政执法投诉举报"
    assert profile.value("complaint.channels") == ("来信", "来电", "来访")
    assert profile.value("complaint.confidentiality") is True
    assert profile.value("complaint.handling_unit").name == "法规科"
    assert profile.has("complaint.handling") and not profile.has("filing.normative_document")
    assert profile.rule("complaint.extension.max").display() == "30日（自原审查期限届满起算）"


def test_missing_unknown_and_wrong_kind_are_distinct_errors():
    profile = load_profile(CODE)
    with pytest.raises(RuleMissing) as missing:
        profile.period("filing.normative_document")
    assert isinstance(missing.value, ServiceError)
    assert "jingzhou-ggzy" in missing.value.message and "filing.normative_document" in missing.value.message
    with pytest.raises(UnknownRuleKey, match=r"complaint\.handling_days"):
        profile.period("complaint.handling_days")
    with pytest.raises(RuleKindError):
        profile.period("complaint.channels")


def test_profile_is_immutable():
    profile = load_profile(CODE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.code = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.rules["complaint.handling"] = None  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.period("complaint.handling").amount = 60  # type: ignore[misc]
    assert isinstance(profile.value("complaint.channels"), tuple)
    document = profile.as_document()
    document["rules"].clear()
    assert profile.as_document()["rules"]


def test_citation_strings():
    seed = Citation(
        system="行政执法投诉举报制度", article="第六条", file="000_e1ba62d0300353fa.txt", quote="…"
    )
    # As a person cites it: the title and the article, never the file the text is kept in.
    assert str(seed) == "《行政执法投诉举报制度》第六条"
    assert str(dataclasses.replace(seed, title="荆州市公共资源交易监督管理局行政执法投诉举报制度")) == (
        "《荆州市公共资源交易监督管理局行政执法投诉举报制度》第六条"
    )
    assert (
        str(Citation(law="中华人民共和国行政处罚法", article="第八十五条"))
        == "《中华人民共和国行政处罚法》第八十五条"
    )


# ------------------------------------------------------------------------------------- national layer


def test_the_national_layer_quotes_its_laws_article_by_article(tmp_path):
    from jiandu.rules.loader import load_national, national

    layer = national()
    assert {c.law for r in layer.rules.values() for c in r.citations()} == {
        "中华人民共和国行政处罚法",
        "中华人民共和国行政许可法",
        "中华人民共和国行政强制法",
        "行政执法监督条例",
    }
    assert str(layer.rule("complaint.basis").citation) == "《中华人民共和国行政处罚法》第七十五条第二款"
    document = yaml.safe_load((national_dir() / "national.yaml").read_text(encoding="utf-8"))

    def refused(citation: dict) -> str:
        broken = copy.deepcopy(document)
        broken["rules"]["oversight.body"]["citation"] = citation
        path = tmp_path / "national.yaml"
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ProfileError) as exc:
            load_national(path)
        return str(exc.value)

    # 行政执法监督条例 第七条 could not be obtained: nothing of it may be cited.
    assert "原文不在随附文本中" in refused(
        {"law": "行政执法监督条例", "article": "第七条", "quote": "行政执法监督"}
    )
    # A quote must be the article's own words, and cannot run across a gap in the copy.
    assert "不是《行政执法监督条例》第六条中的原话" in refused(
        {"law": "行政执法监督条例", "article": "第六条", "quote": "设在乡镇（街道）的司法所协助"}
    )
    assert "国家层没有《某某法》" in refused({"law": "某某法", "article": "第一条", "quote": "x"})


def national_dir():
    from jiandu.rules.national import DIRECTORY

    return DIRECTORY
