"""What the complaints API reads and writes.

Confidentiality (000 第九条, 004 第8条): no output serializer here has a field for the
complainant. `complainant_sealed` is never serialised; the identity leaves the server only through
the `reveal` action (`IdentitySerializer`), which the service ledgers. Input serializers name their
fields as the request does, so that an error's `fields` points at what the caller sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from jiandu.core import text
from jiandu.core.errors import ServiceError
from jiandu.deadlines.models import Deadline
from jiandu.ledger.models import LedgerEntry
from jiandu.orgs import directory
from jiandu.orgs.models import Agency, Person
from jiandu.procedures.api.views import AllowedStepSerializer
from jiandu.procedures.inputs import date_range
from jiandu.procedures.models import Approval
from jiandu.procedures.registry import Step
from jiandu.procedures.runner import allowed_steps

from .. import services
from ..models import Complaint, ExplanationRequest, Material, Rating

# ---------------------------------------------------------------------------------- checked input


class TextField(serializers.CharField):
    """Text checked as every text at the edge is (`core.text.clean_text`): no control characters,
    bounded by its kind ("line", "short", "long") or a narrower `max_length`; the error names the
    field in Chinese by its `label`."""

    def __init__(self, *, kind: str = "short", label: str = "", **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", None)
        kwargs.setdefault("trim_whitespace", False)  # clean_text strips, after looking at everything
        super().__init__(label=label or None, **kwargs)
        # The schema shows the bound; to_internal_value enforces it (clean_text or max_length).
        self.max_length = min(self.max_length or text.limit(kind), text.limit(kind))

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        try:
            value = text.clean_text(
                str(data), field=self.field_name, label=self.label or self.field_name, kind=self.kind
            )
        except ServiceError as exc:
            raise serializers.ValidationError(exc.message) from None
        if len(value) > self.max_length:
            label = self.label or self.field_name
            raise serializers.ValidationError(
                f"“{label}”不能超过 {self.max_length} 个字符（现为 {len(value)} 个）。"
            )
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class BoundedDateField(serializers.DateField):
    """A date within `date_range()`."""

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        first, last = date_range()
        if not first <= day <= last:
            raise serializers.ValidationError(f"日期须在 {first} 至 {last} 之间。")
        return day


# ------------------------------------------------------------------------------------- references


class AgencyRefSerializer(serializers.ModelSerializer):
    """An agency named by id, code and name."""

    class Meta:
        model = Agency
        fields = ["id", "code", "name"]


class PersonRefSerializer(serializers.ModelSerializer):
    """A member of staff acting on the complaint (never the complainant)."""

    class Meta:
        model = Person
        fields = ["id", "username", "full_name"]


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "机关的 id 或代码（如 demo-amr）",
    }
)
class AgencyField(serializers.Field):
    """An agency given by its id or by its code; with `handles_complaints`, never a government.

    A people's government is not an enforcement body: complaints name the agency that enforces,
    and are received by one, not by the district government above them.
    """

    default_error_messages = {
        "unknown": "本平台没有该机关。",
        "invalid": "请填写机关的 id 或代码。",
        "government": "人民政府不是执法机关，请填写具体的行政执法机关。",
    }

    def __init__(self, *, handles_complaints: bool = False, **kwargs: Any) -> None:
        self.handles_complaints = handles_complaints
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Agency:
        # From the directory cache (orgs.directory): the agency with its profile row, without the
        # profile's document, which rules.services.parsed_profile reads only on a cache miss.
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        reference = data.strip() if isinstance(data, str) else data
        # Codes and ids are ASCII, and ids fit a database integer: anything else ("²", 10**30)
        # is no agency, rather than an error deeper down.
        if isinstance(reference, str) and not reference.isascii():
            self.fail("unknown")
        if isinstance(reference, int) and not 0 < reference < 2**63:
            self.fail("unknown")
        if isinstance(reference, str) and reference.isdigit() and int(reference) >= 2**63:
            self.fail("unknown")
        agency = directory.active_agency(reference)
        if agency is None:
            self.fail("unknown")
        if self.handles_complaints and agency.kind == Agency.Kind.GOVERNMENT:
            self.fail("government")
        return agency

    def to_representation(self, value: Agency) -> dict[str, Any]:
        return AgencyRefSerializer(value).data


def state_field_class(component: str, choices: list[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A read-only state field whose enum is the named OpenAPI component.

    Complaints, deadlines and extension requests all have a `state`, each with its own values;
    unnamed, the schema generator would have to invent colliding enum names for them.
    """

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": "；".join(f"{value}：{label}" for value, label in choices),
        },
        component_name=component,
    )
    class StateField(serializers.ChoiceField):
        """The state, read-only, documented as the named enum."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, read_only=True, **kwargs)

    return StateField


ComplaintStateField = state_field_class("ComplaintState", Complaint.State.choices)
DeadlineStateField = state_field_class("DeadlineState", Deadline.State.choices)
ExtensionRequestStateField = state_field_class("ExtensionRequestState", Approval.Outcome.choices)


class ApiErrorDetailSerializer(serializers.Serializer):
    """The body of an error: a code, a Chinese message and the fields at fault."""

    code = serializers.CharField()
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="出错的字段及其说明"
    )


class ApiErrorSerializer(serializers.Serializer):
    """The API's one error format (`jiandu.api.errors`), for the schema."""

    error = ApiErrorDetailSerializer()


