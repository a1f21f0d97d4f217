"""HTML views for KPI data: imports, column mappings, scorecards and the contacts behind them.
Thin: selectors read, services write, `partners.scoping` decides what is visible."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.exports import csv_response
from core.scoping import get_scoped_or_404
from kpis import charts, selectors, services, sources
from kpis.domain import CONTACT_KPIS, DEFAULT_MIN_SAMPLE, DEFINITIONS
from kpis.forms import AgentScorecardForm, ImportForm, MappingForm, PeriodForm
from kpis.importers import progress_get
from kpis.models import ColumnMapping, ImportBatch, ImportKind, ImportStatus
from kpis.periods import Period, PeriodType
from kpis.rows import FIELDS, PRESETS, Kind
from partners.mixins import ActionView, DomainFormMixin, ViewerRequiredMixin, paginate
from partners.models import Agent, Channel, Partner

PROBLEMS_ON_PAGE = 200
AGENTS_ON_PAGE = 100  # the agent scorecard: flags and sort cover all agents, a page shows 100


# IMPORTS
# ------------------------------------------------------------------------------


class ImportListView(ViewerRequiredMixin, TemplateView):
    template_name = "kpis/import_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, selectors.imports_list(viewer=self.viewer), 25)
        context["can_import"] = self.viewer.role in services.IMPORTERS
        return context


class ImportCreateView(ViewerRequiredMixin, DomainFormMixin, FormView):
    allowed_roles = services.IMPORTERS
    form_class = ImportForm
    template_name = "kpis/import_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            presets=PRESETS,
            threshold=services.ASYNC_ROWS,
            kinds=[(k, FIELDS[Kind(k)]) for k in ImportKind.values],
            **kwargs,
        )

    def perform(self, form: ImportForm) -> HttpResponse:
        batch = services.import_upload(
            viewer=self.viewer,
            kind=form.cleaned_data["kind"],
            partner=form.cleaned_data["partner"],
            file=form.cleaned_data["file"],
            mapping=form.cleaned_data["mapping"],
            unknown_agents=form.cleaned_data["unknown_agents"],
            timezone_name=form.cleaned_data["timezone"],
        )
        return redirect("kpis:import-detail", pk=batch.pk)


class ImportMixin(ViewerRequiredMixin):
    kwargs: dict[str, Any]

    @cached_property
    def batch(self) -> ImportBatch:
        return get_scoped_or_404(
            ImportBatch.objects.select_related("partner", "created_by"),
            self.viewer,
            pk=self.kwargs["pk"],
        )


def import_state(batch: ImportBatch) -> dict[str, Any]:
    """What the progress bar shows, from the batch and the worker's progress in the cache."""
    progress = progress_get(batch.pk) or {}
    rows = batch.rows_total if batch.is_finished else progress.get("rows", 0)
    expected = batch.rows_expected or 0
    percent = 100 if batch.is_finished else min(99, round(100 * rows / expected)) if expected else 0
    return {
        "status": batch.status,
        "label": batch.get_status_display(),
        "phase": progress.get("phase", ""),
        "rows": rows,
        "expected": expected,
        "percent": percent,
        "finished": batch.is_finished,
        "stalled": services.import_is_stalled(batch),
    }


class ImportDetailView(ImportMixin, TemplateView):
    template_name = "kpis/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = self.batch
        context.update(
            batch=batch,
            state=import_state(batch),
            problems=batch.problems.all()[:PROBLEMS_ON_PAGE],
            problems_on_page=PROBLEMS_ON_PAGE,
            can_retry=self.viewer.role in services.IMPORTERS
            and bool(batch.file)
            and (batch.status == ImportStatus.FAILED or services.import_is_stalled(batch)),
        )
        return context


class ImportStatusView(ImportMixin, View):
    """JSON for the progress bar, polled while a worker imports the file."""

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(import_state(self.batch))


