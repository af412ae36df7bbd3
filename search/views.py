"""The site search page (/zoeken/) and the suggestions endpoint (/zoeken/suggesties/)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .backends.base import FACETS
from .services import search_query, search_suggest

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
    return JsonResponse(search_suggest(text=request.GET.get("q", "")))