# -------------------------------------------------------------------------------------- deadlines


class DeadlineBriefSerializer(serializers.ModelSerializer):
    """An open period on a complaint: its due date, the rule and the article it comes from."""

    state = DeadlineStateField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Deadline
        fields = [
            "id",
            "rule_key",
            "title",
            "due_date",
            "provisional",
            "citation",
            "state",
            "state_label",
            "base_due_date",
        ]

    def to_representation(self, instance: Deadline) -> dict[str, Any]:
        if not _iso_dates():
            return super().to_representation(instance)
        return _deadline_brief(instance)


def _iso_dates() -> bool:
    # The fast paths below write dates as ISO 8601, DRF's default; any other format takes DRF's path.
    return getattr(api_settings, "DATE_FORMAT", ISO_8601) == ISO_8601


# What DRF's ChoiceField answers for a stored state (`choice_strings_to_values`), and the label
# `get_state_display` gives it, both looked up once here instead of per row.
_DEADLINE_STATE_VALUES = {str(value): value for value, _label in Deadline.State.choices}
_DEADLINE_STATE_LABELS = {value: label for value, label in Deadline._meta.get_field("state").flatchoices}


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _deadline_brief(obj: Deadline) -> dict[str, Any]:
    """DeadlineBriefSerializer's output, field for field, without DRF's per-field machinery.

    A page of deadlines is the hot path of the due-soon / overdue lists: DRF's generic walk
    (a signature inspection for `get_state_display` on every row, a field object per value)
    cost more than the query. Same keys, order, types and values as the declared fields.
    """
    state = obj.state
    label = _DEADLINE_STATE_LABELS.get(state, state)
    return {
        "id": int(obj.id),
        "rule_key": str(obj.rule_key),
        "title": str(obj.title),
        "due_date": _date(obj.due_date),
        "provisional": bool(obj.provisional),
        "citation": str(obj.citation),
        "state": state if state in ("", None) else _DEADLINE_STATE_VALUES.get(str(state), state),
        "state_label": None if label is None else str(label),
        "base_due_date": _date(obj.base_due_date),
    }


class DeadlineSerializer(DeadlineBriefSerializer):
    """A deadline in the viewer's due-soon / overdue list, with the matter it runs on."""

    subject_type = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta(DeadlineBriefSerializer.Meta):
        fields = [
            *DeadlineBriefSerializer.Meta.fields,
            "agency",
            "owner",
            "subject_type",
            "subject_id",
            "overdue",
        ]

    def get_subject_type(self, obj: Deadline) -> str:
        # get_for_id is served from Django's content-type cache: no query per row; the label is
        # kept per serializer (a page has few subject types).
        labels = self.__dict__.setdefault("_subject_labels", {})
        label = labels.get(obj.subject_type_id)
        if label is None:
            content_type = ContentType.objects.get_for_id(obj.subject_type_id)
            label = labels[obj.subject_type_id] = f"{content_type.app_label}.{content_type.model}"
        return label

    def get_overdue(self, obj: Deadline) -> bool:
        return obj.due_date < self.context["today"]

    def to_representation(self, instance: Deadline) -> dict[str, Any]:
        if not _iso_dates():
            return super().to_representation(instance)
        data = _deadline_brief(instance)
        data["agency"] = instance.agency_id
        data["owner"] = instance.owner_id
        data["subject_type"] = self.get_subject_type(instance)
        data["subject_id"] = int(instance.subject_id)
        data["overdue"] = self.get_overdue(instance)
        return data


# ------------------------------------------------------------------------------------- complaints


