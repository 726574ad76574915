"""Browser pages for searching plates and seeing one's own searches."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.context import Actor

from .forms import SearchForm
from .models import Search
from .services import NotPermitted, perform_search, refuse_search


def search(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "queries/search.html", {"form": SearchForm()})
    form = SearchForm(request.POST)
    actor = Actor.from_request(request)
    if not form.is_valid():
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        refuse_search(actor=actor, submitted=form.submitted(), errors=errors)
        return render(request, "queries/search.html", {"form": form}, status=400)
    try:
        outcome = perform_search(actor=actor, criteria=form.cleaned_data["criteria"])
    except NotPermitted as exc:
        form.add_error(None, str(exc))
        return render(request, "queries/search.html", {"form": form}, status=403)
    return render(request, "queries/search.html", {"form": form, "outcome": outcome})


def my_searches(request: HttpRequest) -> HttpResponse:
    searches = Search.objects.filter(officer=request.user).order_by("-created_at")
    page = Paginator(searches, 50).get_page(request.GET.get("page"))
    return render(request, "queries/my_searches.html", {"page": page})
