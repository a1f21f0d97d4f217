"""HTML views of the scope of work: a partner's current statement of work with its scope
discipline and forecast against actual volume, its earlier versions, the editor that writes
the next version (for a partner or for a selection), and interaction types.

Thin, as everywhere in Keel: partners and selections come through `partners.scoping` and
`engagements.selectors` (another partner's or account's are a 404), writes go through
`engagements.services`, whose `DomainError` becomes an error at the top of the form, and
only program managers reach the pages that write.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.charts import ACCENT
from core.errors import DomainError
from core.formatting import as_percent
from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain, selectors, services
from engagements.forms import (
    InteractionTypeForm,
    ScopeForms,
    blank_input,
    missing_standard,
    typical_mix,
)
from engagements.models import (
    Baseline,
    ItemKind,
    ScopeItem,
    ScopeLine,
    ScopeVersion,
    Selection,
)
from kpis.domain import Kpi
from kpis.templatetags.kpi import format_kpi
from partners.mixins import DomainFormMixin, ProgramManagerMixin, ViewerRequiredMixin
from partners.models import Channel, InteractionType, Partner, Role
from sla.currency import minor_digits
from sla.domain import format_money
from sla.evaluation import month_of
from sla.models import Contract

CHANNEL_LABELS = dict(Channel.choices)
ACTUAL_COLOUR = "#e5a400"


def _percent(fraction: Decimal | None) -> Decimal | None:
    return as_percent(fraction, 1)


def safe_next(request: HttpRequest, raw: str | None) -> str | None:
    """`raw` when it is a path on this site, else None: `?next=` never leads elsewhere."""
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return None


# PRESENTATION OF A VERSION
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixRow:
    type_name: str
    brand_sensitive: bool
    contacts: int
    share: Decimal | None  # % of the month


@dataclass(frozen=True)
class MixChannel:
    channel: str
    label: str
    contacts: int
    share: Decimal | None
    rows: list[MixRow]


def mix_table(version: ScopeVersion) -> list[MixChannel]:
    """The mix per channel, each interaction type with its share of the whole month."""
    lines = list(version.lines.all())
    total = sum(li.contacts for li in lines)
    grouped: dict[str, list[ScopeLine]] = defaultdict(list)
    for li in lines:
        grouped[li.channel].append(li)
    order = list(CHANNEL_LABELS)
    result = []
    for channel in sorted(grouped, key=lambda c: order.index(c) if c in order else len(order)):
        rows = sorted(grouped[channel], key=lambda li: (-li.contacts, li.interaction_type.name))
        contacts = sum(li.contacts for li in rows)
        result.append(
            MixChannel(
                channel,
                CHANNEL_LABELS.get(channel, channel),
                contacts,
                _percent(domain.share(contacts, total)),
                [
                    MixRow(
                        li.interaction_type.name,
                        li.interaction_type.is_brand_sensitive,
                        li.contacts,
                        _percent(domain.share(li.contacts, total)),
                    )
                    for li in rows
                ],
            )
        )
    return result


@dataclass(frozen=True)
class BaselineRow:
    baseline: Baseline
    csat: str
    fcr: str
    aht: str
    frt: str
    cost_per_contact: str
    cost_per_resolved: str


def _pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}%"


def _seconds_text(kpi: Kpi, value: int | None) -> str:
    return "—" if value is None else format_kpi(kpi, Decimal(value))


def baseline_rows(version: ScopeVersion) -> list[BaselineRow]:
    minor = minor_digits(version.currency)

    def money(amount: Decimal | None) -> str:
        return "—" if amount is None else format_money(amount, version.currency, minor)

    return [
        BaselineRow(
            b,
            _pct_text(b.csat_pct),
            _pct_text(b.fcr_pct),
            _seconds_text(Kpi.AHT, b.aht_seconds),
            _seconds_text(Kpi.FRT, b.frt_seconds),
            money(b.cost_per_contact),
            money(b.cost_per_resolved),
        )
        for b in version.baselines.all()
    ]


@dataclass(frozen=True)
class Evidence:
    url: str
    linkable: bool  # http(s) only: anything else (an API client's typo) is shown as text


@dataclass(frozen=True)
class CheckItem:
    item: ScopeItem
    evidence: list[Evidence]


def checklist(version: ScopeVersion) -> dict[str, list[CheckItem]]:
    """Escalation criteria and compliance requirements, each with its evidence links."""
    groups: dict[str, list[CheckItem]] = {ItemKind.ESCALATION: [], ItemKind.COMPLIANCE: []}
    for item in version.items.all():
        links = [
            Evidence(url, url.lower().startswith(("https://", "http://"))) for url in item.evidence
        ]
        groups.setdefault(item.kind, []).append(CheckItem(item, links))
    return groups


# Scope discipline
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfScopeRow:
    channel: str
    type_name: str
    shift: str
    reason: str
    contacts: int
    share: Decimal | None  # % of all contacts


@dataclass(frozen=True)
class DisciplineView:
    discipline: domain.Discipline
    start: date
    end: date
    healthy_pct: Decimal
    out_of_scope: list[OutOfScopeRow]

    @property
    def share(self) -> Decimal | None:
        return _percent(self.discipline.share)


def discipline_view(
    viewer: Viewer, partner: Partner, version: ScopeVersion, today: date
) -> DisciplineView:
    found, start, end = selectors.recent_discipline(viewer, partner, version, today)
    names: dict[str, str] = {}
    if found.out_of_scope:
        names = dict(scope(InteractionType, viewer).values_list("code", "name"))
    rows = [
        OutOfScopeRow(
            CHANNEL_LABELS.get(o.channel, o.channel),
            names.get(o.type_code, o.type_code),
            domain.SHIFT_LABELS[o.shift],
            domain.REASON_TEXT[o.reason],
            o.contacts,
            _percent(domain.share(o.contacts, found.contacts)),
        )
        for o in found.out_of_scope
    ]
    return DisciplineView(
        found, start, end, _percent(domain.DISCIPLINE_HEALTHY) or Decimal(0), rows
    )


# Forecast against actual
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    row: selectors.VolumeRow
    cells: list[tuple[int | None, int | None]]  # (forecast, actual) per channel

    @property
    def gap(self) -> Decimal | None:
        return _percent(self.row.gap)


@dataclass(frozen=True)
class TypeRowView:
    row: selectors.TypeRow
    channel: str

    @property
    def gap(self) -> Decimal | None:
        return _percent(self.row.gap)


@dataclass(frozen=True)
class VolumeView:
    found: selectors.ForecastVsActual
    channels: list[tuple[str, str]]
    months: list[MonthRow]
    by_type: list[TypeRowView]
    case_ratio: Decimal

    @property
    def has_actual(self) -> bool:
        return any(m.row.actual is not None for m in self.months)


def volume_view(found: selectors.ForecastVsActual) -> VolumeView:
    seen = {c for r in found.months for c in (*r.forecast_by_channel, *r.actual_by_channel)}
    channels = [(c, label) for c, label in CHANNEL_LABELS.items() if c in seen]
    months = [
        MonthRow(
            r,
            [
                (
                    r.forecast_by_channel.get(c, 0),
                    r.actual_by_channel.get(c, 0 if r.actual is not None else None),
                )
                for c, _ in channels
            ],
        )
        for r in found.months
    ]
    by_type = [TypeRowView(t, CHANNEL_LABELS.get(t.channel, t.channel)) for t in found.by_type]
    return VolumeView(found, channels, months, by_type, domain.PEAK_TO_TROUGH_CASE)


def volume_figure(found: selectors.ForecastVsActual) -> dict[str, Any]:
    """Monthly contacts, forecast (line) against actual (bars); a plain plotly.js figure for
    static/js/charts.js."""
    x = [f"{r.month:%b %Y}" for r in found.months]
    return {
        "data": [
            {
                "type": "bar", "name": "Actual", "x": x, "y": [r.actual for r in found.months],
                "marker": {"color": ACTUAL_COLOUR},
                "hovertemplate": "%{x}: %{y:,} contacts<extra>actual</extra>",
            },
            {
                "type": "scatter", "mode": "lines+markers", "name": "Forecast", "x": x,
                "y": [r.forecast for r in found.months], "line": {"color": ACCENT},
                "hovertemplate": "%{x}: %{y:,} contacts<extra>forecast</extra>",
            },
        ],
        "layout": {
            "height": 260,
            "margin": {"l": 55, "r": 10, "t": 10, "b": 40},
            "yaxis": {"title": {"text": "contacts"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }  # fmt: skip


# PAGES THAT READ
# ------------------------------------------------------------------------------


class ScopeDetailView(ViewerRequiredMixin, TemplateView):
    """The partner's current scope of work, whether the work matches it, and forecast
    against actual volume. Partner-side people see their own partner's, read-only, without
    the buyer's in-house costs. A fixed number of queries however many lines, items and
    versions."""

    template_name = "engagements/scope_detail.html"

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    def chosen(self, versions: list[ScopeVersion]) -> ScopeVersion | None:
        return selectors.current_scope(self.viewer, self.partner) if versions else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partner, today = self.partner, context["today"]
        versions = list(selectors.scope_versions(self.viewer, partner))
        version = self.chosen(versions)
        latest = versions[0].version if versions else None
        context.update(
            partner=partner,
            versions=versions,
            version=version,
            superseded=version is not None and version.version != latest,
            can_edit=self.viewer.role == Role.PROGRAM_MANAGER,
            show_costs=self.viewer.is_buyer_side,
        )
        if version is not None:
            found = selectors.forecast_vs_actual(self.viewer, partner, version, today)
            mix = mix_table(version)
            context.update(
                mix=mix,
                mix_total=sum(c.contacts for c in mix),
                months=list(version.months.all()),
                baselines=baseline_rows(version),
                checklist=checklist(version),
                discipline=discipline_view(self.viewer, partner, version, today),
                volumes=volume_view(found),
                charts={"scope-volume": volume_figure(found)},
            )
        return context


class ScopeVersionView(ScopeDetailView):
    """An earlier version of the scope, shown as the current one is, marked as superseded;
    discipline and volumes are measured against it."""

    def chosen(self, versions: list[ScopeVersion]) -> ScopeVersion | None:
        number = self.kwargs["version"]
        if not any(v.version == number for v in versions):
            raise Http404("No such version of this scope.")
        return selectors.scope_version(self.viewer, self.partner, number)


# THE EDITOR
# ------------------------------------------------------------------------------


class ScopeEditBase(ProgramManagerMixin, TemplateView):
    """One page for a whole new version: the facts, the mix, seasonal months, the in-house
    baseline and the checklist, prefilled from the current version. Saved all together by
    `services.scope_save`, or not at all.

    Subclasses say whose scope it is (`owner`, `current`), how to save it and where to go."""

    template_name = "engagements/scope_form.html"

    # Whose scope
    @property
    def owner(self) -> Partner | Selection:
        raise NotImplementedError

    @property
    def current(self) -> ScopeVersion | None:
        raise NotImplementedError

    def save(self, data: services.ScopeInput) -> ScopeVersion:
        raise NotImplementedError

    def done_url(self) -> str:
        raise NotImplementedError

    def default_currency(self) -> str | None:
        return None

    # Shared
    @cached_property
    def types(self) -> list[InteractionType]:
        return list(scope(InteractionType, self.viewer).order_by("name"))

    @cached_property
    def in_house_partners(self) -> list[Partner]:
        return list(scope(Partner, self.viewer).filter(in_house=True).order_by("name"))

    def start(self, today: date) -> services.ScopeInput:
        """Where the form starts: the current version (without its note), or a blank scope;
        then the typical mix or an in-house baseline when asked for."""
        current = self.current
        if current is not None:
            start = replace(services.scope_input_from(current), note="")
        else:
            start = blank_input(month_of(today).next().start, self.default_currency())
        if self.request.GET.get("start") == "typical":
            typical = typical_mix(start, self.types)
            if typical is None:
                messages.warning(
                    self.request,
                    "The typical mix needs its interaction types: add them first (below).",
                )
            else:
                start = typical
        raw = self.request.GET.get("in_house")
        if raw:
            start = self.with_in_house(start, raw, today)
        return start

    def with_in_house(
        self, start: services.ScopeInput, raw: str, today: date
    ) -> services.ScopeInput:
        team = next((p for p in self.in_house_partners if str(p.pk) == raw), None)
        if team is None:
            messages.error(
                self.request,
                "That is not one of this account's in-house teams: the baseline is as it was.",
            )
            return start
        found = selectors.in_house_baseline(self.viewer, team, today)
        if not found:
            messages.warning(
                self.request,
                f"{team.name} has no monthly KPI data for the last complete months: import its "
                "interactions first. The baseline is as it was.",
            )
            return start
        # KPI data has no cost: keep the cost per contact people entered for the channel.
        costs = {b.channel: b.cost_per_contact for b in start.baselines}
        filled = [replace(b, cost_per_contact=costs.get(b.channel)) for b in found]
        kept = [b for b in start.baselines if b.channel not in {f.channel for f in found}]
        order = list(CHANNEL_LABELS)
        baselines = sorted(
            [*kept, *filled],
            key=lambda b: order.index(b.channel) if b.channel in order else len(order),
        )
        messages.info(
            self.request,
            f"Baseline of {', '.join(CHANNEL_LABELS.get(b.channel, b.channel) for b in filled)} "
            f"filled from {team.name}'s recent complete months. Check it, add the in-house cost "
            "per contact, and save.",
        )
        return replace(start, baselines=baselines)

    def render_forms(self, forms: ScopeForms) -> HttpResponse:
        path = self.request.path
        context = self.get_context_data(
            forms=forms,
            form=forms.main,
            owner=self.owner,
            current=self.current,
            done_url=self.done_url(),
            standard_missing=missing_standard(self.types),
            standard_mix=domain.STANDARD_MIX,
            standard_total=sum(t.contacts for t in domain.STANDARD_MIX),
            typical_url=f"{path}?{urlencode({'start': 'typical'})}",
            type_create_url=(f"{reverse('engagements:type-create')}?{urlencode({'next': path})}"),
            in_house_links=[
                (p, f"{path}?{urlencode({'in_house': p.pk})}") for p in self.in_house_partners
            ],
        )
        return self.render_to_response(context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        start = self.start(clock.today(self.viewer.account))
        return self.render_forms(ScopeForms.build(types=self.types, start=start))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        forms = ScopeForms.build(request.POST, types=self.types)
        if not forms.is_valid():
            return self.render_forms(forms)
        try:
            version = self.save(forms.scope_input())
        except DomainError as exc:
            # Which part broke the rule is in the message; the mix has no single field.
            field = exc.field if exc.field in forms.main.fields else None
            forms.main.add_error(field, exc.message)
            return self.render_forms(forms)
        messages.success(
            request, f"Saved version {version.version} of the scope of work for {self.owner}."
        )
        return redirect(self.done_url())


class ScopeEditView(ScopeEditBase):
    @cached_property
    def owner(self) -> Partner:  # type: ignore[override]
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    @cached_property
    def current(self) -> ScopeVersion | None:  # type: ignore[override]
        return selectors.current_scope(self.viewer, self.owner)

    def default_currency(self) -> str | None:
        """A first scope in the currency of the partner's latest contract."""
        return (
            scope(Contract, self.viewer)
            .filter(partner=self.owner)
            .order_by("-start_date", "-pk")
            .values_list("currency", flat=True)
            .first()
        )

    def save(self, data: services.ScopeInput) -> ScopeVersion:
        return services.scope_save(viewer=self.viewer, data=data, partner=self.owner)

    def done_url(self) -> str:
        return reverse("engagements:scope-detail", args=[self.owner.pk])