class ComplaintListSerializer(serializers.ModelSerializer):
    """A complaint in a list: where it stands and what is due, never who complained."""

    agency = AgencyRefSerializer(read_only=True)
    target_agency = AgencyRefSerializer(read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    state = ComplaintStateField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    open_deadlines = DeadlineBriefSerializer(source="open_deadline_list", many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "agency",
            "target_agency",
            "channel",
            "channel_label",
            "category",
            "state",
            "state_label",
            "anonymous",
            "entrusted",
            "supervised",
            "hotline_ticket",
            "received_at",
            "decided_at",
            "concluded_at",
            "open_deadlines",
        ]


class MaterialSerializer(serializers.ModelSerializer):
    """A material on the file: its kind, note, digest and who added it."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "kind",
            "kind_label",
            "note",
            "name",
            "content_type",
            "size",
            "sha256",
            "added_by_label",
            "created_at",
        ]

    def get_name(self, obj: Material) -> str:
        # The complainant's own file names may name the complainant; staff files keep theirs.
        return "" if obj.kind == Material.Kind.ATTACHMENT else obj.original_name


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """A request to extend the handling period and its decision (a kernel approval)."""

    complaint = serializers.IntegerField(source="matter_id", read_only=True)
    complaint_number = serializers.CharField(read_only=True)  # annotated by the list, set by the detail
    amount = serializers.IntegerField(source="details.amount", read_only=True)
    unit = serializers.CharField(source="details.unit", read_only=True)
    state = ExtensionRequestStateField(source="outcome")
    state_label = serializers.CharField(source="get_outcome_display", read_only=True)
    requested_by = PersonRefSerializer(read_only=True)
    decided_by = PersonRefSerializer(read_only=True, allow_null=True)
    decision_note = serializers.CharField(source="decision_reason", read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "complaint",
            "complaint_number",
            "amount",
            "unit",
            "reasons",
            "state",
            "state_label",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class ExplanationRequestBriefSerializer(serializers.ModelSerializer):
    """An explanation request as the handler sees it on the complaint."""

    respondent = AgencyRefSerializer(read_only=True)

    class Meta:
        model = ExplanationRequest
        fields = ["id", "respondent", "requested_at", "answered_at", "explanation"]


class RatingSerializer(serializers.ModelSerializer):
    """A rating of the answer (by the complainant or the hotline)."""

    value_label = serializers.CharField(source="get_value_display", read_only=True)

    class Meta:
        model = Rating
        fields = ["value", "value_label", "source", "answer_round", "visit_id", "created_at"]


class MeasureSerializer(serializers.Serializer):
    """A measure taken on conclusion (000 第八条), with its label."""

    code = serializers.CharField()
    label = serializers.CharField()


def step_path(step: Step, complaint: Complaint) -> str:
    """The address at which this API takes `step` on `complaint` (revealing has its own)."""
    slug = "reveal" if step.name == "complaints.reveal_complainant" else step.slug
    return f"/api/complaints/{complaint.pk}/{slug}/"


class ComplaintDetailSerializer(ComplaintListSerializer):
    """One complaint with its decisions, materials and requests; still never who complained."""

    assigned_by = AgencyRefSerializer(read_only=True, allow_null=True)
    target_officer = PersonRefSerializer(read_only=True, allow_null=True)
    handler = PersonRefSerializer(read_only=True, allow_null=True)
    finding_label = serializers.CharField(source="get_finding_display", read_only=True)
    measures = serializers.SerializerMethodField()
    materials = MaterialSerializer(many=True, read_only=True)
    extension_requests = serializers.SerializerMethodField()
    explanation_requests = ExplanationRequestBriefSerializer(many=True, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    allowed_steps = serializers.SerializerMethodField(help_text="当前用户现在可以办理的环节")

    class Meta(ComplaintListSerializer.Meta):
        fields = [
            *ComplaintListSerializer.Meta.fields,
            "allowed_steps",
            "assigned_by",
            "target_officer",
            "target_description",
            "content",
            "occurred_on",
            "handler",
            "decision_reason",
            "legal_basis",
            "referred_to",
            "finding",
            "finding_label",
            "measures",
            "result_text",
            "answer_round",
            "rehandling_reason",
            "archived_at",
            "archive_digest",
            "materials",
            "extension_requests",
            "explanation_requests",
            "ratings",
        ]

    @extend_schema_field(ExtensionRequestSerializer(many=True))
    def get_extension_requests(self, obj: Complaint) -> list[dict[str, Any]]:
        rows = list(services.extensions_of(obj).select_related("requested_by", "decided_by"))
        for row in rows:
            row.complaint_number = obj.number
        return ExtensionRequestSerializer(rows, many=True).data

    @extend_schema_field(AllowedStepSerializer(many=True))
    def get_allowed_steps(self, obj: Complaint) -> list[dict[str, Any]]:
        """The steps the requester may take now: the same guards the runner applies."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [
            {
                "name": step.name,
                "label": step.label,
                "path": step_path(step, obj),
                "irreversible": step.irreversible,
                "consequence": step.consequence,
            }
            for step in allowed_steps(user, obj)
        ]

    @extend_schema_field(MeasureSerializer(many=True))
    def get_measures(self, obj: Complaint) -> list[dict[str, str]]:
        return [{"code": m, "label": services.MEASURES.get(m, m)} for m in obj.measures]


