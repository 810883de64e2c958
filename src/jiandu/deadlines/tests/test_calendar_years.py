"""Adding and correcting official calendar years: the service, the merged calendar and the admin."""

import json
from datetime import date

import pytest
from django.urls import reverse

from jiandu.calendar import Unit, default_calendar
from jiandu.calendar.tests.fixtures import year_2027
from jiandu.core.errors import ServiceError
from jiandu.deadlines.calendar_source import get_calendar
from jiandu.deadlines.models import CalendarYear
from jiandu.deadlines.services import import_calendar_year
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs.models import Person

pytestmark = pytest.mark.django_db


def test_import_extends_the_horizon_and_ledgers_it():
    before = LedgerEntry.objects.count()
    row = import_calendar_year(year_2027())
    assert (row.year, row.notice) == (2027, "国办发明电〔2026〕99号")
    assert get_calendar().horizon == (date(2004, 1, 1), date(2027, 12, 31))
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == before + 1
    assert entry.action == "calendar.year.import"
    assert entry.object_id == str(row.pk)
    assert entry.payload["year"] == 2027 and entry.payload["replaces"] is None
    assert len(entry.payload["sha256"]) == 64


def test_importing_2027_makes_a_provisional_date_exact():
    start = date(2027, 2, 4)
    provisional = get_calendar().add(start, 1, Unit.WORKDAY, provisional_ok=True)
    assert provisional.provisional and provisional.due == date(2027, 2, 9)
    import_calendar_year(year_2027())
    exact = get_calendar().add(start, 1, Unit.WORKDAY)
    assert not exact.provisional and exact.due == date(2027, 2, 15)


def test_a_database_row_replaces_the_shipped_year():
    corrected = default_calendar().year_data(2025).to_dict()
    corrected["holidays"].append("2025-10-13")  # a made-up extra day off
    corrected["source"]["notice"] = "国办发明电〔2024〕12号（测试更正）"
    import_calendar_year(corrected)
    assert not get_calendar().is_working_day(date(2025, 10, 13))
    assert default_calendar().is_working_day(date(2025, 10, 13))  # the shipped data is untouched
    assert LedgerEntry.objects.order_by("-seq").first().payload["replaces"] == "shipped"
    assert get_calendar().source_of(2025)["notice"].endswith("（测试更正）")


def test_the_calendar_is_cached_until_the_table_changes():
    first = get_calendar()
    assert get_calendar() is first
    import_calendar_year(year_2027())
    second = get_calendar()
    assert second is not first and get_calendar() is second
    # A correction of the same year (another server's write, as far as this process knows).
    corrected = year_2027()
    corrected["workdays"] = ["2027-02-20"]
    import_calendar_year(corrected)
    assert get_calendar() is not second
    assert not get_calendar().is_working_day(date(2027, 10, 9))


def test_a_year_removed_behind_the_services_back_is_noticed_too():
    import_calendar_year(year_2027())
    extended = get_calendar()
    assert extended.horizon[1] == date(2027, 12, 31)
    # A bulk delete sends no signal and leaves no newer updated_at; the trigger renews the stamp.
    CalendarYear.objects.filter(year=2027).delete()
    assert get_calendar() is not extended and get_calendar().horizon[1] == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (lambda d: d.update(workdays=["2027-02-22"]), "workdays", "2027-02-22"),  # a Monday
        (lambda d: d["holidays"].append("2028-01-01"), "holidays", "2028-01-01"),
        (lambda d: d["holidays"].append("2027-02-30"), "holidays", "2027-02-30"),
        (lambda d: d["holidays"].remove("2027-10-01"), "holidays", "2027-10-01"),
        (lambda d: d.update(workdays=["2027-02-06"]), "workdays", "2027-02-06"),  # also a holiday
        (lambda d: d["source"].update(notice=""), "source.notice", "文号"),
        (lambda d: d["source"].update(provisional=True), "source.provisional", "暂定"),
        (lambda d: d.update(year=2028, holidays=[], workdays=[]), "holidays", "2028-01-01"),
    ],
)
def test_invalid_year_is_refused_naming_the_field_and_nothing_is_written(change, field, needle):
    data = year_2027()
    change(data)
    before = LedgerEntry.objects.count()
    with pytest.raises(ServiceError) as caught:
        import_calendar_year(data)
    assert caught.value.field == field
    assert needle in caught.value.message
    assert CalendarYear.objects.count() == 0
    assert LedgerEntry.objects.count() == before


def test_a_year_that_would_leave_a_gap_is_refused():
    data = year_2027()
    data["year"] = 2028
    data["holidays"] = [d.replace("2027", "2028") for d in data["holidays"]]
    data["workdays"] = ["2028-02-19"]
    with pytest.raises(ServiceError, match="2027") as caught:
        import_calendar_year(data)
    assert caught.value.field == "year"
    assert not CalendarYear.objects.exists()


@pytest.fixture
def admin_client(client):
    admin = Person.objects.create_superuser("calendar-admin", "calendar-admin@example.org", "x" * 16)
    client.force_login(admin)
    return client, admin


def test_admin_add_goes_through_the_service(admin_client):
    client, admin = admin_client
    response = client.post(reverse("admin:deadlines_calendaryear_add"), {"data": json.dumps(year_2027())})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarYear.objects.get()
    assert row.year == 2027
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.action == "calendar.year.import" and entry.actor_id == admin.pk
    listing = client.get(reverse("admin:deadlines_calendaryear_changelist")).content.decode()
    assert "国办发明电〔2026〕99号" in listing


def test_admin_shows_validation_errors_on_the_form(admin_client):
    client, _ = admin_client
    data = year_2027()
    data["workdays"] = ["2027-02-22"]
    response = client.post(reverse("admin:deadlines_calendaryear_add"), {"data": json.dumps(data)})
    assert response.status_code == 200
    assert "2027-02-22" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_admin_cannot_delete_years(admin_client):
    client, _ = admin_client
    row = import_calendar_year(year_2027())
    response = client.post(reverse("admin:deadlines_calendaryear_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert CalendarYear.objects.filter(pk=row.pk).exists()
