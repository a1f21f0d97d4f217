"""HTML views of the scope of work: a partner's current statement of work with its scope
discipline and forecast against actual volume, its earlier versions, and the editor that
writes the next version (for a partner or for a selection).

Thin, as everywhere in Keel: partners and selections come through `partners.scoping` and
`engagements.selectors` (another partner's or account's are a 404), what the page shows is
shaped by `engagements.viewmodels` and drawn by `engagements.charts`, writes go through
`engagements.services`, whose `DomainError` becomes an error at the top of the form, and
only program managers reach the pages that write.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from engagements import domain, selectors, services
from engagements.charts import volume_figure
from engagements.forms import ScopeForms, blank_input, missing_standard, typical_mix
from engagements.models import ScopeVersion, Selection
from engagements.viewmodels import (
    baseline_rows,
    checklist,
    discipline_view,
    mix_table,
    volume_view,
)
from partners.mixins import ProgramManagerMixin, ViewerRequiredMixin, add_domain_error
from partners.models import Channel, InteractionType, Partner, Role
from sla.evaluation import month_of
from sla.models import Contract

CHANNEL_LABELS = dict(Channel.choices)


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
            add_domain_error(forms.main, exc)
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