class TimelineEntrySerializer(serializers.ModelSerializer):
    """A ledger entry on the complaint; payloads hold ids, states and dates, never personal data."""

    class Meta:
        model = LedgerEntry
        fields = ["seq", "recorded_at", "actor_label", "action", "payload"]


class ExplanationRequestSerializer(serializers.ModelSerializer):
    """What the body complained about is asked to explain: the matter, not the complaint's text.

    The complaint's content is the complainant's own words and may identify them, so the body
    complained about sees the number, category, date and the conduct described, and its deadline.
    """

    complaint_number = serializers.CharField(source="complaint.number", read_only=True)
    category = serializers.CharField(source="complaint.category", read_only=True)
    occurred_on = serializers.DateField(source="complaint.occurred_on", read_only=True, allow_null=True)
    target_description = serializers.CharField(source="complaint.target_description", read_only=True)
    respondent = AgencyRefSerializer(read_only=True)
    matters = serializers.CharField(read_only=True)
    due = serializers.SerializerMethodField()

    class Meta:
        model = ExplanationRequest
        fields = [
            "id",
            "complaint",
            "complaint_number",
            "category",
            "occurred_on",
            "target_description",
            "matters",
            "respondent",
            "requested_at",
            "answered_at",
            "explanation",
            "due",
        ]

    @extend_schema_field(DeadlineBriefSerializer(allow_null=True))
    def get_due(self, obj: ExplanationRequest) -> dict[str, Any] | None:
        for deadline in getattr(obj.complaint, "open_deadline_list", []):
            if deadline.agency_id == obj.respondent_id:
                return DeadlineBriefSerializer(deadline).data
        return None


# ------------------------------------------------------------------------------------ what comes in


class ComplainantSerializer(serializers.Serializer):
    """Who complains; accepted on registration, returned only by `reveal`."""

    name = TextField(kind="line", label="姓名", required=False, allow_blank=True, max_length=100)
    phone = TextField(kind="line", label="联系电话", required=False, allow_blank=True, max_length=40)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=200)
    address = TextField(kind="short", label="地址", required=False, allow_blank=True, max_length=300)
    id_number = TextField(kind="line", label="证件号码", required=False, allow_blank=True, max_length=40)
    organisation = TextField(kind="line", label="单位名称", required=False, allow_blank=True, max_length=200)
    entrusted_by = TextField(kind="line", label="委托人", required=False, allow_blank=True, max_length=100)


class IdentitySerializer(serializers.Serializer):
    """The revealed identity (an empty object for an anonymous complaint without details)."""

    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    organisation = serializers.CharField(required=False)
    entrusted_by = serializers.CharField(required=False)


class ComplaintCreateSerializer(serializers.Serializer):
    """Registration by staff (letter, call, visit, on behalf), or a hand-over by the hotline account."""

    agency = AgencyField(handles_complaints=True, help_text="受理机关（id 或代码）")
    channel = serializers.ChoiceField(choices=Complaint.Channel.choices)
    category = TextField(kind="line", label="投诉类别")
    content = TextField(kind="long", label="投诉举报内容", help_text="投诉举报的具体内容")
    target_agency = AgencyField(
        handles_complaints=True, required=False, allow_null=True, help_text="被投诉机关（默认为受理机关）"
    )
    target_description = TextField(kind="line", label="被投诉人员", required=False, allow_blank=True)
    occurred_on = BoundedDateField(required=False, allow_null=True)
    anonymous = serializers.BooleanField(required=False, default=False)
    entrusted = serializers.BooleanField(required=False, default=False)
    complainant = ComplainantSerializer(required=False)
    hotline_ticket = TextField(
        kind="line",
        label="12345工单编号",
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=64,
        help_text="12345工单编号（仅热线接口账号填写）",
    )


