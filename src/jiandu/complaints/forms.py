"""Forms of the complaint pages.

Forms only parse what was typed; the rules (what is required when, which category an agency
accepts, what a file may contain) are checked by `services`, whose `ServiceError.field` names the
form field the message belongs to. So field names here are the names the services use.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from jiandu.core.errors import ServiceError
from jiandu.orgs.models import Agency, Certificate, Person
from jiandu.rules.services import profile_for

from . import services
from .models import Complaint, Material, Rating

# Anti-abuse bounds on one submission (not legal rules): how many files one form may carry.
MAX_FILES_PER_FORM = 10


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if len(items) > MAX_FILES_PER_FORM:
            raise forms.ValidationError(f"一次最多上传 {MAX_FILES_PER_FORM} 个文件。")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日期格式不正确，例如 2026-03-01。"}


class Form(forms.Form):
    """Labels stand above their fields, without Django's ASCII colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Put a service's message next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


# ------------------------------------------------------------------------------------ intake


class IntakeForm(Form):
    """What every registration asks: the matter, the body complained about and the complainant."""

    category = forms.ChoiceField(label="投诉类别", error_messages={"required": "请选择投诉类别。"})
    target_agency = forms.ModelChoiceField(
        label="被投诉机关",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="与受理机关相同",
    )
    target_description = forms.CharField(
        label="被投诉的执法人员",
        max_length=200,
        required=False,
        help_text="姓名、执法证件编号或可以辨认的特征（知道的才填）。",
    )
    content = forms.CharField(
        label="投诉举报内容",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写投诉举报的具体内容。"},
        help_text="发生了什么、在什么地点、涉及哪些执法行为；请如实填写。",
    )
    occurred_on = forms.DateField(
        label="发生日期", required=False, widget=DATE_INPUT, error_messages=DATE_ERRORS
    )
    anonymous = forms.BooleanField(
        label="匿名投诉举报", required=False, help_text="匿名的，可以不填姓名和联系方式，但无法收到书面答复。"
    )
    name = forms.CharField(label="姓名", max_length=60, required=False)
    organisation = forms.CharField(
        label="单位名称", max_length=200, required=False, help_text="以法人或者其他组织名义投诉举报时填写。"
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱格式不正确。"}
    )
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    entrusted = forms.BooleanField(label="受他人委托投诉举报", required=False)
    entrusted_by = forms.CharField(label="委托人", max_length=60, required=False)
    attachments = MultipleFileField(
        label="证据材料",
        help_text="照片、录音、视频、PDF、Word、Excel 或文本文件；按文件内容检查类型，单个文件不超过 20 MB。",
    )

    identity_fields = ("name", "organisation", "phone", "email", "address", "entrusted_by")

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        categories = services.categories_for(profile_for(agency))
        # A profile that lists no categories accepts any: the complainant names the kind of act.
        self.fields["category"].choices = [("", "请选择")] + [(c, c) for c in categories or ["其他"]]
        self.fields["target_agency"].queryset = Agency.objects.filter(
            is_active=True, kind=Agency.Kind.ENFORCEMENT
        ).order_by("code")

    def officer(self) -> Person | None:
        """The officer complained about, where the form identifies one."""
        return self.cleaned_data.get("target_officer")

    def intake(self, *, channel: str, assigned_by: Agency | None = None) -> services.Intake:
        data = self.cleaned_data
        officer = self.officer()
        return services.Intake(
            agency=self.agency,
            channel=channel,
            category=data["category"],
            content=data["content"],
            target_agency=data["target_agency"] or (officer.agency if officer else None),
            target_officer=officer,
            target_description=data["target_description"],
            occurred_on=data["occurred_on"],
            anonymous=data["anonymous"],
            entrusted=data["entrusted"],
            complainant=services.Complainant(**{name: data[name].strip() for name in self.identity_fields}),
            assigned_by=assigned_by,
            attachments=data["attachments"],
        )


