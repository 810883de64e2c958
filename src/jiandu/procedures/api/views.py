"""The REST API of every procedure, generated from its declarations.

For a procedure with code `filings`:
  GET  /api/filings/                 the viewer's matters (the list's search and filters, keyset pages)
  GET  /api/filings/{id}/            one matter, with `allowed_steps` (what the viewer may do now)
  POST /api/filings/new/{step}/      a step that creates a matter (in the caller's agency)
  POST /api/filings/{id}/{step}/     any other step
Each step's request body is its inputs (one serializer per step, documented in the OpenAPI
schema); the runner validates and refuses exactly as it does for the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from jiandu.core.errors import ServiceError
from jiandu.deadlines.services import deadlines_of
from jiandu.orgs.directory import load_viewer
from jiandu.orgs.models import Person

from ..inputs import serializer_class
from ..lists import MatterList, fact
from ..registry import Procedure, Step
from ..runner import allowed_steps, run_step
from .permissions import IsStaff


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace(".", "_").split("_"))


class MatterDeadlineSerializer(serializers.Serializer):
    key = serializers.CharField(source="rule_key")
    title = serializers.CharField()
    start = serializers.DateField(source="start_date")
    due = serializers.DateField(source="due_date")
    amount = serializers.IntegerField()
    unit = serializers.CharField()
    provisional = serializers.BooleanField()
    state = serializers.CharField()
    citation = serializers.CharField()


# Built with type(): a field named "label" would shadow the serializer's own attribute in a class body.
AllowedStepSerializer = type(
    "AllowedStep",
    (serializers.Serializer,),
    {
        "name": serializers.CharField(help_text="登记的环节名称，如 filings.accept"),
        "label": serializers.CharField(),
        "path": serializers.CharField(help_text="提交该环节的地址"),
        "irreversible": serializers.BooleanField(),
        "consequence": serializers.CharField(),
    },
)


def _row_fields() -> dict[str, Any]:
    # What a list row and a detail share.
    return {
        "id": serializers.IntegerField(),
        "number": serializers.CharField(),
        "agency": serializers.IntegerField(source="agency_id"),
        "state": serializers.CharField(),
        "state_label": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
    }


def _list_serializer(procedure: Procedure) -> type[serializers.Serializer]:
    fields = {**_row_fields(), "next_due": serializers.DateField(allow_null=True)}
    return type(f"{_camel(procedure.code)}ListItem", (serializers.Serializer,), fields)


def _items(rows: list[Any]) -> list[dict[str, Any]]:
    """The rows as `_list_serializer(...)(rows, many=True).data` gives them (a test holds the two
    equal), written directly: a serializer pass spends most of a fifty-row page on bookkeeping per
    row and field (and on looking up the current time zone once per date-time)."""
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        # DRF's DateTimeField: in the current time zone, ISO 8601, UTC written as "Z".
        created = row.created_at.astimezone(tz).isoformat()
        if created.endswith("+00:00"):
            created = created[:-6] + "Z"
        out.append(
            {
                "id": row.pk,
                "number": row.number,
                "agency": row.agency_id,
                "state": row.state,
                "state_label": row.state_label,
                "created_at": created,
                "next_due": row.next_due.isoformat() if row.next_due is not None else None,
            }
        )
    return out


def _detail_serializer(procedure: Procedure) -> type[serializers.Serializer]:
    fields = {
        **_row_fields(),
        "facts": serializers.DictField(child=serializers.CharField(allow_blank=True)),
        "deadlines": MatterDeadlineSerializer(many=True),
        "allowed_steps": AllowedStepSerializer(many=True),
    }
    return type(f"{_camel(procedure.code)}Detail", (serializers.Serializer,), fields)


def _inputs(step: Step, request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, Mapping):
        raise ServiceError("请求体须为 JSON 对象或表单。", field="body")
    unknown = sorted(set(data) - set(step.input_names))
    if unknown:
        raise ServiceError(f"“{step.label}”不接受字段 {unknown[0]}。", field=unknown[0])
    found: dict[str, Any] = {}
    for i in step.inputs:
        if i.name in data:
            if i.kind != "files" and hasattr(data, "getlist") and len(data.getlist(i.name)) > 1:
                raise ServiceError(f"“{i.label}”只能提交一个值。", field=i.name)
            several = i.kind == "files" and hasattr(data, "getlist")
            found[i.name] = data.getlist(i.name) if several else data.get(i.name)  # type: ignore[attr-defined]
    return found


def _unseen_matter(procedure: Procedure, step: Step, request: Request, pk: str | None) -> Any:
    """The matter of a step its actor takes without seeing the matter: found for those the step's
    who rule names (or who may see it), "not found" for everyone else."""
    number = pk or ""
    found = number.isascii() and number.isdecimal() and len(number) < 19
    matter = procedure.model.objects.filter(pk=int(number)).first() if found else None
    actor = cast(Person, request.user)
    if matter is None or not (procedure.view.allows(actor, matter) or step.who.allows(actor, matter)):
        raise exceptions.NotFound("未找到该事项，或者你无权查看。")
    return matter


def add_step_actions(
    viewset: type[viewsets.GenericViewSet],
    procedure: Procedure,
    detail_serializer: type[serializers.Serializer],
    steps: list[Step],
) -> None:
    """One action per step on an app's own viewset (a procedure keeping its own API while it moves
    onto the kernel's): POST {id}/{step}/, answered by the viewset's `_detail(matter, code)`."""
    for step in steps:
        _add_step_action(viewset, procedure, step, detail_serializer)


def _run(step: Step, request: Request, **kwargs: Any) -> Any:
    try:
        return run_step(
            step.name, actor=cast(Person, request.user), inputs=_inputs(step, request), **kwargs
        ).matter
    except ServiceError as error:
        if error.code == "not_found":
            raise exceptions.NotFound(error.message) from None
        raise


def viewset_for(procedure: Procedure) -> type[viewsets.GenericViewSet]:
    """A ViewSet for the procedure: list, retrieve, and one action per step."""
    list_serializer = _list_serializer(procedure)
    detail_serializer = _detail_serializer(procedure)

    class MatterViewSet(viewsets.GenericViewSet):
        permission_classes = [IsStaff]
        parser_classes = [JSONParser, MultiPartParser, FormParser]
        serializer_class = detail_serializer

        def get_queryset(self) -> QuerySet[Any]:
            return procedure.model.objects.restrict(self.request.user, "view").select_related("agency")

        def _detail(self, matter: Any, code: int = status.HTTP_200_OK) -> Response:
            person = cast(Person, self.request.user)
            matter.facts = {label: str(fact(matter, path)) for label, path in procedure.facts}
            matter.deadlines = list(deadlines_of(matter).order_by("id"))
            matter.allowed_steps = [
                {
                    "name": s.name,
                    "label": s.label,
                    "path": f"/api/{procedure.code}/{matter.pk}/{s.slug}/",
                    "irreversible": s.irreversible,
                    "consequence": s.consequence,
                }
                for s in allowed_steps(person, matter)
            ]
            return Response(detail_serializer(matter).data, status=code)

        @extend_schema(
            responses={200: list_serializer(many=True)},
            parameters=[
                OpenApiParameter("q", str, description="编号或名称等"),
                OpenApiParameter("state", str, enum=list(procedure.states.values)),
                OpenApiParameter("agency", int),
                OpenApiParameter("overdue", str, enum=["1"], description="只列有逾期期限的事项"),
                OpenApiParameter("due", str, enum=["3", "7", "30"], description="有期限在若干日内届满"),
                OpenApiParameter("sort", str, enum=["-created", "created", "number", "-number"]),
                OpenApiParameter("cursor", str, description="上一页返回的 next_cursor"),
            ],
            summary=f"{procedure.label}：列表",
        )
        def list(self, request: Request) -> Response:
            viewer = request.user
            if isinstance(viewer, Person):
                # Signed in by session: roles and agency from the directory's memory (a token's
                # person has them already).
                load_viewer(viewer)
            listing = MatterList(procedure, viewer, request.query_params)
            page = listing.page()
            return Response(
                {
                    "results": _items(page.rows),
                    "next_cursor": page.next_cursor,
                    "counts": {state: n for state, _label, n in listing.counts()},
                }
            )

        @extend_schema(summary=f"{procedure.label}：详情（含当前可办理的环节）")
        def retrieve(self, request: Request, pk: str | None = None) -> Response:
            return self._detail(self.get_object())

    for step in procedure.steps:
        _add_step_action(MatterViewSet, procedure, step, detail_serializer)
    MatterViewSet.__name__ = f"{_camel(procedure.code)}ViewSet"
    return MatterViewSet


def _add_step_action(
    viewset: type[viewsets.GenericViewSet],
    procedure: Procedure,
    step: Step,
    detail_serializer: type[serializers.Serializer],
) -> None:
    request_serializer = serializer_class(f"{_camel(step.name)}Input", step.inputs)
    schema = extend_schema(
        request={
            "application/json": request_serializer,
            "multipart/form-data": request_serializer,
        },
        # 400/401/403/404 are documented for every operation, in the error format (api.errors).
        responses={200 if not step.creates else 201: detail_serializer},
        summary=f"{procedure.label}：{step.label}",
        description=step.consequence or None,
        operation_id=step.name.replace(".", "_"),
    )
    if step.creates:

        def create(self: Any, request: Request) -> Response:
            agency = cast(Person, request.user).agency
            if agency is None:
                raise exceptions.PermissionDenied("只有机关工作人员可以办理。")
            return self._detail(_run(step, request, agency=agency), status.HTTP_201_CREATED)

        function = create
    else:

        def act(self: Any, request: Request, pk: str | None = None) -> Response:
            if not step.unseen:
                return self._detail(_run(step, request, matter=self.get_object()))
            done = _run(step, request, matter=_unseen_matter(procedure, step, request, pk))
            if procedure.view.allows(cast(Person, request.user), done):
                return self._detail(done)
            # Taken without sight of the matter (the body complained about answering): the answer
            # says the step was taken, and nothing of the matter they may not see.
            return Response({"number": done.number, "step": step.name})

        function = act
    # The router maps the HTTP method to the function's name: name it before decorating.
    function.__name__ = function.__qualname__ = f"step_{step.slug.replace('-', '_')}"
    path = f"new/{step.slug}" if step.creates else step.slug
    # extend_schema outside @action, as drf-spectacular documents for actions.
    handler = schema(
        action(detail=not step.creates, methods=["post"], url_path=path, url_name=path.replace("/", "-"))(
            function
        )
    )
    setattr(viewset, function.__name__, handler)


def register(router: Any, procedures: list[Procedure]) -> None:
    """Put every kernel procedure's endpoints on the project router."""
    for procedure in procedures:
        if procedure.own_pages:
            continue  # the app registers its own endpoints
        router.register(procedure.code, viewset_for(procedure), basename=procedure.code)
