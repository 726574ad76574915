"""Browser pages for sharing: requests, approvals, the registry, the
dissemination log, exports, FOIA, vendor access and network access grants.

Views parse input and call services; every rule is in ``sharing.rules`` and every
write in ``sharing.services`` / ``sharing.exports``. Objects a person may not see
answer 404.
"""

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.stepup import step_up_required
from audits.context import Actor
from audits.events import EventType
from queries.models import Search

from . import exports, permissions, services, settings_watch
from .forms import (
    AcknowledgmentForm,
    AuditExportForm,
    DecisionForm,
    DisseminateForm,
    FoiaForm,
    GrantForm,
    OrganisationForm,
    SearchExportForm,
    ShareRequestForm,
    VendorAccessForm,
    apply_refusal,
)
from .models import (
    Dissemination,
    FoiaRequest,
    NetworkAccessGrant,
    Organisation,
    SharingRequest,
    SharingSettings,
)
from .rules import SharingRefused

PAGE_SIZE = 50


def _download(content: bytes, filename: str, content_type: str, digest: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = digest
    # The global middleware sets no-store too; said again here because a file
    # that leaves the department must never sit in a cache.
    response["Cache-Control"] = "no-store"
    return response


def _visible_request(request: HttpRequest, pk: int) -> SharingRequest:
    return get_object_or_404(
        SharingRequest.objects.visible_to(request.user).select_related(
            "recipient", "requested_by", "decided_by", "search"
        ),
        pk=pk,
    )


def request_list(request: HttpRequest) -> HttpResponse:
    requests = (
        SharingRequest.objects.visible_to(request.user)
        .select_related("recipient", "requested_by")
        .order_by("-requested_at")
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/request_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    if not permissions.may_request_share(request.user):
        raise PermissionDenied("This account may not request shares.")
    search = None
    if request.GET.get("search"):
        search = get_object_or_404(
            Search.objects.visible_to(request.user), pk=request.GET["search"]
        )
    if request.method != "POST":
        form = ShareRequestForm(user=request.user, search=search)
        return render(request, "sharing/request_form.html", {"form": form})
    form = ShareRequestForm(
        request.POST, request.FILES, user=request.user, search=search
    )
    actor = Actor.from_request(request)
    if not form.is_valid():
        error = getattr(form, "refusal", None) or SharingRefused(
            {k: [str(m) for m in v] for k, v in form.errors.items()}, ["form_invalid"]
        )
        services.refuse(
            EventType.SHARE_REFUSED,
            actor=actor,
            error=error,
            submitted=form.submitted(),
        )
        return render(request, "sharing/request_form.html", {"form": form}, status=400)
    try:
        made = services.request_share(actor=actor, data=form.cleaned_data["share"])
    except SharingRefused as exc:
        apply_refusal(form, exc)
        return render(request, "sharing/request_form.html", {"form": form}, status=400)
    messages.success(request, f"Sharing request {made.pk} is waiting for the Captain.")
    return redirect("sharing:request", pk=made.pk)


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sharing_request = _visible_request(request, pk)
    user = request.user
    context = {
        "sr": sharing_request,
        "acknowledgment": getattr(sharing_request, "acknowledgment", None),
        "dissemination": getattr(sharing_request, "dissemination", None),
        "may_decide": permissions.may_approve_share(user)
        and sharing_request.requested_by_id != user.pk
        and sharing_request.status == SharingRequest.Status.PENDING,
        "may_disseminate": permissions.may_disseminate(user, sharing_request)
        and sharing_request.status == SharingRequest.Status.APPROVED,
        "decision_form": DecisionForm(),
        "ack_form": AcknowledgmentForm(),
        "send_form": DisseminateForm(),
    }
    return render(request, "sharing/request_detail.html", context)


def _refusal_page(request, sharing_request, exc: SharingRefused) -> HttpResponse:
    for messages_ in exc.errors.values():
        for message in messages_:
            messages.error(request, message)
    return redirect("sharing:request", pk=sharing_request.pk)


def _decide(request: HttpRequest, pk: int, decide, verb: str) -> HttpResponse:
    """The Captain's approval or refusal: same form, same answers, one service each."""
    sharing_request = _visible_request(request, pk)
    if request.method != "POST":
        return redirect("sharing:request", pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        decide(
            actor=Actor.from_request(request),
            sharing_request=sharing_request,
            note=form.cleaned_data.get("note", ""),
        )
    except SharingRefused as exc:
        return _refusal_page(request, sharing_request, exc)
    messages.success(request, f"Sharing request {pk} {verb}.")
    return redirect("sharing:request", pk=pk)


@step_up_required(action="approve the request")
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.approve_share, "approved")


@step_up_required(action="decline the request")
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.decline_share, "declined")


@require_http_methods(["POST"])
def request_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    sharing_request = _visible_request(request, pk)
    form = AcknowledgmentForm(request.POST, request.FILES)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.record_acknowledgment(
            actor=Actor.from_request(request),
            sharing_request=sharing_request,
            signed_by=data.get("signed_by", ""),
            signed_on=data.get("signed_on"),
            statement=data.get("statement", ""),
            file=data.get("file"),
        )
    except SharingRefused as exc:
        return _refusal_page(request, sharing_request, exc)
    messages.success(request, "The recipient's acknowledgment is recorded.")
    return redirect("sharing:request", pk=pk)


@step_up_required(action="send the records")
def request_disseminate(request: HttpRequest, pk: int) -> HttpResponse:
    sharing_request = _visible_request(request, pk)
    if request.method != "POST":
        return redirect("sharing:request", pk=pk)
    form = DisseminateForm(request.POST)
    form.is_valid()
    try:
        dissemination, package = services.disseminate(
            actor=Actor.from_request(request),
            sharing_request=sharing_request,
            method=request.POST.get("method", ""),
            received_by=form.cleaned_data.get("received_by", ""),
        )
    except SharingRefused as exc:
        return _refusal_page(request, sharing_request, exc)
    return _download(
        package.content, package.filename, package.content_type, dissemination.sha256
    )


def request_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploaded court order or subpoena, to those who may see the request."""
    sharing_request = _visible_request(request, pk)
    if not sharing_request.document_file:
        raise Http404("No document.")
    return FileResponse(
        sharing_request.document_file.open("rb"),
        as_attachment=True,
        filename=sharing_request.document_file.name.rsplit("/", 1)[-1],
    )


def approvals(request: HttpRequest) -> HttpResponse:
    if not permissions.may_approve_share(request.user):
        raise PermissionDenied("Only the Captain decides on shares.")
    pending = (
        SharingRequest.objects.pending()
        .select_related("recipient", "requested_by")
        .order_by("requested_at")
    )
    return render(request, "sharing/approvals.html", {"pending": pending})


@require_http_methods(["GET", "POST"])
def registry(request: HttpRequest) -> HttpResponse:
    may_edit = permissions.may_keep_registry(request.user)
    form = OrganisationForm(request.POST or None) if may_edit else None
    if request.method == "POST" and "classify" in request.POST:
        organisation = get_object_or_404(Organisation, pk=request.POST["classify"])
        try:
            services.classify_organisation(
                actor=Actor.from_request(request),
                organisation=organisation,
                jurisdiction=request.POST.get("jurisdiction", ""),
                kind=request.POST.get("kind", ""),
            )
        except SharingRefused as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, f"{organisation.name} is classified.")
        return redirect("sharing:registry")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only the Captain, records or admins edit this.")
        if form.is_valid():
            services.register_organisation(
                actor=Actor.from_request(request), values=form.cleaned_data
            )
            messages.success(request, "Organisation registered.")
            return redirect("sharing:registry")
    organisations = Organisation.objects.order_by("name")
    return render(
        request,
        "sharing/registry.html",
        {
            "organisations": organisations,
            "form": form,
            "may_classify": permissions.may_approve_share(request.user),
            "jurisdictions": Organisation.Jurisdiction.choices,
            "kinds": Organisation.Kind.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


def dissemination_log(request: HttpRequest) -> HttpResponse:
    records = (
        Dissemination.objects.visible_to(request.user)
        .select_related("recipient", "sent_by", "request")
        .order_by("-sent_at")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/log.html", {"page": page})


@step_up_required(action="export the search")
def export_search(request: HttpRequest, search_id: int) -> HttpResponse:
    search = get_object_or_404(
        Search.objects.filter(officer=request.user), pk=search_id
    )
    form = SearchExportForm(
        request.POST or None,
        initial={"purpose": search.purpose, "case_number": search.case_number},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            download = exports.export_search(
                actor=Actor.from_request(request),
                search=search,
                fmt=data["format"],
                purpose=data.get("purpose") or "",
                case_number=data.get("case_number") or "",
            )
        except SharingRefused as exc:
            apply_refusal(form, exc)
        else:
            return _download(
                download.content,
                download.filename,
                download.content_type,
                download.export.sha256,
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "sharing/export_search.html",
        {"form": form, "search": search},
        status=status,
    )


@step_up_required(action="export the audit records")
def export_audit(request: HttpRequest) -> HttpResponse:
    if not permissions.may_download_audit_trail(request.user):
        if request.method == "POST":
            # The service audits the refused attempt, then the page says no.
            with contextlib.suppress(SharingRefused):
                exports.export_audit_trail(
                    actor=Actor.from_request(request),
                    start=None,
                    end=None,
                    report=request.POST.get("report", ""),
                )
        raise PermissionDenied("Only the Captain downloads the audit trail.")
    form = AuditExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            download = exports.export_audit_trail(
                actor=Actor.from_request(request),
                start=data.get("start"),
                end=data.get("end"),
                report=data.get("report") or "",
            )
        except SharingRefused as exc:
            apply_refusal(form, exc)
        else:
            return _download(
                download.content,
                download.filename,
                download.content_type,
                download.export.sha256,
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/export_audit.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def foia(request: HttpRequest) -> HttpResponse:
    if not permissions.may_keep_records(request.user):
        raise PermissionDenied("Only records staff or the Captain answer FOIA.")
    form = FoiaForm(request.POST or None)
    answered = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            answered = services.record_foia_request(
                actor=Actor.from_request(request),
                requester=data.get("requester", ""),
                received_on=data.get("received_on"),
                description=data.get("description", ""),
            )
        except SharingRefused as exc:
            apply_refusal(form, exc)
    requests = FoiaRequest.objects.order_by("-recorded_at")[:100]
    return render(
        request,
        "sharing/foia.html",
        {"form": form, "answered": answered, "requests": requests},
        status=400 if request.method == "POST" and answered is None else 200,
    )


@require_http_methods(["GET", "POST"])
def vendor_access(request: HttpRequest) -> HttpResponse:
    if not permissions.may_keep_records(request.user):
        raise PermissionDenied("Only records staff or the Captain record this.")
    form = VendorAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_vendor_access(
                actor=Actor.from_request(request),
                vendor=data.get("vendor"),
                basis=data.get("basis", ""),
                description=data.get("description", ""),
                accessed_by=data.get("accessed_by", ""),
            )
        except SharingRefused as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, "Vendor access recorded in the log.")
            return redirect("sharing:log")
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/vendor_access.html", {"form": form}, status=status)


@step_up_required(action="change the network access grant")
def grants(request: HttpRequest) -> HttpResponse:
    if not permissions.oversees_sharing(request.user):
        raise PermissionDenied("Only the Captain, the Chief and records see grants.")
    may_grant = permissions.may_approve_share(request.user)
    form = GrantForm(request.POST or None) if may_grant else None
    actor = Actor.from_request(request)
    if request.method == "POST" and may_grant:
        if "review" in request.POST:
            grant = get_object_or_404(NetworkAccessGrant, pk=request.POST["review"])
            try:
                services.review_grant(
                    actor=actor,
                    grant=grant,
                    keep=request.POST.get("decision") == "keep",
                    note=request.POST.get("note", ""),
                )
            except SharingRefused as exc:
                for text in sum(exc.errors.values(), []):
                    messages.error(request, text)
            return redirect("sharing:grants")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.grant_network_access(
                    actor=actor,
                    organisation=data.get("organisation"),
                    expires_at=data.get("expires_at"),
                    justification=data.get("justification", ""),
                )
            except SharingRefused as exc:
                apply_refusal(form, exc)
            else:
                messages.success(request, "Network query access granted.")
                return redirect("sharing:grants")
    now = timezone.now()
    listed = NetworkAccessGrant.objects.select_related("organisation").order_by(
        "organisation__name", "-granted_at"
    )
    due = set(
        NetworkAccessGrant.objects.due_for_review(now).values_list("pk", flat=True)
    )
    snapshots = SharingSettings.objects.order_by("-taken_at")[:10]
    return render(
        request,
        "sharing/grants.html",
        {
            "form": form,
            "grants": listed,
            "due": due,
            "now": now,
            "snapshots": snapshots,
            "approved": settings_watch.latest_approved(),
        },
        status=400 if request.method == "POST" else 200,
    )


@step_up_required(action="approve the settings")
@require_http_methods(["GET", "POST"])
def approve_settings(request: HttpRequest) -> HttpResponse:
    """The Captain accepts the settings in force now as the approved set."""
    if request.method == "POST":
        try:
            settings_watch.approve_current_settings(
                actor=Actor.from_request(request),
                reason=request.POST.get("reason", "")[:200] or "reviewed",
            )
        except SharingRefused as exc:
            raise PermissionDenied(str(exc)) from None
        messages.success(request, "The current sharing settings are now approved.")
    return redirect("sharing:grants")