class ImportProblemsCsvView(ImportMixin, View):
    """Every kept problem of a rejected file, as CSV, streamed."""

    def get(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        problems = self.batch.problems.order_by("row", "pk").values_list(
            "row", "column", "value", "message"
        )
        return csv_response(
            f"keel-import-{self.batch.pk}-problems.csv",
            ["row", "column", "value", "problem"],
            problems.iterator(chunk_size=2000),
        )


class ImportRetryView(ImportMixin, ActionView):
    allowed_roles = services.IMPORTERS

    def act(self, **kwargs: Any) -> str:
        services.import_retry(viewer=self.viewer, batch=self.batch)
        return "The import runs again."

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse("kpis:import-detail", kwargs={"pk": kwargs["pk"]})


class MappingView(ViewerRequiredMixin, DomainFormMixin, FormView):
    """The columns a partner's exports use, saved so that each upload reuses them."""

    allowed_roles = services.IMPORTERS
    template_name = "kpis/mapping_form.html"

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    @cached_property
    def kind(self) -> Kind:
        try:
            return Kind(self.kwargs["kind"])
        except ValueError:
            from django.http import Http404

            raise Http404("No such kind of import.") from None

    def get_form(self, form_class: Any = None) -> MappingForm:
        return MappingForm(**self.get_form_kwargs(), kind=self.kind)

    def get_initial(self) -> dict[str, Any]:
        preset = self.request.GET.get("preset")
        if preset in PRESETS:
            return MappingForm.initial_from(PRESETS[preset][2].to_json())
        saved = ColumnMapping.objects.filter(partner=self.partner, kind=self.kind.value).first()
        if saved is None:
            return {}
        return MappingForm.initial_from(
            {"columns": saved.columns, "units": saved.units, "values": saved.values}
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        presets = [
            (key, label) for key, (label, kind, _) in PRESETS.items() if kind in (None, self.kind)
        ]
        return super().get_context_data(
            partner=self.partner, kind=self.kind, presets=presets, **kwargs
        )

    def perform(self, form: MappingForm) -> HttpResponse:
        mapping = form.mapping()
        services.mapping_save(
            viewer=self.viewer,
            partner=self.partner,
            kind=self.kind.value,
            columns=mapping["columns"],
            units=mapping["units"],
            values=mapping["values"],
        )
        messages.success(self.request, f"Saved the {self.kind.value} columns of {self.partner}.")
        return redirect("kpis:mapping", pk=self.partner.pk, kind=self.kind.value)


# SCORECARDS
# ------------------------------------------------------------------------------


class PartnerScorecardMixin(ViewerRequiredMixin):
    kwargs: dict[str, Any]

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])


def _default_period(viewer: Any, partner: Partner | None, request: HttpRequest) -> Period:
    raw = request.GET.get("period") or PeriodType.MONTH.value
    period_type = PeriodType(raw) if raw in PeriodType._value2member_map_ else PeriodType.MONTH
    return selectors.latest_period(viewer=viewer, period_type=period_type, partner=partner)


def _period_links(period: Period) -> dict[str, str]:
    return {
        "previous": f"?period={period.type}&start={period.previous().start}",
        "next": f"?period={period.type}&start={period.next().start}",
    }


class ChannelScorecardView(PartnerScorecardMixin, TemplateView):
    template_name = "kpis/scorecard_channels.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None)
        period = form.period_or(_default_period(self.viewer, self.partner, self.request))
        cards = selectors.channel_scorecard(viewer=self.viewer, partner=self.partner, period=period)
        charts_ = {
            f"spark-{card.channel}-{cell.kpi}": charts.sparkline(cell.kpi, cell.trend)
            for card in cards
            for cell in card.cells
        }
        context.update(
            partner=self.partner,
            period=period,
            form=form,
            cards=cards,
            charts=charts_,
            links=_period_links(period),
            period_types=list(PeriodType),
            min_sample=DEFAULT_MIN_SAMPLE,
        )
        # What higher floors add: calibration alignment, the SLA's band statuses (kpis.sources).
        context.update(sources.scorecard_panels(self.viewer, self.partner, period))
        return context