class ReceiptSerializer(serializers.Serializer):
    """What registration answers: the secret is given once, here, and never again."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    tracking_code = serializers.CharField()
    secret = serializers.CharField(help_text="查询密码，仅在登记时返回一次；同一工单重复提交时为空")


class RevealSerializer(serializers.Serializer):
    """Why the identity is looked at; the reason goes into the ledger entry of the reveal."""

    reason = TextField(kind="line", label="查看事由", help_text="查看事由（记入台账）")


# ------------------------------------------------------------------------------------ 12345 hotline


class HotlineTicketSerializer(serializers.Serializer):
    """One 12345 ticket handed over: the caller is the complainant."""

    ticket_no = TextField(kind="line", label="工单编号", max_length=64, help_text="12345工单编号（幂等键）")
    agency = TextField(kind="line", label="受理机关代码", max_length=64, help_text="受理机关代码")
    category = TextField(kind="line", label="投诉类别")
    content = TextField(kind="long", label="诉求内容")
    caller_name = TextField(
        kind="line", label="来电人", required=False, allow_blank=True, max_length=100, default=""
    )
    caller_phone = TextField(
        kind="line", label="联系电话", required=False, allow_blank=True, max_length=40, default=""
    )
    anonymous = serializers.BooleanField(required=False, default=False)
    occurred_on = BoundedDateField(required=False, allow_null=True, default=None)
    target_description = TextField(
        kind="line", label="被投诉对象", required=False, allow_blank=True, default=""
    )


class HotlineReceiptSerializer(serializers.Serializer):
    """What the hotline gets back for a ticket: the complaint number, and the secret when it was new."""

    ticket_no = serializers.CharField()
    number = serializers.CharField()
    tracking_code = serializers.CharField()
    secret = serializers.CharField(help_text="查询密码，仅在首次转办时返回；重复转办时为空")
    created = serializers.BooleanField()


class HotlineStatusSerializer(serializers.ModelSerializer):
    """Status and result for the hotline's 回复/回访: where the ticket stands, never the caller."""

    ticket_no = serializers.CharField(source="hotline_ticket", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    state = ComplaintStateField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    finding_label = serializers.CharField(source="get_finding_display", read_only=True)
    rejection_reason = serializers.SerializerMethodField()
    referral_reason = serializers.SerializerMethodField()
    due_date = serializers.SerializerMethodField()
    due_provisional = serializers.SerializerMethodField()
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "ticket_no",
            "number",
            "agency",
            "state",
            "state_label",
            "received_at",
            "decided_at",
            "concluded_at",
            "archived_at",
            "finding",
            "finding_label",
            "result_text",
            "rejection_reason",
            "legal_basis",
            "referred_to",
            "referral_reason",
            "supervised",
            "due_date",
            "due_provisional",
            "ratings",
        ]

    # decision_reason holds the reason of whichever decision was taken: rejection or referral.
    def get_rejection_reason(self, obj: Complaint) -> str:
        return "" if obj.referred_to else obj.decision_reason

    def get_referral_reason(self, obj: Complaint) -> str:
        return obj.decision_reason if obj.referred_to else ""

    def _due(self, obj: Complaint) -> Deadline | None:
        return next((d for d in obj.open_deadline_list if d.agency_id == obj.agency_id), None)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_date(self, obj: Complaint) -> Any:
        due = self._due(obj)
        return due.due_date if due else None

    def get_due_provisional(self, obj: Complaint) -> bool:
        due = self._due(obj)
        return bool(due and due.provisional)


class HotlineRatingSerializer(serializers.Serializer):
    """The caller's rating as the hotline's return visit (回访) recorded it."""

    value = serializers.ChoiceField(choices=Rating.Value.choices)
    visit_id = TextField(
        kind="line",
        label="回访编号",
        max_length=64,
        help_text="回访编号：同一次回访重复报送只记一次（返回 200 和原评价）；已报送的回访不能改报",
    )


class HotlineRatingResultSerializer(serializers.Serializer):
    """The rating recorded, and whether the ticket is now under supervised handling (督办)."""

    ticket_no = serializers.CharField()
    visit_id = serializers.CharField()
    value = serializers.CharField()
    value_label = serializers.CharField()
    answer_round = serializers.IntegerField(help_text="所评的是第几次答复（重新办理后再次答复时加一）")
    supervised = serializers.BooleanField(help_text="是否已进入督办")
