"""Find a group for someone (/find/): a GET form whose answers live only in the query string."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import search
from .forms import FinderForm


@require_GET
@never_cache  # the page shows someone's situation: no shared or browser cache may keep it
def find(request):
    """Nothing is stored, logged or put in a cookie; an invalid answer gives a 400 and says why."""
    form = FinderForm(request.GET or None)
    result = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            result = search.find(situation=form.situation(), today=timezone.localdate())
        else:
            status = 400
    response = render(
        request,
        "activities/finder.html",
        {"form": form, "result": result, "nav": "find"},
        status=status,
    )
    # Links from here must not carry the answers (in the query string) to other sites or logs:
    # only the origin goes as Referer. Not "no-referrer": browsers then post the page's forms
    # (Add to shortlist) with "Origin: null", which the CSRF check rightly refuses.
    # A 400 here is logged by Django with the full URL, the person's answers: settings'
    # PRIVATE_QUERY_PATHS drops those records (directory.logfilters).
    response["Referrer-Policy"] = "strict-origin"
    return response
