"""Complaint pages: the public form, receipt and status page; the staff queue, registration, a
complaint's page with the acts allowed now, the respondent's explanations and the leader's approvals.

Pages read and call `services`; every change is one service call. The complainant's identity is
never put in a template context except by `reveal`, whose response is not stored by any cache.
Every response here is marked not cacheable: they carry complaint facts, receipts or form tokens.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiandu.core import crypto
from jiandu.core.errors import NotAllowed, ServiceError
from jiandu.deadlines.services import deadlines_of
from jiandu.documents.models import Document
from jiandu.documents.services import DOCUMENT_TYPES, read_document_file
from jiandu.ledger.services import record
from jiandu.orgs.models import Agency, Person, Role
from jiandu.orgs.profiles import profile_for
from jiandu.procedures.inputs import form_class
from jiandu.procedures.models import Approval
from jiandu.procedures.registry import Step
from jiandu.procedures.runner import allowed_steps, run_step
from jiandu.procedures.timeline import timeline
from jiandu.procedures.uploads import CheckedFile
from jiandu.rules.citations import cite
from jiandu.rules.loader import Profile

from . import archive, forms, ratelimit, services, tables
from .models import Complaint, ExplanationRequest, Material, Rating
from .procedure import COMPLAINTS

logger = logging.getLogger(__name__)

TOKENS_KEY, RECEIPT_KEY, RECEIPT_SHOWN_KEY = (
    "complaints.form_tokens",
    "complaints.receipt",
    "complaints.shown",
)
STATUS_KEY = "complaints.status"
RECENT_KEY = "complaints.recent"  # the last public submit of this session: its digest and number
# A form token is remembered this long (seconds), so a resubmitted form is recognised (anti-abuse
# and double-submit protection, not a legal period); a second submit waits at most DUPLICATE_WAIT
# seconds for the first to finish. The same content sent again from the same session within
# RESUBMIT_WINDOW seconds (back, then submit again) is taken for the first complaint.
FORM_TOKEN_TTL = 24 * 3600  # period-literal-ok: cache lifetime of a form token in seconds
RESUBMIT_WINDOW = 2 * 3600  # period-literal-ok: how long a resubmission counts as the same, seconds
DUPLICATE_WAIT = 15
PENDING, DONE = "pending", "done"
LOOKUP_FAILED = "查询码或查询密码不正确，请核对后再试。"
COMPLAINANT = Rating.Source.COMPLAINANT  # the rating's source when the complainant rates on the status page


# ----------------------------------------------------------------- files kept between two posts


class KeptUploads:
    """The checked files of one form, kept server-side between its posts (a refused submit must
    not lose them), under a folder named by a digest of the form token.

    Only a session the token was issued to gets here (`_submit_once` checks), so another visitor
    never sees them. File names are personal data: the index that holds them is encrypted like the
    complainant's identity, and the files themselves carry random names. Folders of forms never
    sent are removed after FORM_TOKEN_TTL (and by `jiandu sweep_files`, which removes stored files
    no row names).
    """

    ROOT = "kept-uploads"
    INDEX = "index"

    def __init__(self, token: str) -> None:
        self.folder = f"{self.ROOT}/{hashlib.sha256(('kept:' + token).encode()).hexdigest()}"

    def _path(self, name: str) -> str:
        return f"{self.folder}/{name}"

    def items(self) -> list[dict[str, Any]]:
        """The kept files: id, name, content_type, size, sha256 (those whose data is still there)."""
        index = self._path(self.INDEX)
        if not default_storage.exists(index):
            return []
        with default_storage.open(index, "rb") as handle:
            token = handle.read().decode()
        try:
            items = crypto.decrypt_json(token)["items"]
        except Exception:  # an unreadable index keeps nothing: the visitor attaches the files again
            logger.warning("kept uploads: unreadable index in %s", self.folder)
            return []
        return [item for item in items if default_storage.exists(self._path(item["id"]))]

    def _write(self, items: list[dict[str, Any]]) -> None:
        index = self._path(self.INDEX)
        default_storage.delete(index)
        if items:
            default_storage.save(index, ContentFile(crypto.encrypt_json({"items": items}).encode()))

    def add(self, checked: list[CheckedFile]) -> None:
        if not checked:
            return
        sweep_kept_uploads()
        items = self.items()
        for item in checked:
            if any(kept["sha256"] == item.sha256 for kept in items):
                continue  # the same file chosen again is kept once
            name = secrets.token_hex(16)
            default_storage.save(self._path(name), ContentFile(item.data))
            items.append(
                {
                    "id": name,
                    "name": item.name,
                    "content_type": item.content_type,
                    "size": item.size,
                    "sha256": item.sha256,
                }
            )
        self._write(items)

    def drop(self, ids: list[str]) -> None:
        items = self.items()
        keep = [item for item in items if item["id"] not in ids]
        if len(keep) == len(items):
            return
        for item in items:
            if item["id"] in ids:
                default_storage.delete(self._path(item["id"]))
        self._write(keep)

    def uploads(self) -> list[UploadedFile]:
        """The kept files as uploads, for the service (which checks them again)."""
        found = []
        for item in self.items():
            with default_storage.open(self._path(item["id"]), "rb") as handle:
                found.append(SimpleUploadedFile(item["name"], handle.read(), item["content_type"]))
        return found

    def clear(self) -> None:
        if not default_storage.exists(self.folder):
            return
        _folders, files = default_storage.listdir(self.folder)
        for name in files:
            default_storage.delete(self._path(name))


def sweep_kept_uploads(now: datetime.datetime | None = None) -> int:
    """Remove the kept files of forms last touched more than FORM_TOKEN_TTL ago; returns how many."""
    if not default_storage.exists(KeptUploads.ROOT):
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=FORM_TOKEN_TTL)
    removed = 0
    folders, _files = default_storage.listdir(KeptUploads.ROOT)
    for folder in folders:
        path = f"{KeptUploads.ROOT}/{folder}"
        _sub, files = default_storage.listdir(path)
        if files and max(default_storage.get_modified_time(f"{path}/{n}") for n in files) < cutoff:
            for name in files:
                default_storage.delete(f"{path}/{name}")
                removed += 1
    return removed


def _file_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


# ------------------------------------------------------------------------ submitting a form once


def _token_key(token: str) -> str:
    return "jiandu:complaints:form:" + hashlib.sha256(token.encode()).hexdigest()


def _content_key(request: HttpRequest, digest: str) -> str:
    session = request.session.session_key or ""
    return "jiandu:complaints:content:" + hashlib.sha256(f"{session}:{digest}".encode()).hexdigest()


def _form_token(request: HttpRequest) -> str:
    """The token for the form about to be shown: the posted one while unused, else a new one.

    Issuing stores the token in the session, so the session (and its cookie) exists before the
    form is posted: a double-clicked submit then arrives twice with the same session.
    """
    posted = request.POST.get("form_token", "")
    issued = request.session.get(TOKENS_KEY, [])
    if posted in issued:
        return posted
    token = secrets.token_urlsafe(24)
    request.session[TOKENS_KEY] = [*issued[-9:], token]
    return token


def _claim(key: str) -> bool:
    """True when this request is the one to submit; False when another one with the token did."""
    if cache.add(key, PENDING, timeout=FORM_TOKEN_TTL):
        return True
    stop = time.monotonic() + DUPLICATE_WAIT
    while time.monotonic() < stop:
        state = cache.get(key)
        if state == DONE:
            return False
        if state is None and cache.add(key, PENDING, timeout=FORM_TOKEN_TTL):
            return True  # the first attempt failed and let go: this one shows its errors
        time.sleep(0.2)
    return False


def _recently_sent(request: HttpRequest, digest: str) -> str | None:
    """The number of the complaint this session sent with the same content lately, or None."""
    recent = request.session.get(RECENT_KEY)
    if recent and recent["digest"] == digest and time.time() - recent["at"] < RESUBMIT_WINDOW:
        return recent["number"]
    return None


def _submit_once(
    request: HttpRequest,
    form: forms.IntakeForm,
    submit: Callable[[list[UploadedFile]], services.Receipt],
    *,
    staff: bool = False,
) -> HttpResponse | None:
    """Register the complaint once, then redirect to the receipt.

    None means: show the form again (with its errors). A second post of the same form (double
    click, refresh) creates nothing and goes to the receipt page instead; so does, on the public
    form, the same content sent again from the same session (back, then submit on a fresh form).
    Files that passed their check are kept with the server until the form is sent, so an error
    elsewhere does not make the complainant choose them again (`form.kept_files` lists them).
    """
    token = request.POST.get("form_token", "")
    key = _token_key(token)
    form.kept_files = []
    if token not in request.session.get(TOKENS_KEY, []):
        if token and cache.get(key) is not None:
            return redirect("complaints:receipt")
        form.add_error(None, "本页面已过期，请核对内容后重新提交（附件须重新选择）。")
        return None
    kept = KeptUploads(token)
    kept.drop(request.POST.getlist("drop_upload"))
    form.kept = len(kept.items())
    valid = form.is_valid()
    kept.add(form.checked)
    form.kept_files = [{**item, "size_label": _file_size(item["size"])} for item in kept.items()]
    if not valid:
        return None
    digest = None if staff else form.resubmission_digest()
    if digest and (number := _recently_sent(request, digest)):
        kept.clear()
        if RECEIPT_KEY not in request.session:
            request.session[RECEIPT_SHOWN_KEY] = number
        return redirect("complaints:receipt")
    if not _claim(key):
        return redirect("complaints:receipt")
    content_key = _content_key(request, digest) if digest else None
    if content_key and not _claim(content_key):
        # A parallel post of the same content (another tab, back and submit) registered it: this
        # one goes to that receipt. The session is left as that request saved it.
        cache.set(key, DONE, timeout=FORM_TOKEN_TTL)
        return redirect("complaints:receipt")
    try:
        receipt = submit(kept.uploads())
    except ServiceError as error:
        cache.delete(key)
        if content_key:
            cache.delete(content_key)
        forms.add_service_error(form, error)
        return None
    except BaseException:
        cache.delete(key)
        if content_key:
            cache.delete(content_key)
        raise
    kept.clear()
    request.session[RECEIPT_KEY] = {
        "number": receipt.complaint.number,
        "tracking_code": receipt.tracking_code,
        "secret": receipt.secret,
        "pk": receipt.complaint.pk if staff else None,  # staff go on to the complaint's page
    }
    if digest:
        request.session[RECENT_KEY] = {
            "digest": digest,
            "number": receipt.complaint.number,
            "at": time.time(),
        }
    request.session[TOKENS_KEY] = [t for t in request.session.get(TOKENS_KEY, []) if t != token]
    # Saved before the token is marked done: a duplicate request told to go to the receipt page
    # must find the receipt there.
    request.session.save()
    cache.set(key, DONE, timeout=FORM_TOKEN_TTL)
    if content_key:
        cache.set(content_key, DONE, timeout=RESUBMIT_WINDOW)
    return redirect("complaints:receipt")


# --------------------------------------------------------------------------------- public pages


@dataclass(frozen=True)
class HotlineRoute:
    """How to complain where the rules send every complaint through a hotline (12345)."""

    name: str  # 12345政务服务热线
    number: str  # what to dial
    note: str  # e.g. the emergency lines it does not replace
    citation: str  # 《title》article

    @property
    def notice(self) -> str:
        return f"按{self.citation}，本机关的投诉举报统一通过“{self.name}”受理，不另设投诉举报途径。"


@dataclass(frozen=True)
class PublicAgency:
    """A body that takes complaints, and whether through the form or only through the hotline."""

    agency: Agency
    hotline: HotlineRoute | None


def _receiving_agencies() -> list[Agency]:
    """Bodies that receive complaints: enforcement agencies and supervisory bodies with rules bound."""
    return list(
        Agency.objects.filter(
            is_active=True,
            kind__in=[Agency.Kind.ENFORCEMENT, Agency.Kind.SUPERVISORY],
            profile__isnull=False,
        )
        .select_related("profile")
        .order_by("kind", "code")
    )


def public_agencies() -> list[PublicAgency]:
    """Every body that takes complaints, each with its way in (the form, or the hotline only)."""
    return [PublicAgency(a, _hotline_only(profile_for(a))) for a in _receiving_agencies()]


def _chosen(agencies: list[Agency], value: str | None) -> Agency | None:
    return next((a for a in agencies if str(a.pk) == (value or "")), None)


def _hotline_only(profile: Profile) -> HotlineRoute | None:
    """The single channel the profile prescribes when the agency may not run its own, else None."""
    key = "complaint.own_channels_prohibited"
    if not (profile.has(key) and profile.value(key)):
        return None
    rule = profile.rule(key)
    hotline = profile.rule("complaint.hotline") if profile.has("complaint.hotline") else None
    name = str(hotline.value) if hotline else "12345政务服务热线"
    digits = re.search(r"\d{3,}", name)
    return HotlineRoute(
        name=name,
        number=digits.group() if digits else "",
        note=hotline.note if hotline else "",
        citation=cite(rule.citation),
    )


@never_cache
@ratelimit.rate_limited(ratelimit.SUBMIT)
def new_complaint(request: HttpRequest) -> HttpResponse:
    """投诉举报 form: choose the receiving agency, then the matter and who complains."""
    agencies = _receiving_agencies()
    agency = _chosen(agencies, request.POST.get("agency") or request.GET.get("agency"))
    if agency is None and len(agencies) == 1:
        agency = agencies[0]
    if agency is None:
        listed = public_agencies()
        return render(
            request,
            "complaints/choose_agency.html",
            {
                "listed": listed,
                "public": True,
                "supervisory": [p.agency for p in listed if p.agency.kind == Agency.Kind.SUPERVISORY],
            },
        )
    profile = profile_for(agency)
    context: dict[str, Any] = {"agency": agency, "several": len(agencies) > 1}
    if hotline := _hotline_only(profile):
        return render(request, "complaints/hotline.html", {**context, "hotline": hotline})
    status = 200
    if request.method == "POST":
        form = forms.PublicComplaintForm(request.POST, request.FILES, agency=agency)
        done = _submit_once(
            request,
            form,
            lambda files: services.submit_complaint(
                form.intake(channel=Complaint.Channel.ONLINE, attachments=files), actor=None
            ),
        )
        if done:
            return done
        status = 400
    else:
        form = forms.PublicComplaintForm(agency=agency)
        form.kept_files = []
    context |= {
        "form": form,
        "form_token": _form_token(request),
        "phone": profile.value("complaint.phone") if profile.has("complaint.phone") else "",
    }
    return render(request, "complaints/new.html", context, status=status)


@dataclass(frozen=True)
class NextSteps:
    """What the receipt tells the complainant happens next."""

    agency: str
    period: str  # 5个工作日, or "" where the profile sets no acceptance period
    due: datetime.date | None
    provisional: bool
    citation: str


def _next_steps(number: str | None) -> NextSteps | None:
    complaint = Complaint.objects.filter(number=number).select_related("agency__profile").first()
    if not number or complaint is None:
        return None
    profile = profile_for(complaint.agency)
    key = "complaint.acceptance"
    if not profile.has(key):
        return NextSteps(complaint.agency.name, "", None, False, "")
    # The period opened at intake, counted by the calendar as every deadline is.
    deadline = deadlines_of(complaint).filter(rule_key=key).order_by("id").first()
    return NextSteps(
        complaint.agency.name,
        str(profile.period(key)),
        deadline.due_date if deadline else None,
        bool(deadline and deadline.provisional),
        cite(profile.rule(key).citation),
    )


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    """The tracking code and secret, shown once: the session gives them up as they are shown."""
    shown = request.session.pop(RECEIPT_KEY, None)
    if shown:
        request.session[RECEIPT_SHOWN_KEY] = shown["number"]
    number = request.session.get(RECEIPT_SHOWN_KEY)
    return render(
        request,
        "complaints/receipt.html",
        {
            "receipt": shown,
            "number": number,
            "next": _next_steps(number) if not (shown and shown["pk"]) else None,
        },
    )


def _looked_up(request: HttpRequest) -> Complaint | None:
    pk = request.session.get(STATUS_KEY)
    return Complaint.objects.filter(pk=pk).select_related("agency__supervisor").first() if pk else None


def _may_rate(complaint: Complaint) -> bool:
    # One rating of each answer by the complainant: a double click must not count as two
    # "不满意" (which would put the matter under supervised handling).
    return (
        complaint.state == Complaint.State.CONCLUDED
        and not complaint.ratings.filter(source=COMPLAINANT, answer_round=complaint.answer_round).exists()
    )


@dataclass(frozen=True)
class Dispute:
    """What follows a "不满意": who is told, and when the profile puts the matter under 督办."""

    told: str  # the supervising body told of it
    count: int | None  # that many "不满意" lead to 督办 (profile), or None
    body: str  # who supervises then (profile), or ""
    citation: str


def _dispute(complaint: Complaint) -> Dispute:
    profile = profile_for(complaint.agency)
    supervising = complaint.assigned_by or complaint.agency.supervisor
    key = "complaint.supervised_handling.dissatisfied_count"
    count = profile.value(key) if profile.has(key) else None
    body_key = "complaint.supervised_handling.body"
    body = profile.value(body_key).name if profile.has(body_key) else ""
    return Dispute(
        told=supervising.name if supervising else "",
        count=count,
        body=body,
        citation=cite(profile.rule(key).citation) if count else "",
    )


def _status_context(complaint: Complaint) -> dict[str, Any]:
    """Only the public outcome: no complainant, handler, internal note or respondent's answer."""
    return {
        "complaint": complaint,
        "deadlines": tables.public_deadlines(complaint),
        "extensions": list(
            services.extensions_of(complaint).filter(outcome=Approval.Outcome.APPROVED).order_by("decided_at")
        ),
        "ratings": list(complaint.ratings.all()),
        "letters": services.documents_of(complaint),
        "rating_form": forms.RatingForm() if _may_rate(complaint) else None,
        "dispute": _dispute(complaint),
        # The current answer was rated 不满意/不合格: the complainant waits to hear whether it is
        # handled again, and is told so on every visit, not only right after rating.
        "disputed": complaint.state == Complaint.State.CONCLUDED
        and complaint.ratings.filter(
            answer_round=complaint.answer_round, value__in=services.DISPUTED_RATINGS
        ).exists(),
    }


