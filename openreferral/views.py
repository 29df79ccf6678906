"""The ORUK 3.0 API (openapi.json in schemas/): GET only, no key, open to every origin.

Django REST framework handles the parameters (a serializer validates them: a bad value is a
400 naming the parameter), paging and JSON rendering. Each answer is cached under an ETag made
from the request and the directory's data version (activities.feeds.selectors), so a repeat
costs one small query and a client holding the ETag gets a 304.
"""

from __future__ import annotations

import hashlib
import math
from types import SimpleNamespace

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from activities.feeds.selectors import feed_fingerprint, page_url_builder
from activities.models import ActivityPage
from venues.geo import PostcodeError, locate_postcode

from . import ids, selectors, vocabulary
from .serializers import (
    ServiceSerializer,
    api_details_json,
    lga_service_types,
    organization_json,
    service_at_location_json,
    summary_rows,
)
from .validation import OPENAPI

# Bump when the shape of any response changes, so cached answers and ETags are renewed.
API_FORMAT = "oruk-2"
MAX_AGE_SECONDS = 300
CACHE_SECONDS = 3600
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 50


class Params(serializers.Serializer):
    """Every query parameter the spec lists (each endpoint reads the ones it takes)."""

    page = serializers.IntegerField(required=False, min_value=1, default=1)
    per_page = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PER_PAGE, default=DEFAULT_PER_PAGE
    )
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    taxonomy_term_id = serializers.CharField(required=False, allow_blank=True, default="")
    taxonomy_id = serializers.CharField(required=False, allow_blank=True, default="")
    organization_id = serializers.CharField(required=False, allow_blank=True, default="")
    parent_id = serializers.CharField(required=False, allow_blank=True, default="")
    top_only = serializers.BooleanField(required=False, default=False)
    modified_after = serializers.DateTimeField(required=False, default=None)
    full = serializers.BooleanField(required=False, default=False)
    full_service = serializers.BooleanField(required=False, default=False)
    minimal = serializers.BooleanField(required=False, default=False)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
    proximity = serializers.FloatField(required=False, min_value=0, default=None)
    format = serializers.ChoiceField(choices=["json"], required=False, default="json")

    def validate_postcode(self, value):
        if not value.strip():
            return None
        try:
            return locate_postcode(value)
        except PostcodeError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs):
        if attrs.get("proximity") is not None and not attrs.get("postcode"):
            raise serializers.ValidationError({"proximity": "Give a postcode with proximity."})
        return attrs


def page_of(items, params: dict, build) -> dict:
    """An ORUK paged list: the paging fields, then ``contents`` built from this page's items.

    ``items`` is a queryset or a list. A page past the end is empty (never an error), with
    paging fields that still say how many pages there are.
    """
    total = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    size = params["per_page"]
    number = params["page"]
    pages = max(1, math.ceil(total / size))
    start = (number - 1) * size
    chosen = list(items[start : start + size]) if start < total else []
    contents = build(chosen)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not contents,
        "contents": contents,
    }


