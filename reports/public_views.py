"""The public transparency site and its open-data downloads (issue 22), mounted twice by
bma_tracker.urls: /public/ in Thai (namespace "public") and /public/en/ in English ("public-en").

Decisions, and why:
- No login, and nothing that reads the session, the user or a CSRF token: a public answer sets
  no cookie and does not vary on one, so browsers and proxies may keep it.
- The language is in the path, not in a cookie or a form: /public/en/projects/… is the English
  page, shareable and cacheable like the Thai one; the language switch is a plain link.
- Caching: every answer has Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS and an ETag made
  of the release, the language, the day (statuses are judged on today) and the database
  revisions of what it shows (Project.revision, ChangeCounter: bma_tracker/caching.py), read with
  the page's first query; a request with that ETag in If-None-Match gets a 304 before anything
  else is read. No Last-Modified: the revisions are counters, not times.
- Only public data: records reach templates as projects.public.PublicView (public_pages.py),
  reports only through ProgressReport.objects.public().
"""

import hashlib
import json
from functools import wraps

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import parse_etags, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from bma_tracker import thaidate
from bma_tracker.caching import cache_key, cached
from indicators.models import Indicator
from projects.models import ChangeCounter, Project, ScheduleStatus, fetch_with_unit, schedule_ref_date
from projects.public import PublicView
from reports import opendata, public_pages
from reports.dashboard import AVERAGE_RULE, INDICATOR_RULE, PLANNED_RULE, Period, dashboard_data, figures_key
from reports.dashboard_tables import dashboard_charts, dashboard_tables
from reports.dashboard_views import FY_MAX, FY_MIN
from reports.scopes import Scope

NAMESPACES = {"th": "public", "en": "public-en"}
PER_PAGE = 50
# The dashboard's charts the public sees: figures over the whole BMA. Not the tables of units
# trailing or not reporting, which name responsible persons.
CHARTS = ("progress-distribution", "planned-actual", "monthly-reporting", "indicators-by-dimension")
CHART_NOTES = {
    "progress-distribution": AVERAGE_RULE,
    "planned-actual": PLANNED_RULE,
    "indicators-by-dimension": INDICATOR_RULE,
}


def public_view(view):
    """GET/HEAD only, in the language of the URL's namespace, with the Content-Language header."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = "en" if request.resolver_match and request.resolver_match.namespace == NAMESPACES["en"] else "th"
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapper


def conditional(request, parts, respond):
    """`respond()`'s answer with the public caching headers, or a 304 when the reader's
    If-None-Match holds the ETag of `parts` (what the answer is made of)."""
    key = cache_key("public", translation.get_language(), thaidate.today().isoformat(), *parts)
    etag = quote_etag(hashlib.blake2b(key.encode(), digest_size=12).hexdigest())
    fresh = etag in parse_etags(request.headers.get("If-None-Match", ""))
    response = HttpResponseNotModified() if fresh else respond()
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    return response


class PublicListForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("ปีงบประมาณ"),
        required=False,
        min_value=FY_MIN,
        max_value=FY_MAX,
        error_messages={
            "invalid": _("ปีงบประมาณต้องเป็นตัวเลข พ.ศ. 4 หลัก เช่น 2568"),
            "min_value": _("ปีงบประมาณต้องไม่ต่ำกว่า %(limit_value)s"),
            "max_value": _("ปีงบประมาณต้องไม่เกิน %(limit_value)s"),
        },
    )
    q = forms.CharField(label=_("ค้นหา"), required=False, max_length=200)

    def choice(self, name, default=None):
        """A field's valid value, or the default when missing or invalid (shown with the errors)."""
        return default if name in self.errors else (self.cleaned_data.get(name) or default)


def _selection(request):
    form = PublicListForm(request.GET)
    form.is_valid()
    fiscal_year = form.choice("fiscal_year", thaidate.fiscal_year(thaidate.today()))
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    return form, fiscal_year, errors


def years_on_offer(fiscal_year=None):
    """From the first to the last year with projects, this year and the one asked for; newest first."""
    span = Project.objects.aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
    this_year = thaidate.fiscal_year(thaidate.today())
    years = set(range(span["first"] or this_year, (span["last"] or this_year) + 1)) | {
        this_year,
        fiscal_year or this_year,
    }
    return sorted(years, reverse=True)