@never_cache
@ratelimit.rate_limited(ratelimit.STATUS)
def status(request: HttpRequest) -> HttpResponse:
    """Follow a complaint with its tracking code and secret; rate it once it is concluded."""
    if request.method == "POST":
        form = forms.StatusLookupForm(request.POST)
        if form.is_valid():
            complaint = services.find_by_tracking(
                form.cleaned_data["tracking_code"], form.cleaned_data["secret"]
            )
            if complaint is not None:
                request.session.cycle_key()
                request.session[STATUS_KEY] = complaint.pk
                return redirect("complaints:status")
            # One message whether the code is unknown or the secret wrong: no hint for guessing.
            form.add_error(None, LOOKUP_FAILED)
        return render(request, "complaints/status.html", {"form": form})
    complaint = _looked_up(request)
    if complaint is None:
        return render(request, "complaints/status.html", {"form": forms.StatusLookupForm()})
    return render(request, "complaints/status.html", _status_context(complaint))


@never_cache
def status_letter(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A letter issued on the complaint this session looked up (DOCX or PDF); the download is ledgered.

    The session's looked-up complaint is the right to it: a letter id alone opens nothing.
    """
    complaint = _looked_up(request)
    if complaint is None:
        return redirect("complaints:status")
    item = next((d for d in services.documents_of(complaint) if d.pk == pk), None)
    if item is None or fmt not in DOCUMENT_TYPES:
        raise Http404
    file = getattr(item, fmt)
    with file.storage.open(file.name, "rb") as handle:
        data = handle.read()
    # The same check `documents.services.read_document_file` makes for staff: the file is the one issued.
    if hashlib.sha256(data).hexdigest() != getattr(item, f"{fmt}_sha256"):
        logger.error("document %s: stored %s does not match its digest", item.pk, fmt)
        messages.error(request, f"文书 {item.number} 暂时无法下载，请联系受理机关。")
        return redirect("complaints:status")
    with transaction.atomic():
        record(
            "documents.download",
            actor=None,
            actor_label="complainant",
            agency=item.agency,
            obj=item,
            payload={"format": fmt, "number": item.number, "complaint": complaint.pk},
        )
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{item.number}{item.title}.{fmt}")
    return response


@never_cache
@require_POST
@ratelimit.rate_limited(ratelimit.STATUS)
def rate(request: HttpRequest) -> HttpResponse:
    """The complainant rates the answer (满意 / 基本满意 / 不满意, with why) on the complaint looked up."""
    complaint = _looked_up(request)
    if complaint is None:
        return redirect("complaints:status")
    if complaint.state == Complaint.State.CONCLUDED and not _may_rate(complaint):
        messages.info(request, "您已经评价过了。")
        return redirect("complaints:status")
    form = forms.RatingForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["value"]
        try:
            services.rate_complaint(
                complaint, value=value, source=COMPLAINANT, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            if value in services.DISPUTED_RATINGS:
                messages.success(request, _after_dispute(complaint))
            else:
                messages.success(request, "感谢您的评价，已记录。")
            return redirect("complaints:status")
    return render(
        request, "complaints/status.html", {**_status_context(complaint), "rating_form": form}, status=400
    )


def _after_dispute(complaint: Complaint) -> str:
    """What the complainant is told after rating "不满意": who now knows, what may follow."""
    complaint.refresh_from_db(fields=["supervised"])
    dispute = _dispute(complaint)
    told = f"承办人员和{dispute.told}" if dispute.told else "承办人员"
    text = (
        f"已记录您的评价和不满意的原因。{told}已收到通知，将研究是否重新办理；"
        "重新办理的，办结后会再次告知您，您可以再次评价。"
    )
    if complaint.supervised and dispute.count:
        text += f"按{dispute.citation}，本事项已进入督办{f'（{dispute.body}）' if dispute.body else ''}。"
    return text


@never_cache
@require_POST
def end_status(request: HttpRequest) -> HttpResponse:
    """Forget the looked-up complaint (a shared computer)."""
    request.session.pop(STATUS_KEY, None)
    return redirect("complaints:status")


# --------------------------------------------------------------------------------- staff: lists


@never_cache
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The viewer's complaints (the scope rules are in the queryset), nearest due date first."""
    filter_key = request.GET.get("state", "open")
    if filter_key not in tables.QUEUE_FILTERS:
        filter_key = "open"
    page = tables.queue_page(request.user, filter_key, request.GET.get("after"))
    return render(
        request,
        "complaints/queue.html",
        {
            "page": page,
            "filter_key": filter_key,
            "filters": [(key, label) for key, (label, _states) in tables.QUEUE_FILTERS.items()],
            "first_page": bool(request.GET.get("after")),
            "may_register": bool(_registrable(request.user)),
            "today": timezone.localdate(),
        },
    )


@dataclass(frozen=True)
class Registrable:
    agency: Agency
    channels: list[str]
    assigned_by: Agency | None


def _registrable(user: Person) -> list[Registrable]:
    """Where the user may register complaints, and through which channels.

    The staff who handle complaints (the profile's unit) register letters, calls and visits for
    their own agency; a supervisory
    body's supervisors hand complaints over (交办) to the agencies it supervises. An agency whose
    rules forbid channels of its own takes none here.
    """
    found = []
    if user.agency and (channels := services.staff_channels(user, user.agency)):
        found.append(Registrable(user.agency, channels, None))
    if user.has_role(Role.SUPERVISOR) and user.agency_id:
        found += [
            Registrable(agency, [Complaint.Channel.ASSIGNED], user.agency)
            for agency in Agency.objects.filter(
                supervisor_id=user.agency_id, is_active=True, profile__isnull=False
            )
            .select_related("profile")
            .order_by("code")
        ]
    return found


@never_cache
@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a letter, call or visit (来信、来电、来访), or hand a complaint over (交办)."""
    if not (
        request.user.has_role(Role.SUPERVISOR)
        or (request.user.agency and services.handles_complaints(request.user, request.user.agency))
    ):
        raise PermissionDenied("只有负责投诉举报的工作人员或执法监督人员可以登记投诉举报。")
    options = _registrable(request.user)
    chosen = next(
        (o for o in options if str(o.agency.pk) == (request.POST.get("agency") or request.GET.get("agency"))),
        None,
    )
    if chosen is None and len(options) == 1:
        chosen = options[0]
    if chosen is None:
        return render(
            request,
            "complaints/choose_agency.html",
            {"agencies": [o.agency for o in options], "public": False},
        )
    status = 200
    if request.method == "POST":
        form = forms.StaffRegisterForm(
            request.POST, request.FILES, agency=chosen.agency, channels=chosen.channels
        )
        done = _submit_once(
            request,
            form,
            lambda files: services.submit_complaint(
                form.intake(
                    channel=form.cleaned_data["channel"], attachments=files, assigned_by=chosen.assigned_by
                ),
                actor=request.user,
            ),
            staff=True,
        )
        if done:
            return done
        status = 400
    else:
        form = forms.StaffRegisterForm(agency=chosen.agency, channels=chosen.channels)
        form.kept_files = []
    return render(
        request,
        "complaints/register.html",
        {
            "form": form,
            "agency": chosen.agency,
            "assigned": chosen.assigned_by is not None,
            "several": len(options) > 1,
            "form_token": _form_token(request),
        },
        status=status,
    )


def _explanations(request: HttpRequest, bound: dict[int, django_forms.Form]) -> HttpResponse:
    rows = tables.open_explanation_requests(request.user)
    for row in rows:
        row.form = bound.get(row.pk) or forms.ExplanationForm(auto_id=f"id_{row.pk}_%s")
    return render(
        request,
        "complaints/explanations.html",
        {"rows": rows, "today": timezone.localdate()},
        status=400 if bound else 200,
    )


def _require_respondent(user: Person) -> None:
    if not tables.may_answer_explanations(user):
        raise PermissionDenied("只有被投诉机关的法制工作人员或负责人可以提交书面说明。")


@never_cache
@login_required
def explanations(request: HttpRequest) -> HttpResponse:
    """The body complained about: its open requests for a written explanation (no complainant)."""
    _require_respondent(request.user)
    return _explanations(request, {})


def _open_request(request: HttpRequest, pk: int) -> ExplanationRequest:
    """An explanation request the viewer's body must still answer; 404 for any other."""
    _require_respondent(request.user)
    row = next((r for r in tables.open_explanation_requests(request.user) if r.pk == pk), None)
    if row is None:
        raise Http404
    return row


@never_cache
@login_required
@require_POST
def receive_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """签收: the body complained about acknowledges the notice; its period to explain starts."""
    row = _open_request(request, pk)
    try:
        services.receive_explanation_request(row, actor=request.user)
    except ServiceError as error:
        messages.error(request, cite(error.message))
    else:
        messages.success(request, f"已签收 {row.complaint.number} 的书面说明通知，书面说明期限自今日起算。")
    return redirect("complaints:explanations")


@never_cache
@login_required
@require_POST
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    row = _open_request(request, pk)
    form = forms.ExplanationForm(request.POST, request.FILES, auto_id=f"id_{pk}_%s")
    if form.is_valid():
        try:
            services.submit_explanation(
                row,
                actor=request.user,
                explanation=form.cleaned_data["explanation"],
                files=form.cleaned_data["files"],
            )
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            messages.success(request, f"{row.complaint.number} 的书面说明已提交。")
            return redirect("complaints:explanations")
    return _explanations(request, {pk: form})


@never_cache
@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Extension requests waiting for this viewer's decision (the approver the profile names)."""
    rows = tables.pending_extensions(request.user)
    for row in rows:
        row.form = forms.DecideExtensionForm(auto_id=f"id_{row.pk}_%s")
    return render(request, "complaints/approvals.html", {"rows": rows, "today": timezone.localdate()})


@never_cache
@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    pending = next((r for r in tables.pending_extensions(request.user) if r.pk == pk), None)
    if pending is None:
        raise Http404
    form = forms.DecideExtensionForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if form.is_valid():
        try:
            services.decide_extension(
                pending,
                actor=request.user,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            messages.error(request, cite(error.message))
        else:
            verdict = "批准" if form.cleaned_data["approve"] else "不批准"
            messages.success(request, f"已{verdict} {pending.complaint.number} 的延期申请。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(back or "complaints:approvals")


# ------------------------------------------------------------------------------ one complaint


def _step(slug: str) -> Step:
    found = COMPLAINTS.step_by_slug(slug.replace("_", "-"))
    if found is None or found.creates:
        raise Http404
    return found


def _step_form(step: Step, complaint: Complaint, data: Any = None, files: Any = None) -> django_forms.Form:
    return form_class(step.inputs, complaint)(data, files, auto_id=f"id_{step.slug}_%s")


def _step_url(step: Step, complaint: Complaint) -> str:
    # Revealing shows the identity on a page of its own; every other step comes back here.
    if step.name == "complaints.reveal_complainant":
        return reverse("complaints:reveal", args=[complaint.pk])
    return reverse("complaints:act", args=[complaint.pk, step.slug])


def _visible(request: HttpRequest, pk: int) -> Complaint:
    return get_object_or_404(
        Complaint.objects.restrict(request.user).select_related(
            "agency__profile", "target_agency", "target_officer", "handler", "assigned_by"
        ),
        pk=pk,
    )


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    handling = services.handling_deadline(complaint)
    limit = services.extension_limit(complaint) if handling else None
    bound = bound or {}
    # The steps this viewer may take now, from the same guards the runner applies.
    acts = [
        (step, bound.get(step.slug) or _step_form(step, complaint), _step_url(step, complaint))
        for step in allowed_steps(user, complaint)
    ]
    shown = {step.slug for step, _form, _url in acts}
    for name, form in bound.items():
        if name not in shown:  # the act is not open to this viewer now: say why above the page
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    pending = services.extensions_of(complaint).filter(outcome=Approval.Outcome.PENDING).first()
    documents = services.documents_of(complaint)
    context = {
        "complaint": complaint,
        "today": timezone.localdate(),
        "deadlines": [
            (d, tables.amount_label(d.extension_amount, d.extension_unit) if d.extension_amount else "")
            for d in deadlines_of(complaint).order_by("start_date", "id")
        ],
        "materials": [(m, tables.file_label(m)) for m in complaint.materials.select_related("added_by")],
        "documents": documents,
        "may_read_letters": services.may_read_letters(user, complaint),
        "explanation_requests": list(complaint.explanation_requests.select_related("respondent")),
        "extensions": [
            (e, tables.amount_label(e.details["amount"], e.details["unit"]))
            for e in services.extensions_of(complaint).select_related("requested_by", "decided_by")
        ],
        "ratings": list(complaint.ratings.all()),
        "timeline": timeline(complaint, documents),
        "acts": acts,
        "extension_limit": limit,
        "measures": [services.MEASURES.get(m, m) for m in complaint.measures],
        "pending": pending,
        "pending_amount": tables.amount_label(pending.details["amount"], pending.details["unit"])
        if pending
        else "",
    }
    return render(request, "complaints/detail.html", context, status=status)


@never_cache
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A complaint's page: facts (no identity), deadlines, materials, timeline, acts allowed now."""
    return _detail(request, _visible(request, pk))


@never_cache
@login_required
@require_POST
def act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One step of the procedure, then back to the complaint's page."""
    complaint = _visible(request, pk)
    step = _step(name)
    form = _step_form(step, complaint, request.POST, request.FILES)
    if step.irreversible and not request.POST.get("confirm"):
        # What cannot be undone is taken only with the box ticked that says so (the API's
        # callers are programs that mean what they send).
        form.is_valid()
        form.add_error(None, f"请勾选“我已确认”：{step.label}后不能撤回。")
    if form.is_valid():
        try:
            run_step(step.name, complaint, actor=request.user, inputs=form.cleaned_data)
        except ServiceError as error:
            forms.add_service_error(form, error)
            status = 403 if isinstance(error, NotAllowed) else 400
        else:
            messages.success(request, step.done_message)
            return redirect("complaints:detail", pk=complaint.pk)
    else:
        status = 400
    complaint.refresh_from_db()
    return _detail(request, complaint, {step.slug: form}, status=status)


@never_cache
@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The complainant's identity, to the handling legal-affairs staff, with a reason; ledgered."""
    complaint = _visible(request, pk)
    step = COMPLAINTS.step("complaints.reveal_complainant")
    form = _step_form(step, complaint, request.POST)
    if form.is_valid():
        try:
            identity = services.reveal_complainant(
                complaint, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except NotAllowed:
            raise Http404 from None  # not offered to this viewer: as if there were nothing to see
        except ServiceError as error:
            forms.add_service_error(form, error)
        else:
            return render(request, "complaints/reveal.html", {"complaint": complaint, "identity": identity})
    return _detail(request, complaint, {step.slug: form}, status=400)


@never_cache
@login_required
def material(request: HttpRequest, pk: int) -> FileResponse:
    """A material's file, to those who may see its complaint; the download is ledgered."""
    item = get_object_or_404(
        Material.objects.filter(complaint__in=Complaint.objects.restrict(request.user))
        .exclude(file="")
        .select_related("complaint__agency"),
        pk=pk,
    )
    with transaction.atomic():
        # Which material by id and digest: its name is sealed and stays out of the ledger.
        record(
            "complaints.download_material",
            actor=request.user,
            agency=item.complaint.agency,
            obj=item.complaint,
            payload={"material": item.pk, "sha256": item.sha256},
        )
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=tables.file_label(item),
        content_type=item.content_type or "application/octet-stream",
    )


@never_cache
@login_required
def document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """An issued letter (DOCX or PDF), to those who may see its complaint; the download is ledgered."""
    item = get_object_or_404(
        Document.objects.filter(
            subject_type=ContentType.objects.get_for_model(Complaint),
            subject_id__in=Complaint.objects.restrict(request.user).values("pk"),
        ),
        pk=pk,
    )
    complaint = Complaint.objects.get(pk=item.subject_id)
    if not services.may_read_letters(request.user, complaint):
        raise Http404  # it names the complainant: not for this viewer
    try:
        data = read_document_file(item, fmt, actor=request.user)
    except NotAllowed:
        raise Http404 from None
    except ServiceError as error:
        messages.error(request, cite(error.message))
        return redirect("complaints:detail", pk=item.subject_id)
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{item.number}{item.title}.{fmt}")
    return response


@never_cache
@login_required
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The sealed file as a BagIt package (zip); the export is ledgered."""
    complaint = _visible(request, pk)
    try:
        bag = archive.export_bag(complaint, actor=request.user)
    except ServiceError as error:
        messages.error(request, cite(error.message))
        return redirect("complaints:detail", pk=complaint.pk)
    response = HttpResponse(bag, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{complaint.number}.zip"'
    return response
