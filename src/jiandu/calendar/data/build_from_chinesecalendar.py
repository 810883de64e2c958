"""Provenance step: build `cn_official.json` (2004–2026) from the `chinesecalendar` package data.

    .venv/bin/python -m jiandu.calendar.data.build_from_chinesecalendar          # write the file
    .venv/bin/python -m jiandu.calendar.data.build_from_chinesecalendar --check  # compare only

The dates come from chinesecalendar 1.11.0 (`chinese_calendar.constants`, which its maintainers
transcribe from each notice in `scripts/data.py`). The JSON is the shipped data; the engine reads
only the JSON and never imports chinesecalendar.

Dates are filed under the year they fall in, even when a later notice set them (the 2012 notice
made 2011-12-31 a working day); `source.related` names that notice and the dates it governs.

Notice metadata: URLs are those cited by chinesecalendar's `scripts/data.py`, except 2005 (it cites
a Baidu Zhidao answer; we cite the Wikisource transcription) and 2026 (the gov.cn 政策文件库 page).
Notice numbers and dates were cross-read from public transcriptions of the notices; where no
source gave them (the 2007 notice's number, the issue dates of the 2006 and 2007 notices and of
the 2015 notice) the field is left empty rather than guessed. The 2006 number and the 2008–2012
and 2014 numbers and dates each rest on one secondary transcription, not on the gov.cn page.
"""

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import chinese_calendar

from jiandu.calendar.engine import YearData

FIRST_YEAR, LAST_YEAR = 2004, 2026
OUT = Path(__file__).with_name("cn_official.json")


def _title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


# year: (notice number, notice date, url)
NOTICES: dict[int, tuple[str, str, str]] = {
    2004: (
        "国办发明电〔2003〕53号",
        "2003-12-18",
        "https://zh.wikisource.org/zh-hans/国务院办公厅关于2004年部分节假日安排的通知",
    ),
    2005: (
        "国办发明电〔2004〕52号",
        "2004-12-17",
        "https://zh.wikisource.org/wiki/国务院办公厅关于2005年部分节假日安排的通知",
    ),
    2006: ("国办发明电〔2005〕35号", "", "http://www.gov.cn/jrzg/2005-12/22/content_133837.htm"),
    2007: ("", "", "http://www.gov.cn/fwxx/sh/2006-12/18/content_471877.htm"),
    2008: ("国办发明电〔2007〕52号", "2007-12-15", "http://www.gov.cn/zwgk/2007-12/18/content_837184.htm"),
    2009: ("国办发明电〔2008〕42号", "2008-12-04", "http://www.gov.cn/zwgk/2008-12/10/content_1174014.htm"),
    2010: ("国办发明电〔2009〕27号", "2009-12-08", "http://www.gov.cn/zwgk/2009-12/08/content_1482691.htm"),
    2011: ("国办发明电〔2010〕40号", "2010-12-10", "http://www.gov.cn/zwgk/2010-12/10/content_1762643.htm"),
    2012: ("国办发明电〔2011〕45号", "2011-12-06", "http://www.gov.cn/zwgk/2011-12/06/content_2012097.htm"),
    2013: ("国办发明电〔2012〕33号", "2012-12-08", "http://www.gov.cn/zwgk/2012-12/10/content_2286598.htm"),
    2014: ("国办发明电〔2013〕28号", "2013-12-11", "http://www.gov.cn/zwgk/2013-12/11/content_2546204.htm"),
    2015: (
        "国办发明电〔2014〕28号",
        "2014-12-16",
        "http://www.gov.cn/zhengce/content/2014-12/16/content_9302.htm",
    ),
    2016: (
        "国办发明电〔2015〕18号",
        "2015-12-10",
        "http://www.gov.cn/zhengce/content/2015-12/10/content_10394.htm",
    ),
    2017: (
        "国办发明电〔2016〕17号",
        "2016-12-01",
        "http://www.gov.cn/zhengce/content/2016-12/01/content_5141603.htm",
    ),
    2018: (
        "国办发明电〔2017〕12号",
        "2017-11-30",
        "http://www.gov.cn/zhengce/content/2017-11/30/content_5243579.htm",
    ),
    2019: ("国办发明电〔2018〕15号", "2018-12-04", "http://www.gov.cn/xinwen/2018-12/06/content_5346287.htm"),
    2020: (
        "国办发明电〔2019〕16号",
        "2019-11-21",
        "http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm",
    ),
    2021: (
        "国办发明电〔2020〕27号",
        "2020-11-25",
        "http://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm",
    ),
    2022: (
        "国办发明电〔2021〕11号",
        "2021-10-25",
        "http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
    ),
    2023: (
        "国办发明电〔2022〕16号",
        "2022-12-08",
        "http://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
    ),
    2024: (
        "国办发明电〔2023〕7号",
        "2023-10-25",
        "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
    ),
    2025: (
        "国办发明电〔2024〕12号",
        "2024-11-12",
        "https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
    ),
    2026: (
        "国办发明电〔2025〕7号",
        "2025-11-04",
        "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
    ),
}


