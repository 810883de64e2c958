"""Test data shared by the calendar's and the deadlines app's tests."""


def year_2027() -> dict:
    """A stand-in for the 2027 notice, which is not yet published: made-up dates, the real shape."""
    return {
        "year": 2027,
        "holidays": [
            "2027-01-01",
            *(f"2027-02-{d:02d}" for d in range(5, 14)),
            "2027-04-05",
            *(f"2027-05-{d:02d}" for d in range(1, 6)),
            "2027-06-09",
            "2027-09-15",
            *(f"2027-10-{d:02d}" for d in range(1, 8)),
        ],
        "workdays": ["2027-02-20", "2027-10-09"],
        "source": {
            "title": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
            "notice": "国办发明电〔2026〕99号",
            "date": "2026-11-01",
            "url": "",
        },
    }
