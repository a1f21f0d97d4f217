"""HTML views for SLAs: adding one to a contract, and the KPIs it governs with their bands
(the band editor, a template to start from, removing a KPI).

Objects come through `sla.selectors` (another partner's or account's are a 404); writes go
through `sla.services`, which check the band layout as a whole; only program managers
reach these pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView

from core.scoping import get_scoped_or_404
from partners.mixins import ActionView, DomainFormMixin, ProgramManagerMixin
from sla import domain, selectors, services
from sla.forms import (
    GovernedKpiForm,
    SlaForm,
    TemplateForm,
    band_formset_class,
    band_initial,
    unit_help,
)
from sla.models import Band, Contract, GovernedKpi, Sla
from sla.views.common import RowsEditView, contract_url, report_governed

# SLAS
# ------------------------------------------------------------------------------


class SlaCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = SlaForm
    template_name = "sla/sla_form.html"

    @cached_property
    def contract(self) -> Contract:
        return selectors.contract_for(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.contract, **kwargs)

    def perform(self, form: SlaForm) -> HttpResponse:
        sla = form.save(commit=False)
        sla.contract = self.contract
        services.sla_save(viewer=self.viewer, sla=sla)
        messages.success(self.request, f"Added the SLA {sla.name}: now give it KPIs and bands.")
        return redirect(contract_url(self.contract.pk, f"sla-{sla.pk}"))


# GOVERNED KPIS AND THEIR BANDS
# ------------------------------------------------------------------------------


class GovernedKpiEditView(RowsEditView):
    """The band editor: channel, KPI, guardrail and one row per band. The service checks the
    layout as a whole (gaps, overlaps, a better value in a worse band); nothing is saved
    while it has a problem."""

    template_name = "sla/band_form.html"
    formset_prefix = "bands"  # a refused layout shows above the band rows

    @cached_property
    def governed(self) -> GovernedKpi | None:
        return None

    @cached_property
    def sla(self) -> Sla:
        return selectors.sla_for(self.viewer, self.kwargs["pk"])

    def forms(self, data: Any = None) -> tuple[GovernedKpiForm, Any]:
        governed = self.governed
        initial: dict[str, Any] = {}
        rows: list[dict[str, Any]] = []
        if governed is not None:
            initial = {
                "channel": governed.channel,
                "kpi": governed.kpi,
                "guardrail": governed.guardrail,
                "min_sample": governed.min_sample,
            }
            rows = band_initial(governed.band_specs())
        formset_class = band_formset_class(extra=2 if rows else 4)
        return (
            GovernedKpiForm(data, initial=initial),
            formset_class(data, initial=rows, prefix=self.formset_prefix),
        )

    def render_forms(self, form: GovernedKpiForm, formset: Any) -> HttpResponse:
        kpi = form.chosen_kpi() or (self.governed.definition if self.governed else None)
        context = self.get_context_data(
            form=form,
            formset=formset,
            rows=[(row, row.preview(kpi)) for row in formset],
            sla=self.sla,
            contract=self.sla.contract,
            governed=self.governed,
            kpi=kpi,
            unit=kpi.unit.value if kpi else None,
            unit_help=unit_help(kpi),
        )
        return self.render_to_response(context)

    def save(self, form: GovernedKpiForm, formset: Any) -> HttpResponse:
        result = services.governed_kpi_save(
            viewer=self.viewer,
            sla=self.sla,
            channel=form.cleaned_data["channel"],
            kpi=form.cleaned_data["kpi"],
            guardrail=form.cleaned_data["guardrail"],
            bands=formset.bands(),
            min_sample=form.cleaned_data["min_sample"],
            governed=self.governed,
        )
        report_governed(self.request, result, "Saved")
        return redirect(contract_url(self.sla.contract_id, f"sla-{self.sla.pk}"))


class GovernedKpiUpdateView(GovernedKpiEditView):
    @cached_property
    def governed(self) -> GovernedKpi | None:
        return get_scoped_or_404(
            GovernedKpi.objects.select_related("sla__contract__partner").prefetch_related(
                Prefetch("bands", queryset=Band.objects.order_by("position"))
            ),
            self.viewer,
            pk=self.kwargs["pk"],
        )

    @cached_property
    def sla(self) -> Sla:
        assert self.governed is not None
        return self.governed.sla


class GovernedKpiDeleteView(ProgramManagerMixin, ActionView):
    """Stop governing a KPI: its bands and band statuses go with it."""

    @cached_property
    def governed(self) -> GovernedKpi:
        return get_scoped_or_404(
            GovernedKpi.objects.select_related("sla__contract"), self.viewer, pk=self.kwargs["pk"]
        )

    def act(self, **kwargs: Any) -> str:
        governed = self.governed
        label = str(governed)
        services.governed_kpi_delete(viewer=self.viewer, governed=governed)
        return f"{governed.sla.name} no longer governs {label}."

    def redirect_url(self, **kwargs: Any) -> str:
        sla = self.governed.sla
        return contract_url(sla.contract_id, f"sla-{sla.pk}")


class GovernedTemplateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Start from one of the band layouts of docs/domain.md ("SLA bands"), then adjust it
    in the band editor."""

    form_class = TemplateForm
    template_name = "sla/band_template.html"

    @cached_property
    def sla(self) -> Sla:
        return selectors.sla_for(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        templates = [
            (
                t,
                domain.governable(t.kpi),
                [(b, domain.bounds_text(b, domain.governable(t.kpi))) for b in t.bands],
            )
            for t in domain.TEMPLATES.values()
        ]
        return super().get_context_data(
            sla=self.sla, contract=self.sla.contract, templates=templates, **kwargs
        )

    def perform(self, form: TemplateForm) -> HttpResponse:
        result = services.governed_kpi_from_template(
            viewer=self.viewer,
            sla=self.sla,
            channel=form.cleaned_data["channel"],
            template=form.cleaned_data["template"],
        )
        report_governed(self.request, result, "Added")
        return redirect("sla:governed-update", pk=result.governed.pk)
