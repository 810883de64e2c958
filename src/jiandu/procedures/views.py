"""Pages of every procedure, drawn from its declarations: the list, a matter's page with the steps
the viewer may take now (each a form from the step's inputs), and the step itself.

A view never changes state: it calls `run_step`, which refuses whatever the page would not offer.
A matter the viewer may not see is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.deadlines.services import deadlines_of
from jiandu.documents.models import Document
from jiandu.documents.services import DOCUMENT_TYPES, read_document_file
from jiandu.ledger.services import record
from jiandu.orgs.directory import load_viewer
from jiandu.orgs.models import Person
from jiandu.rules.citations import cite

from .export import export_matters
from .inputs import form_class
from .lists import MatterList, fact, rows_html
from .models import Attachment
from .registry import Procedure, Step, procedure
from .runner import allowed_steps, may_create, run_step
from .timeline import timeline


def _viewer(request: HttpRequest) -> Person:
    # Every view here is behind login_required: the viewer is a signed-in person.
    return cast(Person, request.user)


def _procedure(code: str) -> Procedure:
    try:
        return procedure(code)
    except KeyError:
        raise Http404 from None


def _visible(request: HttpRequest, proc: Procedure, pk: int) -> Any:
    return get_object_or_404(
        proc.model.objects.restrict(_viewer(request), "view").select_related("agency"), pk=pk
    )


def _form(step: Step, matter: Any, data: Any = None, files: Any = None) -> forms.Form:
    return form_class(step.inputs, matter)(data, files, prefix=step.slug, auto_id="id_%s")


def _add_error(form: forms.Form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, cite(error.message))


@never_cache
@login_required
def matter_list(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure's matters the viewer may see: search, filters, counts per state, pages."""
    proc = _procedure(code)
    if proc.own_pages:
        return redirect(proc.own_pages[0])
    # Roles and agency from the directory's memory (renewed on any change to them), not a query each.
    viewer = load_viewer(_viewer(request))
    listing = MatterList(proc, viewer, request.GET)
    page = listing.page()
    own = viewer.agency
    creating = [s for s in proc.creating_steps if own is not None and may_create(viewer, s, own)]
    return render(
        request,
        "procedures/list.html",
        {
            "procedure": proc,
            "listing": listing,
            "page": page,
            "rows": rows_html(page, reverse("procedures:list", kwargs={"code": code})),
            "creating": creating,
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@never_cache
@login_required
def export(request: HttpRequest, code: str) -> FileResponse:
    """The list as the viewer sees it (same filters, every page, up to the cap) as an Excel
    workbook; the export is ledgered."""
    proc = _procedure(code)
    written = export_matters(MatterList(proc, _viewer(request), request.GET))
    response = FileResponse(written.file, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, written.filename)
    return response


def _detail(
    request: HttpRequest, proc: Procedure, matter: Any, forms_: dict[str, forms.Form], status: int = 200
) -> HttpResponse:
    documents = list(
        Document.objects.filter(
            subject_type=ContentType.objects.get_for_model(matter), subject_id=matter.pk
        ).order_by("id")
    )
    steps = allowed_steps(_viewer(request), matter)
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": proc,
            "matter": matter,
            "facts": [(label, fact(matter, path)) for label, path in proc.facts],
            "deadlines": deadlines_of(matter).order_by("id"),
            "documents": documents,
            "attachments": Attachment.of(matter).select_related("added_by").order_by("id"),
            "timeline": timeline(matter, documents),
            "steps": [(s, forms_.get(s.slug) or _form(s, matter)) for s in steps],
        },
        status=status,
    )


@never_cache
@login_required
def detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    proc = _procedure(code)
    matter = _visible(request, proc, pk)
    if proc.own_pages:
        return redirect(proc.own_pages[1], matter.pk)
    return _detail(request, proc, matter, {})


