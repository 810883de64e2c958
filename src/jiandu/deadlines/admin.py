"""Admin for official calendar years: adding or correcting one goes through the import service."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from jiandu.core.errors import ServiceError
from jiandu.deadlines.models import CalendarYear
from jiandu.deadlines.services import import_calendar_year, validate_calendar_year
from jiandu.ledger.admin_base import LedgeredAdmin

_EXAMPLE = (
    '{"year": 2027, "holidays": ["2027-01-01", …], "workdays": ["2027-02-20", …], '
    '"source": {"title": "国务院办公厅关于2027年部分节假日安排的通知", "notice": "国办发明电〔2026〕N号", '
    '"date": "2026-11-…", "url": "https://www.gov.cn/…"}}'
)


class CalendarYearForm(forms.ModelForm):
    data = forms.JSONField(
        label="日历数据",
        help_text=f"一年的安排：放假日（holidays）、调休上班的周六日（workdays）与来源通知（source）。例：{_EXAMPLE}",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
    )

    class Meta:
        model = CalendarYear
        fields = ["data"]

    def clean_data(self) -> Any:
        data = self.cleaned_data["data"]
        try:
            year = validate_calendar_year(data)
        except ServiceError as exc:
            raise forms.ValidationError(f"{exc.field}：{exc.message}" if exc.field else exc.message) from None
        if self.instance.pk and year.year != self.instance.year:
            raise forms.ValidationError(f"这一记录是 {self.instance.year} 年，不能改成 {year.year} 年")
        if not self.instance.pk and CalendarYear.objects.filter(year=year.year).exists():
            raise forms.ValidationError(f"{year.year} 年已导入，请在列表中修改该记录")
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(LedgeredAdmin):
    form = CalendarYearForm
    list_display = ("year", "notice", "updated_at")
    fields = ("year", "notice", "data", "updated_at")
    readonly_fields = ("year", "notice", "updated_at")
    ordering = ("-year",)

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        # Deleting a year could leave a gap in the calendar; a wrong year is corrected by re-importing it.
        return False

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: CalendarYearForm, change: bool
    ) -> None:
        # The service validates, writes and ledgers; the admin's own save would bypass all three.
        saved = import_calendar_year(form.cleaned_data["data"], actor=request.user)
        obj.pk, obj.year, obj.notice, obj.data, obj.updated_at = (
            saved.pk,
            saved.year,
            saved.notice,
            saved.data,
            saved.updated_at,
        )
