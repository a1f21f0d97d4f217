"""The band design page: the distribution of a KPI's weekly values over the pilot and the
bands its percentiles suggest (`sla.design`), which program managers may use for an SLA."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import scope
from partners.mixins import ViewerRequiredMixin
from partners.models import Channel, Role, Team
from sla import charts, domain, selectors, services
from sla import design as band_design
from sla.forms import DesignForm
from sla.models import GovernedKpi, Sla
from sla.views.common import contract_url, report_governed


class BandDesignView(ViewerRequiredMixin, TemplateView):
    """The distribution of a KPI's weekly values over the pilot, and the bands its
    percentiles suggest. Anyone who sees the SLA may look; program managers may use the
    suggested bands (POST), which replace that channel and KPI's bands in the SLA."""

    template_name = "sla/design_bands.html"

    @cached_property
    def sla(self) -> Sla:
        return selectors.sla_for(self.viewer, self.kwargs["pk"])

    def defaults(self) -> dict[str, Any]:
        today = clock.today(self.viewer.account)
        first, last = band_design.default_weeks(self.sla.contract.partner, today)
        governed = self.sla.governed.order_by("channel", "kpi").first()
        if governed is not None:
            channel = governed.channel
        else:  # the channel of the partner's first team: the pilot's, usually
            team = scope(Team, self.viewer).filter(partner=self.sla.contract.partner).first()
            channel = team.channel if team else Channel.values[0]
        return {
            "channel": channel,
            "kpi": governed.kpi if governed and governed.kpi != domain.CALIBRATION else "csat",
            "first_week": first.isoformat(),
            "last_week": last.isoformat(),
            "cut_1": "10",
            "cut_2": "40",
            "cut_3": "80",
        }

    def existing(self, form: DesignForm) -> GovernedKpi | None:
        return (
            scope(GovernedKpi, self.viewer)
            .filter(
                sla=self.sla, channel=form.cleaned_data["channel"], kpi=form.cleaned_data["kpi"]
            )
            .first()
        )

    def design(self, form: DesignForm) -> tuple[band_design.Design | None, GovernedKpi | None]:
        if not form.is_valid():
            return None, None
        existing = self.existing(form)
        try:
            result = band_design.band_design(
                viewer=self.viewer,
                partner=self.sla.contract.partner,
                channel=form.cleaned_data["channel"],
                kpi=form.cleaned_data["kpi"],
                weeks=form.weeks(),
                cuts=form.cuts(),
                guardrail=existing.guardrail if existing else None,
                min_sample=existing.min_sample if existing else None,
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
            return None, existing
        return result, existing

    def render_design(self, form: DesignForm) -> HttpResponse:
        result, existing = self.design(form)
        context: dict[str, Any] = {
            "sla": self.sla,
            "contract": self.sla.contract,
            "partner": self.sla.contract.partner,
            "form": form,
            "design": result,
            "existing": existing,
            "min_weeks": band_design.MIN_WEEKS,
            "can_apply": self.viewer.role == Role.PROGRAM_MANAGER,
        }
        if result is not None:
            context.update(
                channel_label=Channel(form.cleaned_data["channel"]).label.lower(),
                weeks=[
                    (w, domain.format_value(result.kpi, w.value) if w.value is not None else "–")
                    for w in result.weeks
                ],
                summary=[
                    (label, domain.format_value(result.kpi, getattr(result.summary, attr)))
                    for label, attr in (
                        ("min", "minimum"),
                        ("p10", "p10"),
                        ("median", "median"),
                        ("p90", "p90"),
                        ("max", "maximum"),
                    )
                ]
                if result.summary
                else [],
                bands=[(b, domain.bounds_text(b, result.kpi)) for b in result.bands],
                charts=(
                    {"design-distribution": charts.distribution_figure(result)}
                    if result.values
                    else {}
                ),
            )
        return self.render_to_response(self.get_context_data(**context))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = {**self.defaults(), **request.GET.dict()}
        return self.render_design(DesignForm(data))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.viewer.role != Role.PROGRAM_MANAGER:
            raise PermissionDenied("Only the buyer's program managers change bands.")
        form = DesignForm(request.POST)
        result, existing = self.design(form)
        if result is None or not result.bands:
            messages.error(request, "There is no suggestion to use: too little data.")
            return self.render_design(form)
        try:
            saved = services.governed_kpi_save(
                viewer=self.viewer,
                sla=self.sla,
                channel=form.cleaned_data["channel"],
                kpi=form.cleaned_data["kpi"],
                guardrail=result.guardrail,
                bands=result.bands,
                min_sample=result.min_sample,
                governed=existing,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.render_design(form)
        report_governed(request, saved, "Replaced the bands of" if existing else "Added")
        return redirect(contract_url(self.sla.contract_id, f"sla-{self.sla.pk}"))