@never_cache
@login_required
@require_POST
def step(request: HttpRequest, code: str, pk: int, slug: str) -> HttpResponse:
    """One step on a matter: the form's values go to the runner; refusals come back on the page."""
    proc = _procedure(code)
    matter = _visible(request, proc, pk)
    spec = proc.step_by_slug(slug)
    if spec is None or spec.creates:
        raise Http404
    form = _form(spec, matter, request.POST, request.FILES)
    if form.is_valid():
        try:
            run_step(spec.name, matter, actor=_viewer(request), inputs=_inputs(spec, form, request))
        except ServiceError as error:
            if error.code == "not_found":
                raise Http404 from None
            _add_error(form, error)
            status = 403 if isinstance(error, NotAllowed) else 400
        else:
            messages.success(request, f"已{spec.label}。")
            return redirect("procedures:detail", code=code, pk=matter.pk)
    else:
        status = 400
    matter.refresh_from_db()
    return _detail(request, proc, matter, {spec.slug: form}, status=status)


def _inputs(spec: Step, form: forms.Form, request: HttpRequest) -> dict[str, Any]:
    # Files as uploaded (all of a multiple field); the rest as the form parsed them. The runner
    # validates everything again: the form only turns text into dates and numbers.
    return {
        i.name: request.FILES.getlist(form.add_prefix(i.name))
        if i.kind == "files"
        else form.cleaned_data.get(i.name)
        for i in spec.inputs
    }


@never_cache
@login_required
def create(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """A step that starts a matter, in the viewer's own agency."""
    proc = _procedure(code)
    spec = proc.step_by_slug(slug)
    agency = _viewer(request).agency
    if spec is None or not spec.creates or agency is None or not may_create(_viewer(request), spec, agency):
        raise Http404
    form = _form(spec, None, request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = run_step(
                    spec.name, actor=_viewer(request), agency=agency, inputs=_inputs(spec, form, request)
                )
            except ServiceError as error:
                _add_error(form, error)
                status = 403 if isinstance(error, NotAllowed) else 400
            else:
                messages.success(request, f"已{spec.label}，编号 {result.matter.number}。")
                return redirect("procedures:detail", code=code, pk=result.matter.pk)
        else:
            status = 400
    return render(
        request, "procedures/create.html", {"procedure": proc, "step": spec, "form": form}, status=status
    )


def _matter_of(subject_type: ContentType, subject_id: int, request: HttpRequest) -> Any:
    model = subject_type.model_class()
    if model is None or not hasattr(model, "procedure"):
        raise Http404
    matters: Any = model._default_manager  # a Matter's manager: MatterQuerySet
    return get_object_or_404(matters.restrict(_viewer(request), "view"), pk=subject_id)


@never_cache
@login_required
def document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """An issued letter (DOCX or PDF), to those who may see its matter; the download is ledgered."""
    item = get_object_or_404(Document.objects.select_related("subject_type"), pk=pk)
    matter = _matter_of(item.subject_type, item.subject_id, request)
    try:
        # _matter_of found the matter in the viewer's scope: its letters are the viewer's to read.
        data = read_document_file(item, fmt, actor=_viewer(request), subject_visible=True)
    except NotAllowed:
        raise Http404 from None
    except ServiceError as error:
        messages.error(request, cite(error.message))
        return redirect("procedures:detail", code=matter.procedure.code, pk=matter.pk)
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{item.number}{item.title}.{fmt}")
    return response


@never_cache
@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment's file, to those who may see its matter; the download is ledgered."""
    item = get_object_or_404(Attachment.objects.select_related("matter_type"), pk=pk)
    matter = _matter_of(item.matter_type, item.matter_id, request)
    with transaction.atomic():
        # Which file by id and digest: its original name may be personal data and stays out.
        record(
            f"{matter.procedure.code}.download_attachment",
            actor=_viewer(request),
            agency=matter.agency,
            obj=matter,
            payload={"attachment": item.pk, "sha256": item.sha256},
        )
    ending = item.original_name[item.original_name.rfind(".") :] if "." in item.original_name else ""
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=f"{matter.number}-{item.pk}{ending}"
    )


def detail_url(matter: Any) -> str:
    return reverse("procedures:detail", kwargs={"code": matter.procedure.code, "pk": matter.pk})
