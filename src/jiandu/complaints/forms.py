"""Forms of the complaint pages.

The services check every rule (what is required when, which category an agency accepts, what a
file may contain) and raise the first one broken, with `ServiceError.field` naming the form field
it belongs to; so field names here are the names the services use. The intake forms also check,
in `clean()`, what a person can get wrong in one go (every text through `core.text.clean_text`,
the complainant's particulars, each file), so that one submit shows every error at once instead
of one per round trip.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.crypto import salted_hmac

from jiandu.core.errors import ServiceError
from jiandu.core.text import clean_text
from jiandu.orgs.models import Agency, Certificate, Person
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.inputs import MAX_FILES_PER_FORM, MultipleFileField
from jiandu.procedures.uploads import CheckedFile, check_upload
from jiandu.rules.citations import cite

from . import services
from .models import Complaint, Rating

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日期格式不正确，例如 2026-03-01。"}


class Form(forms.Form):
    """Labels stand above their fields, without Django's ASCII colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Put a service's message next to the field it names (or above the form).

    A message that quotes a rule's citation names the regulation by title and article only.
    """
    form.add_error(error.field if error.field in form.fields else None, cite(error.message))


def _checked_text(form: forms.Form, texts: dict[str, tuple[str, bool]]) -> None:
    """Pass each text field through `clean_text` (kind, required), collecting every message."""
    for name, (kind, required) in texts.items():
        if name not in form.cleaned_data:
            continue  # the field's own checks already refused it
        try:
            form.cleaned_data[name] = clean_text(
                form.cleaned_data[name],
                field=name,
                label=str(form.fields[name].label),
                kind=kind,
                required=required,
            )
        except ServiceError as error:
            form.add_error(name, error.message)


# A mainland mobile number (optionally +86), or a landline with its area code and an optional
# extension: 13800138000, +86 138 0013 8000, 0858-8322945, (0858)8322945, 010-12345678-123, …转123.
PHONE = re.compile(
    r"(?:\+?86-?)?1[3-9]\d{9}|(?:0\d{2,3}-?|\(0\d{2,3}\))\d{7,8}(?:(?:-|转|分机|ext\.?)\d{1,6})?",
    re.IGNORECASE,
)
PHONE_ERROR = (
    "联系电话格式不正确：请填写 11 位手机号码（如 13800138000），"
    "或带区号的固定电话（如 0858-8322945，有分机的写成 0858-8322945-123）。"
)


def phone_ok(value: str) -> bool:
    """Whether `value` is a Chinese mobile or landline number (spaces ignored)."""
    return bool(PHONE.fullmatch(re.sub(r"\s+", "", value)))


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
    name = forms.CharField(
        label="姓名", required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    organisation = forms.CharField(
        label="单位名称", required=False, help_text="以法人或者其他组织名义投诉举报时填写。"
    )
    phone = forms.CharField(
        label="联系电话",
        required=False,
        help_text="手机号码，或带区号的固定电话，如 0858-8322945。",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱格式不正确。"}
    )
    address = forms.CharField(label="通信地址", required=False)
    entrusted = forms.BooleanField(label="受他人委托投诉举报", required=False)
    entrusted_by = forms.CharField(label="委托人", required=False)
    attachments = MultipleFileField(
        label="证据材料",
        help_text="照片、录音、视频、PDF、Word、Excel 或文本文件；按文件内容检查类型，单个文件不超过 20 MB。",
    )

    identity_fields = ("name", "organisation", "phone", "email", "address", "entrusted_by")
    # Text fields and their kind of text (`core.text`): a line, or a long text.
    texts = {
        "target_description": ("line", False),
        "content": ("long", True),
        "name": ("line", False),
        "organisation": ("line", False),
        "phone": ("line", False),
        "address": ("line", False),
        "entrusted_by": ("line", False),
    }

    def __init__(self, *args: Any, agency: Agency, kept: int = 0, **kwargs: Any) -> None:
        """`kept`: how many files earlier posts of this form already left with the server."""
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.kept = kept
        self.checked: list[CheckedFile] = []  # the files of this post that passed the check
        categories = services.categories_for(profile_for(agency))
        # A profile that lists no categories accepts any: the complainant names the kind of act.
        self.fields["category"].choices = [("", "请选择")] + [(c, c) for c in categories or ["其他"]]
        self.fields["target_agency"].queryset = Agency.objects.filter(
            is_active=True, kind=Agency.Kind.ENFORCEMENT
        ).order_by("code")

    def clean_attachments(self) -> list[UploadedFile]:
        """Check every new file by its content; keep the good ones even when another is refused."""
        items = self.cleaned_data["attachments"]
        if self.kept + len(items) > MAX_FILES_PER_FORM:
            raise forms.ValidationError(
                f"一次最多上传 {MAX_FILES_PER_FORM} 个文件（已上传 {self.kept} 个），请减少文件后再试。"
            )
        refused = []
        for item in items:
            try:
                self.checked.append(check_upload(item, field="attachments"))
            except ServiceError as error:
                refused.append(error.message)
        if refused:
            raise forms.ValidationError(refused)
        return items

    def clean(self) -> dict[str, Any]:
        """Every error of the submit at once; the service checks the same again when it registers."""
        data = super().clean()
        _checked_text(self, self.texts)
        anonymous, entrusted = data.get("anonymous"), data.get("entrusted")
        if not anonymous and "name" in data and not data["name"]:
            self.add_error("name", "请填写投诉举报人姓名，或选择匿名投诉。")
        contacts = ("phone", "email", "address")
        if (
            not anonymous
            and all(name in data for name in contacts)
            and not any(data[name] for name in contacts)
        ):
            self.add_error("phone", "请至少填写一种联系方式（电话、电子邮箱或通信地址）。")
        if data.get("phone") and not phone_ok(data["phone"]):
            self.add_error("phone", PHONE_ERROR)
        if entrusted and "entrusted_by" in data and not data["entrusted_by"]:
            self.add_error("entrusted_by", "委托投诉须填写委托人。")
        if data.get("occurred_on") and data["occurred_on"] > timezone.localdate():
            self.add_error("occurred_on", "发生日期不能晚于今天。")
        return data

    def resubmission_digest(self) -> str:
        """What makes two submits the same complaint: the receiving agency, the matter, who complains.

        Keyed (HMAC), so the digest kept in the session says nothing about the identity inside it.
        """
        data = self.cleaned_data
        facts = {
            "agency": self.agency.pk,
            "category": data["category"],
            "content": data["content"],
            "target_agency": data["target_agency"].pk if data["target_agency"] else None,
            "target_description": data["target_description"],
            "occurred_on": data["occurred_on"].isoformat() if data["occurred_on"] else None,
            "anonymous": data["anonymous"],
            "entrusted": data["entrusted"],
            **{name: data[name] for name in self.identity_fields},
        }
        canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True)
        return salted_hmac("jiandu.complaints.resubmit", canonical, algorithm="sha256").hexdigest()

    def officer(self) -> Person | None:
        """The officer complained about, where the form identifies one."""
        return self.cleaned_data.get("target_officer")

    def intake(
        self, *, channel: str, attachments: list[UploadedFile], assigned_by: Agency | None = None
    ) -> services.Intake:
        """The intake for the service; `attachments`: every file kept for this form."""
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
            attachments=attachments,
        )


class PublicComplaintForm(IntakeForm):
    """The public form (no sign-in)."""


class StaffRegisterForm(IntakeForm):
    """A letter, call, visit or a handed-over complaint registered by staff."""

    channel = forms.ChoiceField(label="投诉渠道")
    target_officer = forms.CharField(
        label="被投诉执法人员的执法证件编号",
        required=False,
        help_text="投诉举报人指明执法人员且能确定其证件编号时填写。",
    )
    field_order = ["channel"]

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, Complaint.Channel(c).label) for c in channels]

    def clean_target_officer(self) -> Person | None:
        try:
            number = clean_text(
                self.cleaned_data["target_officer"], field="target_officer", label="执法证件编号", kind="line"
            )
        except ServiceError as error:
            raise forms.ValidationError(error.message) from None
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
    reason = forms.CharField(
        label="不满意的原因",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="评价“不满意”的，请写明对处理结果哪些地方不满意、您的诉求是什么；承办人员和监督机关会看到。",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        _checked_text(self, {"reason": ("short", False)})
        value = data.get("value")
        if value in services.DISPUTED_RATINGS:
            if "reason" in data and not data["reason"]:
                self.add_error("reason", "请写明不满意的原因，以便重新办理时有针对性。")
        else:
            # A reason typed before choosing 满意 is moot; the service takes none with it.
            data["reason"] = ""
        return data


# ------------------------------------------------------------------------------------ actions


class DecideExtensionForm(Form):
    approve = forms.TypedChoiceField(
        choices=[("1", "批准"), ("0", "不批准")],
        coerce=lambda value: value == "1",
        error_messages={"required": "请选择批准或不批准。"},
    )
    note = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExplanationForm(Form):
    explanation = forms.CharField(label="书面说明", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    files = MultipleFileField(label="证据材料")