def _other_language_url(request):
    """The same page in the other language: the path in the other namespace, the same query."""
    match = request.resolver_match
    other = NAMESPACES["th" if translation.get_language() == "en" else "en"]
    try:
        url = reverse(f"{other}:{match.url_name}", kwargs=match.captured_kwargs)
    except NoReverseMatch:  # pragma: no cover - every public page has a twin
        url = reverse(f"{other}:home")
    query = request.GET.urlencode()
    return url + ("?" + query if query else "")


def _page(request, template, context):
    context = {
        **context,
        "other_language_url": _other_language_url(request),
        "other_language": "English" if translation.get_language() == "th" else "ไทย",
        "other_language_code": "en" if translation.get_language() == "th" else "th",
    }
    return render(request, template, context)


# --- Pages ------------------------------------------------------------------------------------


@public_view
def home(request):
    """The city dashboard of a fiscal year: the whole BMA's figures and charts."""
    _form, fiscal_year, errors = _selection(request)
    scope, period = Scope.bma(), Period.default(fiscal_year)
    key = figures_key(scope, fiscal_year, period)
    years = years_on_offer(fiscal_year)

    def respond():
        body = cached(
            cache_key("public-dashboard", key, translation.get_language(), years[0], years[-1]),
            lambda: render_to_string(
                "public/_dashboard_body.html", _dashboard_context(scope, fiscal_year, period, key, years)
            ),
        )
        return _page(
            request, "public/dashboard.html", {"body": mark_safe(body), "errors": errors, "fiscal_year": fiscal_year}
        )  # noqa: S308 (our own rendered template)

    return conditional(request, ("home", key, years[0], years[-1], request.GET.urlencode()), respond)


def _dashboard_context(scope, fiscal_year, period, key, years):
    data = dashboard_data(scope, fiscal_year, period, key=key)
    tables = dashboard_tables(data, scope=scope, period=period)
    specs = dashboard_charts(data, tables)
    return {
        "data": data,
        "period": period,
        "fiscal_year": fiscal_year,
        "years": years,
        "statuses": [
            (status, data.headline[status.value])
            for status in (
                ScheduleStatus.ON_TRACK,
                ScheduleStatus.BEHIND,
                ScheduleStatus.COMPLETE,
                ScheduleStatus.NO_REPORT,
            )
        ],
        "charts": [
            {
                "slug": slug,
                "spec": specs[slug],
                "table": tables[slug],
                "script_id": f"chart-{slug}-data",
                "note": CHART_NOTES.get(slug),
                "wide": slug == "planned-actual",
            }
            for slug in CHARTS
        ],
    }


@public_view
def project_list(request):
    form, fiscal_year, errors = _selection(request)
    revision = ChangeCounter.total(fiscal_year)

    def respond():
        ref_date = schedule_ref_date(fiscal_year)
        projects = (
            Project.objects.in_fiscal_year(fiscal_year)
            .search(form.choice("q", ""))
            .select_related("unit")
            .only(
                "code",
                "name",
                "fiscal_year",
                "latest_percent",
                "latest_report_date",
                "planned_percent_at_latest",
                "unit__code",
                "unit__name",
            )
            .with_schedule_status(ref_date, settings.SCHEDULE_BEHIND_MARGIN)
            .order_by("code")
        )
        page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "errors": errors,
            "fiscal_year": fiscal_year,
            "years": years_on_offer(fiscal_year),
            "page": page,
            "rows": public_pages.project_rows(page),
        }
        return _page(request, "public/project_list.html", context)

    return conditional(request, ("projects", fiscal_year, revision, request.GET.urlencode()), respond)


@public_view
def project_detail(request, code):
    project = fetch_with_unit(Project, "code", code, reference_revision=True)
    if project is None:
        raise Http404("no such project")

    def respond():
        body = cached(
            cache_key(
                "public-project",
                project.pk,
                project.revision,
                project.reference_revision,
                translation.get_language(),
                thaidate.today().isoformat(),
            ),
            lambda: render_to_string("public/_project_body.html", public_pages.project_context(project)),
        )
        return _page(request, "public/project_detail.html", {"project": PublicView(project), "body": mark_safe(body)})  # noqa: S308 (our own rendered template)

    return conditional(request, ("project", project.pk, project.revision, project.reference_revision), respond)


