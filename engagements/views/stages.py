"""HTML views of the engagement's stages: the dated timeline (selection, pilot, expansion
steps, steady state, exit) with each expansion step's gate as it stood, and starting the
next stage behind the current gate.

Thin, as everywhere in Keel: the partner comes through `partners.scoping` (another partner's
or account's is a 404), reads through `engagements.selectors`, the write through
`engagements.services.stage_start`, whose `DomainError` becomes an error on the field it
names. The timeline's rows are shaped by `engagements.viewmodels`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core import clock
from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain, selectors, services
from engagements.forms import GateForm, StageForm
from engagements.models import EngagementStage, StageKind
from engagements.viewmodels import next_step_of, stage_rows
from partners.mixins import DomainFormMixin, ProgramManagerMixin, ViewerRequiredMixin
from partners.models import Partner, Role
from sla.models import Sla

# HELPERS
# ------------------------------------------------------------------------------


def _typed(query: QueryDict) -> dict[str, Any]:
    """The stage form's fields found in a query string or a post, as initial values."""
    initial: dict[str, Any] = {}
    for name, form_field in StageForm.base_fields.items():
        if name in query:
            multiple = isinstance(
                form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField
            )
            initial[name] = query.getlist(name) if multiple else query[name]
    return initial


def _partner(viewer: Viewer, pk: int) -> Partner:
    return get_scoped_or_404(Partner, viewer, pk=pk)


# TIMELINE
# ------------------------------------------------------------------------------


class TimelineView(ViewerRequiredMixin, TemplateView):
    """Every stage of the engagement with its dates and what it covers; for program managers
    the next step of the default sequence (docs/domain.md, "Engagement stages") and the gate
    it would face today (?months=&threshold= change the gate's parameters)."""

    template_name = "engagements/timeline.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        partner = _partner(self.viewer, self.kwargs["pk"])
        stage_list = selectors.stages(self.viewer, partner)
        slas = list(
            scope(Sla, self.viewer)
            .filter(contract__partner=partner)
            .select_related("contract")
            .order_by("contract__start_date", "pk")
        )
        can_start = self.viewer.role == Role.PROGRAM_MANAGER
        context.update(
            partner=partner,
            rows=stage_rows(stage_list, slas, today),
            current=stage_list[-1] if stage_list else None,
            can_start=can_start,
        )
        if can_start:
            gate_form = GateForm(self.request.GET or None)
            months, threshold = gate_form.values()
            context.update(
                gate_form=gate_form,
                gate=selectors.gate_for(
                    self.viewer, partner, today, months=months, threshold_pct=threshold
                ),
                gate_months=months,
                gate_threshold=threshold,
                next=next_step_of(stage_list),
                start_url=(
                    reverse("engagements:stage-create", args=[partner.pk])
                    + "?"
                    + urlencode({"gate_months": months, "alignment_threshold_pct": threshold})
                ),
            )
        return context


# STARTING A STAGE
# ------------------------------------------------------------------------------


class StageCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Start the next stage. The gate an expansion step faces is shown above the form,
    computed with the form's months and threshold; a red gate needs the reason the step is
    approved anyway, recorded with the approver's name."""

    form_class = StageForm
    template_name = "engagements/stage_form.html"

    @cached_property
    def partner(self) -> Partner:
        return _partner(self.viewer, self.kwargs["pk"])

    @cached_property
    def stage_list(self) -> list[EngagementStage]:
        return selectors.stages(self.viewer, self.partner)

    @cached_property
    def today(self) -> date:
        return clock.today(self.viewer.account)

    @cached_property
    def gates(self) -> dict[tuple[int, Decimal], domain.Gate]:
        return {}

    def gate(self, months: int, threshold: Decimal) -> domain.Gate:
        """The gate for these parameters, computed once per request (the page shows it and
        the step is checked against the same one)."""
        key = (months, threshold)
        if key not in self.gates:
            self.gates[key] = selectors.gate_for(
                self.viewer, self.partner, self.today, months=months, threshold_pct=threshold
            )
        return self.gates[key]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer}

    def get_initial(self) -> dict[str, Any]:
        """The next step of the default sequence, starting today; what the query string
        carries (the gate's parameters, or the whole form when the gate was recomputed)
        wins."""
        initial: dict[str, Any] = {"started_on": self.today}
        step = selectors.next_step(self.stage_list)
        if step is not None:
            initial.update(kind=step.kind.value, expansion=step.expansion or "")
        elif self.stage_list and self.stage_list[-1].kind == StageKind.EXPANSION:
            initial["kind"] = StageKind.STEADY_STATE
        initial.update(_typed(self.request.GET))
        return initial

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """ "Recompute the gate" shows the form again, as typed, with the gate for its months
        and threshold; nothing is saved."""
        if "recompute" in request.POST:
            form = self.get_form_class()(
                viewer=self.viewer, initial={**self.get_initial(), **_typed(request.POST)}
            )
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: StageForm = context["form"]
        months, threshold, problems = form.gate_values()
        gate = self.gate(months, threshold)
        context.update(
            partner=self.partner,
            current=self.stage_list[-1] if self.stage_list else None,
            next=next_step_of(self.stage_list),
            gate=gate,
            gate_months=months,
            gate_threshold=threshold,
            gate_problems=problems,
            show_override=(
                not gate.green
                or bool(form["override_reason"].value())
                or bool(form.errors.get("override_reason"))
            ),
        )
        return context

    def perform(self, form: StageForm) -> HttpResponse:
        data = form.cleaned_data
        months, threshold = data["gate_months"], data["alignment_threshold_pct"]
        gate = self.gate(months, threshold) if data["kind"] == StageKind.EXPANSION else None
        stage = services.stage_start(
            viewer=self.viewer,
            partner=self.partner,
            data=services.StageInput(
                kind=data["kind"],
                started_on=data["started_on"],
                expansion=data["expansion"] or "",
                description=data["description"],
                channels=list(data["channels"]),
                interaction_types=list(data["interaction_types"]),
                shifts=list(data["shifts"]),
                ramp_weeks=data["ramp_weeks"],
                gate_months=months,
                alignment_threshold_pct=threshold,
                override_reason=data["override_reason"],
                back_reason=data["back_reason"],
            ),
            gate=gate,
        )
        despite = " despite a red gate" if stage.approved_despite_red else ""
        messages.success(
            self.request,
            f"{stage.title} starts on {format_date(stage.started_on, 'j M Y')}{despite}.",
        )
        if stage.ramp_flag:
            messages.warning(self.request, stage.ramp_flag)
        return redirect("engagements:timeline", pk=self.partner.pk)