class OrukView(APIView):
    """A cached, conditional, CORS-open GET. Subclasses build the answer in ``answer``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes: list = []
    http_method_names = ["get", "head", "options"]

    def answer(self, request, params: dict, **kwargs) -> dict:  # pragma: no cover
        raise NotImplementedError

    def params(self, request) -> dict:
        checker = Params(data=request.query_params.dict())
        checker.is_valid(raise_exception=True)
        return checker.validated_data

    def get(self, request, **kwargs):
        params = self.params(request)  # a 400 before any work
        version = feed_fingerprint(ActivityPage.objects.live(), key="oruk").etag
        digest = hashlib.sha256(
            repr((API_FORMAT, version, request.path, sorted(request.query_params.lists()))).encode()
        ).hexdigest()[:32]
        etag = f'"{digest}"'
        response = HttpResponse(content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        conditional = get_conditional_response(request, etag=etag, response=response)
        if conditional is not response:
            return conditional
        key = f"oruk-answer:{digest}"
        body = cache.get(key)
        if body is None:
            try:
                data = self.answer(request, params, **kwargs)
            except Http404:
                raise NotFound("There is nothing with that id.") from None
            body = JSONRenderer().render(data)
            cache.set(key, body, CACHE_SECONDS)
        response.content = body
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class ApiDetailsView(OrukView):
    def answer(self, request, params, **kwargs):
        return api_details_json()


class OpenApiView(OrukView):
    def answer(self, request, params, **kwargs):
        import json  # noqa: PLC0415 -- read once per cached answer

        return json.loads(OPENAPI.read_text(encoding="utf-8"))


def _service_filters(params: dict) -> dict:
    return {
        "search": params["search"],
        "taxonomy_term_id": params["taxonomy_term_id"],
        "taxonomy_id": params["taxonomy_id"],
        "organization_id": params["organization_id"],
        "modified_after": params["modified_after"],
        "centre": params["postcode"],
        "proximity_metres": params["proximity"],
    }


class ServiceListView(OrukView):
    def answer(self, request, params, **kwargs):
        filters = _service_filters(params)
        filters["centre"] = filters["proximity_metres"] = None  # only service_at_locations
        queryset = selectors.services_filtered(**filters)
        context = {
            "full": params["full"],
            "minimal": params["minimal"],
            "page_url": page_url_builder(),
        }

        def build(pks):
            if params["minimal"]:
                rows = ActivityPage.objects.filter(pk__in=pks).only(
                    "pk",
                    "title",
                    "last_published_at",
                    "latest_revision_created_at",
                    "first_published_at",
                )
            elif params["full"]:
                rows = selectors.services_prefetched(ActivityPage.objects.filter(pk__in=pks))
            else:  # one-to-one fields and the organisation: plain values
                rows = summary_rows(ActivityPage.objects.filter(pk__in=pks))
            by_pk = {a.pk: a for a in rows}
            chosen = [by_pk[pk] for pk in pks]
            return ServiceSerializer(chosen, many=True, context=context).data

        return page_of(_ids(queryset), params, build)


def _ids(queryset):
    """The ordered primary keys of a listing queryset (paging reads only these)."""
    return queryset.select_related(None).values_list("pk", flat=True)


class ServiceDetailView(OrukView):
    def answer(self, request, params, *, service_id, **kwargs):
        activity = selectors.service_by_id(service_id)
        if activity is None:
            raise Http404
        return ServiceSerializer(activity, context={"full": True}).data


class OrganizationListView(OrukView):
    def answer(self, request, params, **kwargs):
        queryset = selectors.organizations_all()
        if params["search"]:
            queryset = queryset.filter(title__icontains=params["search"])
        return page_of(
            queryset,
            params,
            lambda chosen: (
                _organizations_full(chosen, params)
                if params["full"] or params["full_service"]
                else [organization_json(p) for p in chosen]
            ),
        )


def _organizations_full(providers, params) -> list[dict]:
    """Organisations with their services: one set of queries for the whole page, however many
    organisations and services it holds."""
    services = selectors.services_prefetched(
        selectors.services_all().filter(provider__in=[p.pk for p in providers])
    )
    by_provider: dict[int, list] = {p.pk: [] for p in providers}
    for activity in services:
        by_provider[activity.provider_id].append(activity)
    context = {"full": params["full_service"]}
    result = []
    for provider in providers:
        data = organization_json(provider)
        data["services"] = ServiceSerializer(
            by_provider[provider.pk], many=True, context=context
        ).data
        result.append(data)
    return result


class OrganizationDetailView(OrukView):
    def answer(self, request, params, *, organization_id, **kwargs):
        pk = selectors.organization_pk(organization_id)
        if pk is None:
            raise Http404
        return _organizations_full([selectors.organizations_all().get(pk=pk)], params)[0]


def _taxonomy_json(taxonomy: vocabulary.Taxonomy, *, with_terms: bool = False) -> dict:
    data = {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "description": taxonomy.description,
    }
    if taxonomy.uri:
        data["uri"] = taxonomy.uri
    else:  # ours: the LGA's list has versions of its own
        data["version"] = "1"
    if with_terms:
        data["taxonomy_terms"] = [
            vocabulary.term_json(t) for t in _terms() if t.taxonomy == taxonomy.code
        ]
    return data


def _terms() -> list[vocabulary.Term]:
    terms = [
        vocabulary.term(vocabulary.CATEGORIES, slug, name, description or name)
        for slug, name, description in selectors.categories_all()
    ]
    terms += [
        vocabulary.term(vocabulary.AUDIENCES, slug, name)
        for slug, name in selectors.audiences_all()
    ]
    terms += [
        vocabulary.lga_term(s)
        for s in lga_service_types(
            SimpleNamespace(slug=slug) for slug, _name, _description in selectors.categories_all()
        )
    ]
    return terms + vocabulary.fixed_terms()


class TaxonomyListView(OrukView):
    def answer(self, request, params, **kwargs):
        items = list(vocabulary.TAXONOMIES.values())
        if params["search"]:
            items = [t for t in items if params["search"].lower() in t.name.lower()]
        return page_of(items, params, lambda chosen: [_taxonomy_json(t) for t in chosen])


class TaxonomyDetailView(OrukView):
    def answer(self, request, params, *, taxonomy_id, **kwargs):
        for taxonomy in vocabulary.TAXONOMIES.values():
            if taxonomy.id == taxonomy_id:
                return _taxonomy_json(taxonomy, with_terms=True)
        raise Http404


class TaxonomyTermListView(OrukView):
    def answer(self, request, params, **kwargs):
        items = _terms()
        if params["taxonomy_id"]:
            items = [
                t for t in items if vocabulary.TAXONOMIES[t.taxonomy].id == params["taxonomy_id"]
            ]
        if params["parent_id"]:
            items = []  # our taxonomies are flat: no term has a parent
        if params["search"]:
            word = params["search"].lower()
            items = [t for t in items if word in t.name.lower() or word in t.code]
        return page_of(items, params, lambda chosen: [vocabulary.term_json(t) for t in chosen])


class TaxonomyTermDetailView(OrukView):
    def answer(self, request, params, *, term_id, **kwargs):
        for item in _terms():
            if item.id == term_id:
                return vocabulary.term_json(item)
        raise Http404


class ServiceAtLocationListView(OrukView):
    def answer(self, request, params, **kwargs):
        queryset = selectors.services_filtered(**_service_filters(params))

        def build(pks):
            rows = {
                a.pk: a
                for a in selectors.services_prefetched(ActivityPage.objects.filter(pk__in=pks))
            }
            return [service_at_location_json(rows[pk], with_service=params["full"]) for pk in pks]

        return page_of(_ids(queryset), params, build)


class ServiceAtLocationDetailView(OrukView):
    def answer(self, request, params, *, sal_id, **kwargs):
        for pk in selectors.services_all().values_list("pk", flat=True):
            if ids.service_at_location_id(pk) == sal_id:
                activity = selectors.services_prefetched(ActivityPage.objects.filter(pk=pk))
                return service_at_location_json(activity.get(), with_service=True)
        raise Http404
