"""The site search page (/zoeken/) and the suggestions endpoint (/zoeken/suggesties/)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from django_ratelimit.core import is_ratelimited

from .backends.base import FACETS
from .services import search_query, search_suggest

# Called as people type (after a 150 ms pause), so generous: a fast typist stays far
# below it; a script hammering the endpoint does not.
SUGGEST_RATE = "120/m"

FILTER_PARAMS = {"theme": "thema", "kind": "soort", "audience": "doelgroep", "year": "jaar"}


def search(request):
    text = request.GET.get("q", "")[:200]
    filters = {name: request.GET.getlist(param) for name, param in FILTER_PARAMS.items()}
    sort = request.GET.get("sorteer", "relevance")
    try:
        page = int(request.GET.get("pagina", "1"))
    except ValueError:
        page = 1
    results = None
    if text.strip() or any(filters.values()):
        results = search_query(
            text=text or "", filters=filters, sort=sort, page=page, log=bool(text.strip())
        )
    query_params = request.GET.copy()
    query_params.pop("pagina", None)
    context = {
        "q": text,
        "results": results,
        "facet_names": FACETS,
        "params": FILTER_PARAMS,
        "base_query": query_params.urlencode(),
    }
    return render(request, "search/search.html", context)


@never_cache
def suggestions(request):
    if is_ratelimited(request, group="search:suggest", key="ip", rate=SUGGEST_RATE, increment=True):
        # The same shape as a normal answer, so the script simply shows nothing.
        return JsonResponse(
            {
                "query": "",
                "pages": [],
                "terms": [],
                "error": _("Too many requests. Please wait a moment and try again."),
            },
            status=429,
        )
    return JsonResponse(search_suggest(text=request.GET.get("q", "")))
