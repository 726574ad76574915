"""Legal-hold pages for the captain and the records unit.

Everyone else gets 404 (the pages' existence is not theirs to learn). Every
change asks for a fresh second factor first (``step_up_required``).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.stepup import step_up_required, take_pending
from audits.context import Actor
from queries.models import Search

from . import rules
from .forms import ExtendHoldForm, OpenHoldForm, ReleaseHoldForm
from .models import LegalHold, PurgeRun
from .services import HoldError, extend_hold, open_hold, release_hold


def _require_hold_role(request: HttpRequest) -> None:
    if not rules.may_manage_holds(request.user):
        raise Http404


def _apply_errors(form, error: HoldError) -> None:
    for name, messages in error.errors.items():
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)


def _list(request, form, *, status=200):
    return render(
        request,
        "retention/holds.html",
        {
            "holds": LegalHold.objects.select_related(
                "opened_by", "released_by"
            ).with_vault_counts(),
            "form": form,
            "last_purge": PurgeRun.objects.succeeded().order_by("-finished_at").first(),
        },
        status=status,
    )


def hold_list(request: HttpRequest) -> HttpResponse:
    _require_hold_role(request)
    # Filled in again with what was typed before a step-up interrupted it.
    return _list(
        request, OpenHoldForm(initial=take_pending(request, reverse("retention:open")))
    )


@step_up_required(action="open the legal hold")
def hold_open(request: HttpRequest) -> HttpResponse:
    _require_hold_role(request)
    if request.method != "POST":
        return redirect("retention:holds")
    form = OpenHoldForm(request.POST)
    if form.is_valid():
        try:
            hold = open_hold(actor=Actor.from_request(request), **form.cleaned_data)
        except HoldError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("retention:hold", pk=hold.pk)
    return _list(request, form, status=400)


def _detail(request, hold, *, extend=None, release=None, status=200):
    return render(
        request,
        "retention/hold.html",
        {
            "hold": hold,
            "coverage": hold.coverage.select_related("added_by"),
            "read_count": hold.reads.count(),
            "audit_count": hold.audit_records.count(),
            # Filled in again with what was typed before a step-up interrupted it.
            "extend_form": extend
            or ExtendHoldForm(
                initial=take_pending(
                    request, reverse("retention:extend", args=[hold.pk])
                )
            ),
            "release_form": release
            or ReleaseHoldForm(
                initial=take_pending(
                    request, reverse("retention:release", args=[hold.pk])
                )
            ),
        },
        status=status,
    )


def hold_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hold_role(request)
    return _detail(request, get_object_or_404(LegalHold, pk=pk))


@step_up_required(action="extend the legal hold")
def hold_extend(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hold_role(request)
    hold = get_object_or_404(LegalHold, pk=pk)
    if request.method != "POST":
        return redirect("retention:hold", pk=pk)
    form = ExtendHoldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        search = None
        if data["search_id"]:
            search = Search.objects.filter(pk=data["search_id"]).first()
            if search is None:
                form.add_error("search_id", "No search has that number.")
        if form.is_valid():
            try:
                extend_hold(
                    actor=Actor.from_request(request),
                    hold=hold,
                    method=data["method"],
                    search=search,
                    plate=data["plate"],
                    window_start=data["window_start"],
                    window_end=data["window_end"],
                )
            except HoldError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("retention:hold", pk=pk)
    return _detail(request, hold, extend=form, status=400)


@step_up_required(action="release the legal hold")
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hold_role(request)
    hold = get_object_or_404(LegalHold, pk=pk)
    if request.method != "POST":
        return redirect("retention:hold", pk=pk)
    form = ReleaseHoldForm(request.POST)
    if form.is_valid():
        try:
            release_hold(
                actor=Actor.from_request(request),
                hold=hold,
                reason=form.cleaned_data["reason"],
                release_date=form.cleaned_data["release_date"],
            )
        except HoldError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("retention:hold", pk=pk)
    return _detail(request, hold, release=form, status=400)