def _next_year_notice(year: int, dates: list[str], note: str) -> dict:
    """A related entry: dates in late December of `year` set by the notice for `year + 1`."""
    number, issued, url = NOTICES[year + 1]
    return {
        "title": _title(year + 1),
        "notice": number,
        "date": issued,
        "url": url,
        "dates": dates,
        "note": note,
    }


# Other notices that set dates of a year: the next year's New Year arrangement, and the
# State Council's own changes during a year.
RELATED: dict[int, list[dict]] = {
    2005: [
        _next_year_notice(
            2005,
            ["2005-12-31"],
            "2006年元旦：12月31日（星期六）上班。chinesecalendar 1.11.0 未收录此日，据通知原文补正。",
        )
    ],
    2006: [_next_year_notice(2006, ["2006-12-30", "2006-12-31"], "2007年元旦：2006年12月30日、31日上班。")],
    2007: [
        _next_year_notice(
            2007,
            ["2007-12-29", "2007-12-30", "2007-12-31"],
            "2008年元旦：2007年12月30日至2008年1月1日放假，12月29日（星期六）上班。",
        )
    ],
    2011: [_next_year_notice(2011, ["2011-12-31"], "2012年元旦：2011年12月31日（星期六）上班。")],
    2015: [
        {
            "title": "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知",
            "notice": "国发明电〔2015〕1号",
            "date": "",
            "url": "http://www.gov.cn/zhengce/content/2015-05/13/content_9742.htm",
            "dates": ["2015-09-03", "2015-09-04", "2015-09-06"],
            "note": "9月3日至5日调休放假，9月6日（星期日）上班。",
        }
    ],
    2018: [
        _next_year_notice(
            2018,
            ["2018-12-29", "2018-12-30", "2018-12-31"],
            "2019年元旦：2018年12月30日至2019年1月1日放假，12月29日（星期六）上班。",
        )
    ],
    2019: [
        {
            "title": "国务院办公厅关于调整2019年劳动节假期安排的通知",
            "notice": "国办发明电〔2019〕3号",
            "date": "2019-03-22",
            "url": "http://www.gov.cn/zhengce/content/2019-03/22/content_5375877.htm",
            "dates": ["2019-04-28", "2019-05-01", "2019-05-02", "2019-05-03", "2019-05-04", "2019-05-05"],
            "note": "劳动节改为5月1日至4日放假调休，4月28日（星期日）、5月5日（星期日）上班。",
        }
    ],
    2020: [
        {
            "title": "国务院办公厅关于延长2020年春节假期的通知",
            "notice": "国办发明电〔2020〕1号",
            "date": "2020-01-27",
            "url": "http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm",
            "dates": ["2020-01-31", "2020-02-01", "2020-02-02"],
            "note": "春节假期延长至2月2日，原定2月1日（星期六）上班取消。",
        }
    ],
    2022: [_next_year_notice(2022, ["2022-12-31"], "2023年元旦：2022年12月31日至2023年1月2日放假。")],
    2023: [
        _next_year_notice(
            2023, ["2023-12-30", "2023-12-31"], "2024年元旦：1月1日放假，与周末（12月30日、31日）连休。"
        )
    ],
}

# Corrections to chinesecalendar, each with the notice text that decides it.
# 2006 notice: "将12月31日(星期六)、1月1日(星期日)两个公休日调至1月2日(星期一)、3日(星期二)，
# 12月31日(星期六)上班" — chinesecalendar's own transcription quotes this but does not record it.
EXTRA_WORKDAYS = {date(2005, 12, 31)}


def build() -> dict:
    years = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        holidays = {d for d in chinese_calendar.constants.holidays if d.year == year}
        workdays = {d for d in chinese_calendar.constants.workdays if d.year == year}
        workdays |= {d for d in EXTRA_WORKDAYS if d.year == year}
        number, issued, url = NOTICES[year]
        source: dict = {"title": _title(year), "notice": number, "date": issued, "url": url}
        if year in RELATED:
            source["related"] = RELATED[year]
        item = {
            "year": year,
            "holidays": sorted(d.isoformat() for d in holidays),
            "workdays": sorted(d.isoformat() for d in workdays),
            "source": source,
        }
        YearData.from_dict(item)  # validates: in-year, disjoint, weekend workdays, fixed holidays
        listed = set(item["holidays"]) | set(item["workdays"])
        for related in source.get("related", []):
            stray = set(related["dates"]) - listed
            if stray:
                raise SystemExit(f"{year}: related notice dates not in the data: {sorted(stray)}")
        years.append(item)
    return {
        "description": (
            "中华人民共和国国务院办公厅年度节假日安排（2004–2026）：holidays 为放假日，"
            "workdays 为调休上班的周六、周日。Official PRC working-day calendar from the "
            "State Council's yearly holiday notices."
        ),
        "generated_by": "jiandu.calendar.data.build_from_chinesecalendar (chinesecalendar 1.11.0)",
        "years": years,
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("cn_official.json is up to date" if same else "cn_official.json differs from the build")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
