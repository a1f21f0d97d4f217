"""HTML views for contracts: the list, a contract's terms and rate card, its page, the
volumes entered for a month and its exit criteria.

Thin, as everywhere in Keel: objects come through `sla.selectors` (another partner's or
account's are a 404), writes go through `sla.services` (whose `DomainError` becomes a form
error), and only program managers reach the pages that write.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import scope
from partners.mixins import (
    DomainFormMixin,
    ProgramManagerMixin,
    ViewerRequiredMixin,
    add_domain_error,
    paginate,
)
from partners.models import Channel, InteractionType, Role
from sla import selectors, services
from sla.evaluation import month_of
from sla.forms import (
    CONTRACT_STARTS,
    BaseRateFormSet,
    ContractForm,
    ContractStart,
    ExitCriterionForm,
    VolumeForm,
    rate_formset_class,
    rate_initial,
)
from sla.models import Contract
from sla.selectors import (
    RateCard,
)
from sla.views.common import RowsEditView, contract_url

# CONTRACTS
# ------------------------------------------------------------------------------


class ContractListView(ViewerRequiredMixin, TemplateView):
    """Every contract the viewer may see, with its price headline against its loaded rate.
    One query for the page however many contracts (plus the page count)."""

    template_name = "sla/contract_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, selectors.contracts_list(self.viewer))
        context.update(
            page=page,
            rows=[(c, RateCard(c)) for c in page.object_list],
            can_edit=self.viewer.role == Role.PROGRAM_MANAGER,
        )
        return context


class ContractFormView(RowsEditView):
    """Add a contract, or edit one (with `pk`): its terms and its rate card, saved together
    or not at all. A new contract may start from elsewhere (`CONTRACT_STARTS`, e.g.
    `?from_candidate=<id>`: a chosen candidate's quote)."""

    template_name = "sla/contract_form.html"
    formset_prefix = "rates"  # a refusal of the rate card shows above its lines

    @cached_property
    def contract(self) -> Contract | None:
        if "pk" not in self.kwargs:
            return None
        return selectors.contract_for(self.viewer, self.kwargs["pk"])

    @cached_property
    def start(self) -> ContractStart | None:
        if self.contract is not None:
            return None
        for parameter, start in CONTRACT_STARTS.items():
            if parameter in self.request.GET:
                return start(self.viewer, self.request.GET[parameter])
        return None

    def forms(self, data: Any = None) -> tuple[ContractForm, BaseRateFormSet]:
        start = self.start
        rows = rate_initial(self.contract) if self.contract else (start.rates if start else [])
        formset_class = rate_formset_class(extra=1 if rows else 2)
        formset = formset_class(
            data,
            initial=rows,
            prefix=self.formset_prefix,
            form_kwargs={"interaction_types": scope(InteractionType, self.viewer)},
        )
        initial = start.initial if start else None
        form = ContractForm(data, viewer=self.viewer, instance=self.contract, initial=initial)
        return form, formset

    def render_forms(self, form: ContractForm, formset: BaseRateFormSet) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, contract=self.contract)
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.start is not None:
            messages.info(
                request,
                f"Started from {self.start.source}: check the dates, the caps and each line "
                "before saving.",
            )
        return super().get(request, *args, **kwargs)

    def save(self, form: ContractForm, formset: BaseRateFormSet) -> HttpResponse:
        contract = services.contract_save(
            viewer=self.viewer, contract=form.save(commit=False), rates=formset.rates()
        )
        messages.success(self.request, f"Saved the contract {contract.name}.")
        return redirect(contract_url(contract.pk))


class ContractDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "sla/contract_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        detail = selectors.contract_detail(self.viewer, self.kwargs["pk"])
        context.update(
            contract=detail.contract,
            card=detail.card,
            slas=detail.slas,
            volume_channels=detail.volume_channels,
            volume_rows=detail.volume_rows,
            exit_criteria=detail.exit_criteria,
            can_edit=self.viewer.role == Role.PROGRAM_MANAGER,
        )
        return context


# VOLUMES
# ------------------------------------------------------------------------------


class VolumeEditView(ProgramManagerMixin, FormView):
    """A month's agent hours and FTE per channel, saved all together or not at all."""

    form_class = VolumeForm
    template_name = "sla/volume_form.html"

    @cached_property
    def contract(self) -> Contract:
        return selectors.contract_for(self.viewer, self.kwargs["pk"])

    @cached_property
    def month(self) -> date:
        """?month=YYYY-MM, else the last complete month the contract covers."""
        field = VolumeForm.base_fields["month"]
        try:
            chosen = field.clean(self.request.GET.get("month"))
        except ValidationError:  # no month, or not one: the default
            chosen = None
        if chosen:
            return chosen
        previous = month_of(clock.today(self.viewer.account)).previous().start
        return (
            previous if self.contract.covers(previous) else self.contract.start_date.replace(day=1)
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "channels": self.contract.channels}

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"month": self.month}
        for volume in self.contract.volumes.filter(month=self.month):
            initial[f"hours_{volume.channel}"] = volume.hours
            initial[f"fte_{volume.channel}"] = volume.fte
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(
            contract=self.contract, card=RateCard(self.contract), **kwargs
        )
        form = context["form"]
        posted = getattr(form, "cleaned_data", {}).get("month") if form.is_bound else None
        context["month"] = posted or self.month
        return context

    def form_valid(self, form: VolumeForm) -> HttpResponse:
        month = form.cleaned_data["month"]
        rows = form.entered()
        if not rows:
            form.add_error(None, "Enter agent hours or FTE for at least one channel.")
            return self.form_invalid(form)
        channel = ""
        try:
            # One transaction: a row the service refuses leaves every row as it was.
            with transaction.atomic():
                for channel, hours, fte in rows:
                    services.volume_save(
                        viewer=self.viewer,
                        contract=self.contract,
                        channel=channel,
                        month=month,
                        hours=hours,
                        fte=fte,
                    )
        except DomainError as exc:
            name = f"{exc.field}_{channel}"  # the refused row's hours or FTE
            if name in form.fields:
                form.add_error(name, exc.message)
            else:
                add_domain_error(form, exc)
            return self.form_invalid(form)
        channels = ", ".join(Channel(c).label.lower() for c, _, _ in rows)
        messages.success(self.request, f"Saved the {month:%B %Y} volumes for {channels}.")
        return redirect(contract_url(self.contract.pk, "volumes"))


# EXIT CRITERIA
# ------------------------------------------------------------------------------


class ExitCriterionCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = ExitCriterionForm
    template_name = "sla/exit_form.html"

    @cached_property
    def contract(self) -> Contract:
        return selectors.contract_for(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contract=self.contract, **kwargs)

    def perform(self, form: ExitCriterionForm) -> HttpResponse:
        criterion = form.save(commit=False)
        criterion.contract = self.contract
        services.exit_criterion_save(viewer=self.viewer, criterion=criterion)
        messages.success(self.request, f"Added the exit criterion: {criterion.description}.")
        return redirect(contract_url(self.contract.pk, "exit"))