class PublicComplaintForm(IntakeForm):
    """The public form (no sign-in)."""


class StaffRegisterForm(IntakeForm):
    """A letter, call, visit or a handed-over complaint registered by staff."""

    channel = forms.ChoiceField(label="投诉渠道")
    target_officer = forms.CharField(
        label="被投诉执法人员的执法证件编号",
        max_length=40,
        required=False,
        help_text="投诉举报人指明执法人员且能确定其证件编号时填写。",
    )
    field_order = ["channel"]

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, Complaint.Channel(c).label) for c in channels]

    def clean_target_officer(self) -> Person | None:
        number = self.cleaned_data["target_officer"].strip()
        if not number:
            return None
        certificate = Certificate.objects.select_related("person__agency").filter(number=number).first()
        if certificate is None:
            raise forms.ValidationError("没有该编号的行政执法证件。")
        return certificate.person


# ------------------------------------------------------------------------------------ status


class StatusLookupForm(Form):
    tracking_code = forms.CharField(
        label="查询码", max_length=32, error_messages={"required": "请填写查询码。"}
    )
    secret = forms.CharField(
        label="查询密码",
        max_length=32,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "请填写查询密码。"},
    )


class RatingForm(Form):
    value = forms.ChoiceField(
        label="您对处理结果的评价",
        widget=forms.RadioSelect,
        # 不合格 is the hotline's return-visit verdict, not a choice on this page.
        choices=[
            (v, Rating.Value(v).label)
            for v in (Rating.Value.SATISFIED, Rating.Value.BASICALLY, Rating.Value.DISSATISFIED)
        ],
        error_messages={"required": "请选择评价。"},
    )


# ------------------------------------------------------------------------------------ actions


class EmptyForm(Form):
    """An act with nothing to fill in (accept, archive)."""


class RejectForm(Form):
    reason = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    legal_basis = forms.CharField(label="依据", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RehandleForm(Form):
    reason = forms.CharField(
        label="重新办理的理由（针对投诉举报人的不满意之处）",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ExplanationMattersForm(Form):
    matters = forms.CharField(
        label="需要说明的事项（被投诉机关只看到这段文字，请勿写入投诉举报人信息）",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReferForm(Form):
    competent_body = forms.CharField(label="有权处理的机关", max_length=200, required=False)
    reason = forms.CharField(label="移送理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MaterialForm(Form):
    kind = forms.ChoiceField(
        label="类别",
        choices=[(k, Material.Kind(k).label) for k in (Material.Kind.NOTE, Material.Kind.EVIDENCE)],
    )
    note = forms.CharField(label="记录内容或说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(label="文件", required=False)


class ExtensionForm(Form):
    amount = forms.IntegerField(
        label="延长期间",
        min_value=1,
        error_messages={"required": "请填写延长期间。", "invalid": "延长期间须为正整数。"},
    )
    reasons = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ConcludeForm(Form):
    finding = forms.ChoiceField(
        label="查处结论",
        choices=Complaint.Finding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择查处结论。"},
    )
    measures = forms.MultipleChoiceField(
        label="处理措施",
        choices=list(services.MEASURES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="查证属实或部分属实的，应当选择处理措施；查证不属实的，不选。",
    )
    result_text = forms.CharField(
        label="告知投诉举报人的处理结果", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class DecideExtensionForm(Form):
    approve = forms.TypedChoiceField(
        choices=[("1", "批准"), ("0", "不批准")],
        coerce=lambda value: value == "1",
        error_messages={"required": "请选择批准或不批准。"},
    )
    note = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RevealForm(Form):
    reason = forms.CharField(
        label="查看事由",
        max_length=200,
        required=False,
        help_text="例如：需电话联系投诉举报人核实情况。事由和查看人记入台账。",
    )


class ExplanationForm(Form):
    explanation = forms.CharField(label="书面说明", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    files = MultipleFileField(label="证据材料")