class AgentScorecardView(PartnerScorecardMixin, TemplateView):
    template_name = "kpis/scorecard_agents.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AgentScorecardForm(
            self.request.GET or None, viewer=self.viewer, partner=self.partner
        )
        period = form.period_or(_default_period(self.viewer, self.partner, self.request))
        data = form.cleaned_data if form.is_valid() else {}
        team = data.get("team")
        scorecard = selectors.agent_scorecard(
            viewer=self.viewer,
            partner=self.partner,
            period=period,
            team_id=team.pk if team else None,
            channel=data.get("channel") or None,
            tenure=data.get("tenure") or None,
            sort=data.get("sort") or "name",
            descending=bool(data.get("desc")),
            min_sample=data.get("min_sample") or DEFAULT_MIN_SAMPLE,
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        page_query = query.urlencode()  # the pages keep the sort
        for key in ("sort", "desc"):
            query.pop(key, None)
        context.update(
            partner=self.partner,
            period=period,
            form=form,
            scorecard=scorecard,
            page=paginate(self.request, scorecard.rows, AGENTS_ON_PAGE),  # type: ignore[arg-type]
            page_query=page_query,
            kpis=CONTACT_KPIS,
            more_columns=selectors.MORE_COLUMNS,
            definitions={k: DEFINITIONS[k].definition for k in CONTACT_KPIS},
            query=query.urlencode(),
            links=_period_links(period),
            period_types=list(PeriodType),
            breaches=[
                (DEFINITIONS[k].label, n)
                for k in CONTACT_KPIS
                if (n := sum(1 for row in scorecard.rows if "threshold" in row.flags.get(k, ())))
            ],
        )
        return context


class AgentKpiView(ViewerRequiredMixin, TemplateView):
    """One agent's KPIs over the last 12 periods, per channel."""

    template_name = "kpis/agent_scorecard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agent = get_scoped_or_404(
            Agent.objects.select_related("partner", "team"), self.viewer, pk=self.kwargs["pk"]
        )
        services.scorecard_opened(viewer=self.viewer, agent=agent)
        form = PeriodForm(self.request.GET or None)
        period = form.period_or(_default_period(self.viewer, agent.partner, self.request))
        trends = selectors.agent_trends(viewer=self.viewer, agent=agent, period=period)
        # The SLA's bands (a higher floor, through kpis.sources): one read for every chart.
        bands = sources.kpi_bands(self.viewer, agent.partner, period)
        figures = {}
        for trend in trends:
            for kpi in CONTACT_KPIS:
                title = f"{DEFINITIONS[kpi].label} · {Channel(trend.channel).label}"
                figures[f"trend-{trend.channel}-{kpi}"] = charts.trend(
                    kpi, trend.series(kpi), title, sources.bands_for(bands, trend.channel, kpi)
                )
        context.update(
            agent=agent,
            period=period,
            form=form,
            trends=trends,
            charts=figures,
            kpis=CONTACT_KPIS,
            links=_period_links(period),
            period_types=list(PeriodType),
        )
        return context


class WeeklyScorecardView(ViewerRequiredMixin, TemplateView):
    """The program manager's Monday read: every partner and channel, this week against last
    week and against the eight weeks before."""

    template_name = "kpis/scorecard_weekly.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today(self.viewer.account)
        last_complete = Period.containing(PeriodType.WEEK, today).previous()
        form = PeriodForm(self.request.GET or None)
        week = Period.containing(PeriodType.WEEK, form.period_or(last_complete).start)
        rows = selectors.weekly_scorecard(viewer=self.viewer, week=week)
        context.update(
            week=week,
            form=form,
            rows=rows,
            kpis=selectors.WEEKLY_KPIS,
            more_columns=selectors.MORE_COLUMNS,
            links={
                "previous": f"?start={week.previous().start}",
                "next": f"?start={week.next().start}",
            },
        )
        return context


class InteractionListView(PartnerScorecardMixin, TemplateView):
    """The contacts behind a figure: filter by agent, channel, period or import."""

    template_name = "kpis/interaction_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        agent = None
        if get.get("agent", "").isdigit():
            agent = get_scoped_or_404(
                Agent, self.viewer, pk=int(get["agent"]), partner=self.partner
            )
        batch = None
        if get.get("batch", "").isdigit():
            batch = get_scoped_or_404(ImportBatch, self.viewer, pk=int(get["batch"]))
        period = None
        if get.get("start"):
            form = PeriodForm(get)
            if form.is_valid() and form.cleaned_data["start"]:
                today = clock.today(self.viewer.account)
                period = form.period_or(Period.containing(PeriodType.MONTH, today))
        channel = get.get("channel") if get.get("channel") in Channel.values else None
        rows = selectors.interactions_list(
            viewer=self.viewer,
            partner=self.partner,
            agent=agent,
            channel=channel,
            period=period,
            batch=batch,
        )
        query = get.copy()
        query.pop("page", None)
        context.update(
            partner=self.partner,
            agent=agent,
            batch=batch,
            period=period,
            channel=channel,
            page=paginate(self.request, rows),
            query=query.urlencode(),
        )
        return context


def scorecards_home(request: HttpRequest) -> HttpResponse:
    """Partner users go to their own channel scorecard, buyers to the weekly view."""
    viewer = getattr(request, "viewer", None)
    if viewer and viewer.partner is not None:
        return redirect("kpis:scorecard-channels", pk=viewer.partner.pk)
    return redirect("kpis:weekly")
