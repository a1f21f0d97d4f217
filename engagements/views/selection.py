"""HTML views of partner selection itself: the list of selections, starting and editing one,
the comparison of candidates side by side, choosing the partner, and the chosen partner's
first contract started from its quote. The candidates, their score sheets and red flags are
`engagements.views.candidates`'.

Selections are buyer-only data: every buyer role reads the comparison; only program
managers create and edit selections and choose. Partner-side users get a 403. Objects come
through `engagements.selectors` (another account's are a 404), what the comparison shows is
shaped by `engagements.viewmodels`, writes go through `engagements.services`, whose
`DomainError` becomes a form error or a message.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.generic import FormView, TemplateView

from core import clock
from core.scoping import Viewer
from engagements import domain, selectors, services
from engagements.charts import score_figure
from engagements.forms import RedFlagForm, SelectionForm
from engagements.models import Candidate, Selection, SelectionStatus
from engagements.viewmodels import (
    column_views,
    component_rows,
    criterion_rows,
    price_rows,
    projection_rows,
)
from engagements.views.common import BuyerMixin, comparison_url, may_edit
from partners.mixins import ActionView, DomainFormMixin, ProgramManagerMixin, paginate
from partners.models import Partner
from sla.forms import ContractStart, rate_rows
from sla.models import LOADED_COMPONENTS

# SELECTIONS
# ------------------------------------------------------------------------------


class SelectionListView(BuyerMixin, TemplateView):
    """Every selection of the account with its status, candidates and chosen partner. One
    query for the page plus one for the chosen partners, however many selections."""

    template_name = "engagements/selection_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, selectors.selections_list(self.viewer))
        context.update(
            page=page,
            rows=[
                (s, s.chosen_candidates[0] if s.chosen_candidates else None)
                for s in page.object_list
            ],
            can_edit=may_edit(self.viewer),
        )
        return context


class SelectionCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = SelectionForm
    template_name = "engagements/selection_form.html"

    def perform(self, form: SelectionForm) -> HttpResponse:
        selection = services.selection_create(viewer=self.viewer, **form.values())
        messages.success(
            self.request,
            f"Started the selection {selection.name}. Next: write the scope of work it is "
            "for, then add the candidates.",
        )
        return redirect(comparison_url(selection.pk))


class SelectionUpdateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """The selection's name and pricing assumptions, and the weight of each criterion,
    saved together or not at all."""

    form_class = SelectionForm
    template_name = "engagements/selection_form.html"

    @cached_property
    def selection(self) -> Selection:
        return selectors.selection_for(self.viewer, self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.selection.status == SelectionStatus.CHOSEN:
            messages.info(request, "This selection has chosen its partner: it is read-only.")
            return redirect(comparison_url(self.selection.pk))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "instance": self.selection,
            "criteria": self.selection.criteria.all(),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(selection=self.selection, **kwargs)

    def perform(self, form: SelectionForm) -> HttpResponse:
        # A working copy: a refused change leaves the selection on the page as saved.
        working = copy.copy(self.selection)
        services.selection_update(
            viewer=self.viewer, selection=working, weights=form.weights(), **form.values()
        )
        messages.success(self.request, f"Saved the selection {working.name}.")
        return redirect(comparison_url(working.pk))


class SelectionDetailView(BuyerMixin, TemplateView):
    """The comparison: candidates side by side on price (each quote line's headline and
    loaded rate against the others on the same channel and model), each quote priced on the
    scope's month channel by channel with the cost per resolved contact, attrition, red
    flags and the evaluators' scores, with a chart of the weighted scores and their
    spread."""

    template_name = "engagements/selection_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selection = selectors.selection_for(self.viewer, self.kwargs["pk"])
        comparison = selectors.comparison(self.viewer, selection)
        columns = column_views(comparison, self.viewer)
        closed = selection.status == SelectionStatus.CHOSEN
        context.update(
            selection=selection,
            comparison=comparison,
            columns=columns,
            closed=closed,
            chosen=next((v for v in columns if v.chosen), None),
            volumes=domain.total_volumes(comparison.forecast.values())
            if comparison.forecast
            else None,
            price_rows=price_rows(comparison),
            projection_rows=projection_rows(comparison),
            component_rows=component_rows(columns),
            criterion_rows=criterion_rows(comparison, columns),
            charts=(
                {"selection-scores": score_figure(columns)}
                if any(v.result.score is not None for v in columns)
                else {}
            ),
            red_flag_form=RedFlagForm(),
            can_edit=may_edit(self.viewer) and not closed,
            can_score=self.viewer.user is not None and not self.viewer.read_only and not closed,
        )
        return context


# THE CHOICE
# ------------------------------------------------------------------------------


class CandidateChooseView(ProgramManagerMixin, ActionView):
    """Choose the partner: the candidate becomes a partner with the selection's scope, and
    the browser goes to the partner's page. A refusal (already chosen, no scope yet, a
    partner of that name) changes nothing and goes back to the comparison."""

    partner: Partner | None = None

    @cached_property
    def candidate(self) -> Candidate:
        return selectors.candidate_for(self.viewer, self.kwargs["pk"])

    def act(self, **kwargs: Any) -> SafeString:
        candidate = self.candidate
        self.partner = partner = services.candidate_choose(
            viewer=self.viewer, candidate=candidate, today=clock.today(self.viewer.account)
        )
        return format_html(
            "Chose {}: it is now a partner, with the selection's scope of work. Next: "
            '<a href="{}">write its contract from its quote</a>, then '
            '<a href="{}">plan the pilot</a>.',
            partner.name,
            contract_from_quote_url(candidate),
            reverse("engagements:stage-create", args=[partner.pk]),
        )

    def redirect_url(self, **kwargs: Any) -> str:
        if self.partner is None:
            return comparison_url(self.candidate.selection_id)
        return reverse("home:partner-detail", kwargs={"pk": self.partner.pk})


# THE PARTNER'S CONTRACT, FROM ITS QUOTE
# ------------------------------------------------------------------------------

FROM_CANDIDATE = "from_candidate"


def contract_from_quote_url(candidate: Candidate) -> str:
    return f"{reverse('sla:contract-create')}?{FROM_CANDIDATE}={candidate.pk}"


def contract_start(viewer: Viewer, value: str) -> ContractStart:
    """The new-contract form started from a chosen candidate's quote
    (`?from_candidate=<id>`, registered in `sla.forms.CONTRACT_STARTS` at start-up): the
    partner it became, the selection's currency, the quote's loaded-cost components and one
    rate-card row per quote line. The candidate is read through scoping, buyer side only:
    another account's, one not chosen (no partner to contract with), or a partner-side
    viewer, gets a 404."""
    if viewer.is_partner_side:
        raise Http404("No such candidate.")
    candidate = selectors.candidate_for(viewer, value)
    if candidate.partner_id is None:
        # A contract is a partner's: a candidate has one once it is chosen.
        raise Http404("This candidate has not been chosen.")
    initial: dict[str, Any] = {
        "partner": candidate.partner_id,
        "name": f"{candidate.name} master services agreement",
        "currency": candidate.selection.currency,
        **{name: getattr(candidate, name) for name, _ in LOADED_COMPONENTS},
    }
    return ContractStart(
        initial,
        rate_rows(candidate.rates.all()),
        f"{candidate.name}'s quote in {candidate.selection.name}",
    )
