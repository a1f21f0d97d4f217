"""HTML views of a selection's candidates: adding and editing one with its quote (a rate
card), each evaluator's own score sheet, and red flags.

Every buyer role scores candidates and raises red flags; only program managers add and edit
candidates and remove red flags. Partner-side users get a 403. Objects come through
`engagements.selectors` (another account's are a 404), writes through
`engagements.services`, whose `DomainError` becomes a form error or a message.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from engagements import selectors, services
from engagements.forms import CandidateForm, RedFlagForm, ScoreSheetForm
from engagements.models import Candidate, CandidateRedFlag, Selection, SelectionStatus
from engagements.viewmodels import quote_summary
from engagements.views.common import BuyerMixin, comparison_url
from partners.mixins import ActionView, DomainFormMixin, ProgramManagerMixin, add_domain_error
from partners.models import InteractionType
from sla.forms import BaseRateFormSet, rate_formset_class, rate_rows


def candidate_url(candidate: Candidate) -> str:
    """The candidate's column of the comparison."""
    return comparison_url(candidate.selection_id, f"candidate-{candidate.pk}")


# CANDIDATES
# ------------------------------------------------------------------------------


class CandidateFormView(ProgramManagerMixin, TemplateView):
    """Add a candidate, or edit one: who it is, its quote (a rate card: one line per
    channel, optionally per interaction type, each with its pricing model and rate) and the
    loaded-cost components, saved together or not at all."""

    template_name = "engagements/candidate_form.html"
    formset_prefix = "rates"

    @property
    def selection(self) -> Selection:
        raise NotImplementedError

    @property
    def candidate(self) -> Candidate | None:
        return None

    def instance(self) -> Candidate:
        raise NotImplementedError

    def forms(self, data: Any = None) -> tuple[CandidateForm, BaseRateFormSet]:
        rows = rate_rows(self.candidate.rates.all()) if self.candidate else []
        formset_class = rate_formset_class(extra=1 if rows else 3)
        formset = formset_class(
            data,
            initial=rows,
            prefix=self.formset_prefix,
            form_kwargs={"interaction_types": scope(InteractionType, self.viewer)},
        )
        return CandidateForm(data, instance=self.instance()), formset

    def render_forms(self, form: CandidateForm, formset: BaseRateFormSet) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(
                form=form, formset=formset, selection=self.selection, candidate=self.candidate
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.selection.status == SelectionStatus.CHOSEN:
            messages.info(request, "This selection has chosen its partner: it is read-only.")
            return redirect(comparison_url(self.selection.pk))
        return self.render_forms(*self.forms())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset)
        try:
            candidate = services.candidate_save(
                viewer=self.viewer, candidate=form.save(commit=False), rates=formset.rates()
            )
        except DomainError as exc:
            if exc.field == "rates":
                formset.refuse(exc.message)
            else:
                add_domain_error(form, exc)
            return self.render_forms(form, formset)
        messages.success(self.request, f"Saved the candidate {candidate.name}.")
        return redirect(candidate_url(candidate))


class CandidateCreateView(CandidateFormView):
    @cached_property
    def selection(self) -> Selection:  # type: ignore[override]
        return selectors.selection_for(self.viewer, self.kwargs["pk"])

    def instance(self) -> Candidate:
        return Candidate(selection=self.selection)


class CandidateUpdateView(CandidateFormView):
    @cached_property
    def candidate(self) -> Candidate:  # type: ignore[override]
        return selectors.candidate_for(self.viewer, self.kwargs["pk"])

    @cached_property
    def selection(self) -> Selection:  # type: ignore[override]
        return self.candidate.selection

    def instance(self) -> Candidate:
        # A working copy: a refused change leaves the candidate on the page as saved.
        return copy.copy(self.candidate)


# SCORE SHEETS
# ------------------------------------------------------------------------------


class CandidateScoreView(BuyerMixin, DomainFormMixin, FormView):
    """The signed-in evaluator's own sheet for one candidate: nobody else's scores show
    here, so that each evaluator scores on their own evidence."""

    form_class = ScoreSheetForm
    template_name = "engagements/candidate_score.html"

    @cached_property
    def candidate(self) -> Candidate:
        return selectors.candidate_for(self.viewer, self.kwargs["pk"])

    @property
    def closed(self) -> bool:
        return self.candidate.selection.status == SelectionStatus.CHOSEN

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "criteria": self.candidate.selection.criteria.all(),
            "own": selectors.own_scores(self.viewer, self.candidate),
            "disabled": self.closed or self.viewer.user is None,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        candidate = self.candidate
        return super().get_context_data(
            candidate=candidate,
            selection=candidate.selection,
            closed=self.closed,
            quote=quote_summary(candidate, candidate.selection.currency),
            **kwargs,
        )

    def perform(self, form: ScoreSheetForm) -> HttpResponse:
        written = services.scores_save(
            viewer=self.viewer, candidate=self.candidate, scores=form.scores()
        )
        total = len(form.criteria)
        messages.success(
            self.request,
            f"Saved your scores of {self.candidate.name}: {written} of {total} criteria scored.",
        )
        return redirect(candidate_url(self.candidate))


# RED FLAGS
# ------------------------------------------------------------------------------


class RedFlagAddView(BuyerMixin, View):
    """Raise a red flag from the comparison. Not an `ActionView`: what was wrong with the
    form is said one message per error, and a flag raised is a warning, not a success."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = selectors.candidate_for(self.viewer, pk)
        form = RedFlagForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"The red flag was not added: {error}")
        else:
            try:
                flag = services.red_flag_add(
                    viewer=self.viewer,
                    candidate=candidate,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                messages.error(request, f"The red flag was not added: {exc.message}")
            else:
                messages.warning(request, f"Red flag on {candidate.name}: {flag}.")
        return redirect(candidate_url(candidate))


class RedFlagDeleteView(ProgramManagerMixin, ActionView):
    @cached_property
    def flag(self) -> CandidateRedFlag:
        return get_scoped_or_404(
            CandidateRedFlag.objects.select_related("candidate__selection"),
            self.viewer,
            pk=self.kwargs["pk"],
        )

    def act(self, **kwargs: Any) -> str:
        flag, label = self.flag, str(self.flag)
        services.red_flag_remove(viewer=self.viewer, flag=flag)
        return f"Removed the red flag “{label}” from {flag.candidate.name}."

    def redirect_url(self, **kwargs: Any) -> str:
        return candidate_url(self.flag.candidate)