@public_view
def indicator_list(request):
    form, fiscal_year, errors = _selection(request)
    revision = ChangeCounter.total(fiscal_year)

    def respond():
        indicators = (
            Indicator.objects.in_fiscal_year(fiscal_year)
            .search(form.choice("q", ""))
            .select_related("unit")
            .only(
                "code",
                "fiscal_year",
                "name",
                "ordinal_display",
                "measure",
                "target",
                "target_text",
                "achieved",
                "unit__code",
                "unit__name",
            )
            .order_by("code")
        )
        page = Paginator(indicators, PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "errors": errors,
            "fiscal_year": fiscal_year,
            "years": years_on_offer(fiscal_year),
            "page": page,
            "rows": [PublicView(indicator) for indicator in page],
        }
        return _page(request, "public/indicator_list.html", context)

    return conditional(request, ("indicators", fiscal_year, revision, request.GET.urlencode()), respond)


@public_view
def indicator_detail(request, code, fy):
    revision = ChangeCounter.total(fy)

    def respond():
        indicator = get_object_or_404(
            Indicator.objects.select_related("unit", "dimension", "plan_node"), code=code, fiscal_year=fy
        )
        return _page(request, "public/indicator_detail.html", public_pages.indicator_context(indicator))

    return conditional(request, ("indicator", code, fy, revision), respond)


# --- Open data --------------------------------------------------------------------------------


@public_view
def data_index(request):
    years = years_on_offer()

    def respond():
        datasets = [
            {"slug": slug, "title": dataset.name, "description": dataset.description}
            for slug, dataset in opendata.DATASETS.items()
        ]
        licence_title, licence_url = opendata.LICENCES[settings.OPEN_DATA_LICENCE]
        context = {"years": years, "datasets": datasets, "licence_title": licence_title, "licence_url": licence_url}
        return _page(request, "public/data.html", context)

    return conditional(request, ("data", years[0], years[-1], settings.OPEN_DATA_LICENCE), respond)


def _dataset(slug):
    dataset = opendata.DATASETS.get(slug)
    if dataset is None:
        raise Http404("no such dataset")
    return dataset


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public_view
def data_file(request, fy, dataset, fmt):
    """A year's records of one dataset, streamed: CSV (UTF-8 with BOM) or JSON."""
    dataset = _dataset(dataset)
    revision = ChangeCounter.total(fy)

    def respond():
        if fmt == "csv":
            response = StreamingHttpResponse(opendata.data_csv(dataset, fy), content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(
                opendata.data_json(dataset, fy), content_type="application/json; charset=utf-8"
            )
        return _attachment(response, f"bma-{dataset.slug}-{fy}.{fmt}")

    return conditional(request, ("data", dataset.slug, fmt, fy, revision), respond)


@public_view
def dictionary_file(request, fy, dataset, fmt):
    """The data dictionary of a dataset: field, type, Thai and English name."""
    dataset = _dataset(dataset)

    def respond():
        if fmt == "csv":
            response = HttpResponse("".join(opendata.dictionary_csv(dataset)), content_type="text/csv; charset=utf-8")
        else:
            body = json.dumps(
                {"dataset": dataset.slug, "fields": opendata.dictionary(dataset)}, ensure_ascii=False, indent=1
            )
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
        return _attachment(response, f"bma-{dataset.slug}-{fy}-dictionary.{fmt}")

    return conditional(request, ("dictionary", dataset.slug, fmt, fy), respond)


@public_view
def metadata_file(request, fy, dataset):
    """The dataset's catalogue entry (data.go.th style), with the date its records last changed."""
    dataset = _dataset(dataset)
    revision = ChangeCounter.total(fy)

    def respond():
        namespace = NAMESPACES[translation.get_language()]
        args = [fy, dataset.slug]
        urls = {
            name: request.build_absolute_uri(reverse(f"{namespace}:{name}", args=args))
            for name in ("data_csv", "data_json", "dictionary_csv", "dictionary_json")
        }
        urls = {"csv": urls["data_csv"], "json": urls["data_json"], **urls}
        body = opendata.metadata(dataset, fy, urls=urls, updated=dataset.updated(fy))
        return HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
        )

    return conditional(request, ("metadata", dataset.slug, fy, revision, request.get_host()), respond)