class SelectionScopeEditView(ScopeEditBase):
    """The scope a selection asks candidates to quote on; it becomes the chosen partner's."""

    @cached_property
    def owner(self) -> Selection:  # type: ignore[override]
        return selectors.selection_for(self.viewer, self.kwargs["pk"])

    @cached_property
    def current(self) -> ScopeVersion | None:  # type: ignore[override]
        return selectors.selection_scope(self.viewer, self.owner)

    def default_currency(self) -> str | None:
        return self.owner.currency

    def save(self, data: services.ScopeInput) -> ScopeVersion:
        return services.scope_save(viewer=self.viewer, data=data, selection=self.owner)

    def done_url(self) -> str:
        return reverse("engagements:selection-detail", args=[self.owner.pk])


# INTERACTION TYPES
# ------------------------------------------------------------------------------


class InteractionTypeCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Add an interaction type; with `?next=` (a page of this site) go back there, such as
    the scope editor that needed it."""

    form_class = InteractionTypeForm
    template_name = "engagements/type_form.html"

    def next_url(self) -> str | None:
        return safe_next(
            self.request, self.request.POST.get("next") or self.request.GET.get("next")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        types = list(scope(InteractionType, self.viewer).order_by("name"))
        return super().get_context_data(
            types=types,
            next_url=self.next_url(),
            standard_missing=missing_standard(types),
            **kwargs,
        )

    def perform(self, form: InteractionTypeForm) -> HttpResponse:
        data = form.cleaned_data
        kind = services.interaction_type_create(
            viewer=self.viewer,
            code=data["code"],
            name=data["name"],
            brand_sensitive=data["is_brand_sensitive"],
            routine=data["is_routine"],
        )
        messages.success(self.request, f"Added the interaction type {kind.name} ({kind.code}).")
        return redirect(self.next_url() or reverse("engagements:type-create"))


class StandardTypesView(ProgramManagerMixin, View):
    """Create the five interaction types of DOMAIN.md's typical mix where missing."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            types = services.standard_types_ensure(viewer=self.viewer)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            names = ", ".join(t.name for t in types)
            messages.success(request, f"The typical mix's interaction types are ready: {names}.")
        return redirect(
            safe_next(request, request.POST.get("next") or request.GET.get("next"))
            or reverse("engagements:type-create")
        )
