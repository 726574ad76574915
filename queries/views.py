"""Browser pages for searching plates and seeing one's own searches."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.context import Actor
from audits.trail import AuditWriteError

from .forms import SearchForm
from .models import Search
from .services import NotPermitted, perform_search, refuse_search

logger = logging.getLogger(__name__)

NOT_PERMITTED = "This account may not search plates."
AUDIT_FAILED_MESSAGE = (
    "The search was not carried out: its audit record could not be written. "
    "Administrators have been alerted; try again later."
)


def search(request: HttpRequest) -> HttpResponse:
    if not request.user.may_search():
        if request.method == "POST":
            refuse_search(
                actor=Actor.from_request(request),
                submitted=SearchForm(request.POST).submitted(),
                errors={"__all__": [NOT_PERMITTED]},
            )
        raise PermissionDenied(NOT_PERMITTED)
    if request.method != "POST":
        return render(request, "queries/search.html", {"form": SearchForm()})
    form = SearchForm(request.POST)
    actor = Actor.from_request(request)
    try:
        if not form.is_valid():
            errors = {
                name: [str(m) for m in msgs] for name, msgs in form.errors.items()
            }
            refuse_search(actor=actor, submitted=form.submitted(), errors=errors)
            return render(request, "queries/search.html", {"form": form}, status=400)
        outcome = perform_search(actor=actor, criteria=form.cleaned_data["criteria"])
    except NotPermitted as exc:
        form.add_error(None, str(exc))
        return render(request, "queries/search.html", {"form": form}, status=403)
    except AuditWriteError:
        # No result may leave without its audit record (the alarm is already up).
        form.add_error(None, AUDIT_FAILED_MESSAGE)
        return render(request, "queries/search.html", {"form": form}, status=503)
    return render(request, "queries/search.html", {"form": form, "outcome": outcome})


def my_searches(request: HttpRequest) -> HttpResponse:
    searches = Search.objects.filter(officer=request.user).order_by("-created_at")
    page = Paginator(searches, 50).get_page(request.GET.get("page"))
    return render(request, "queries/my_searches.html", {"page": page})
