"""HTML views for partner selection: the list of selections, the comparison of candidates
side by side, each evaluator's own score sheet, red flags, and choosing the partner.

Selections are buyer-only data: every buyer role reads the comparison, scores candidates
and raises red flags; only program managers create and edit selections and candidates,
change weights, remove red flags and choose. Partner-side users get a 403. Objects come
through `engagements.selectors` (another account's are a 404), writes through
`engagements.services`, whose `DomainError` becomes a form error or a message.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View
from django.views.generic import FormView, TemplateView

from engagements import domain, selectors, services
from engagements.forms_selection import (
    CandidateForm,
    RedFlagForm,
    ScoreSheetForm,
    SelectionForm,
)
from engagements.models import Candidate, CandidateRedFlag, Selection, SelectionStatus
from kpis.charts import ACCENT, BAND
from outsourcing import clock
from outsourcing.errors import DomainError
from partners.mixins import DomainFormMixin, ViewerRequiredMixin, paginate
from partners.models import BUYER_ROLES, Role
from partners.scoping import Viewer, get_scoped_or_404
from sla.currency import minor_digits
from sla.domain import plain_number
from sla.models import LOADED_COMPONENTS, PricingModel
from sla.views.contracts import PER

PRICING_LABELS = dict(PricingModel.choices)


class BuyerMixin(ViewerRequiredMixin):
    """Every buyer role; partner-side users are refused (selections are buyer-only)."""

    allowed_roles = BUYER_ROLES


class SelectionManagerMixin(ViewerRequiredMixin):
    allowed_roles = {Role.PROGRAM_MANAGER}


def comparison_url(selection_id: int, anchor: str = "") -> str:
    url = reverse("engagements:selection-detail", args=[selection_id])
    return f"{url}#{anchor}" if anchor else url


def _is_pm(viewer: Viewer) -> bool:
    return viewer.role == Role.PROGRAM_MANAGER and not viewer.read_only


# PRESENTATION
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorScore:
    name: str
    score: Decimal


@dataclass
class ColumnView:
    """One candidate's column of the comparison, with its figures as people read them."""

    column: selectors.CandidateColumn
    headline: str
    peers: int  # candidates quoting on the same pricing model
    components: list[str]
    loaded_pct: str
    loaded: str
    # Peers on the same pricing model whose headline is dearer but whose loaded rate is
    # cheaper: this candidate's "cheaper" quote is not.
    dearer_loaded_than: list[str]
    monthly_headline: str
    monthly_loaded: str
    per_resolved: str
    cheapest_per_resolved: bool
    evaluators: list[EvaluatorScore]
    incomplete: list[str]
    own_sheet: str  # "complete", "incomplete" or "not started"
    medians: list[Decimal | None] = field(default_factory=list)

    @property
    def candidate(self) -> Candidate:
        return self.column.candidate

    @property
    def result(self) -> domain.CandidateResult:
        return self.column.result

    @property
    def chosen(self) -> bool:
        return self.candidate.partner_id is not None


def _dearer_loaded_than(
    col: selectors.CandidateColumn, peers: list[selectors.CandidateColumn]
) -> list[str]:
    return [
        p.candidate.name
        for p in peers
        if p.candidate.headline_rate > col.candidate.headline_rate
        and p.loaded_rate < col.loaded_rate
    ]


def rate_text(comparison: selectors.Comparison, rate: Decimal, pricing_model: str) -> str:
    """'18.00 USD/h'; a rate quoted finer than the currency's minor unit keeps its digits."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    digits = minor_digits(comparison.selection.currency)
    text = comparison.money(rate, min(max(places, digits), 4))
    return f"{text}{PER.get(PricingModel(pricing_model), '')}"


def column_views(comparison: selectors.Comparison, viewer: Viewer) -> list[ColumnView]:
    by_model: dict[str, list[selectors.CandidateColumn]] = {}
    for col in comparison.columns:
        by_model.setdefault(col.candidate.pricing_model, []).append(col)
    per_resolved = [
        col.projection.cost_per_resolved
        for col in comparison.columns
        if col.projection is not None and col.projection.cost_per_resolved is not None
    ]
    cheapest = min(per_resolved) if len(per_resolved) > 1 else None
    own = str(viewer.user.pk) if viewer.user else None
    money = comparison.money
    views = []
    for col in comparison.columns:
        c = col.candidate
        projection = col.projection
        evaluators = sorted(
            (
                EvaluatorScore(col.evaluator_names.get(key, "?"), score)
                for key, score in col.result.evaluator_scores.items()
            ),
            key=lambda e: e.name,
        )
        if own in col.result.evaluator_scores:
            own_sheet = "complete"
        elif own in col.result.incomplete:
            own_sheet = "incomplete"
        else:
            own_sheet = "not started"
        views.append(
            ColumnView(
                column=col,
                headline=rate_text(comparison, c.headline_rate, c.pricing_model),
                peers=len(by_model[c.pricing_model]),
                components=[
                    f"{plain_number(getattr(c, name))}%" if getattr(c, name) else "—"
                    for name, _ in LOADED_COMPONENTS
                ],
                loaded_pct=plain_number(c.quote.loaded_pct),
                loaded=rate_text(
                    comparison,
                    col.loaded_rate.quantize(Decimal("0.0001")),
                    c.pricing_model,
                ),
                dearer_loaded_than=_dearer_loaded_than(col, by_model[c.pricing_model]),
                monthly_headline=money(projection.headline_cost) if projection else "—",
                monthly_loaded=money(projection.loaded_cost) if projection else "—",
                per_resolved=money(projection.cost_per_resolved) if projection else "—",
                cheapest_per_resolved=(
                    cheapest is not None
                    and projection is not None
                    and projection.cost_per_resolved == cheapest
                ),
                evaluators=evaluators,
                incomplete=sorted(col.evaluator_names.get(k, "?") for k in col.result.incomplete),
                own_sheet=own_sheet,
                medians=[col.result.criterion_medians.get(cr.key) for cr in comparison.criteria],
            )
        )
    return views


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_figure(columns: list[ColumnView]) -> dict[str, Any]:
    """The median weighted score of each candidate as a bar, its low-high spread as an error
    bar, and each evaluator's weighted score as a point: one enthusiast shows as an outlier,
    not as the score. A plain plotly.js figure for static/js/charts.js."""
    names = [v.candidate.name for v in columns]
    scores = [v.result.score for v in columns]
    points_x = [v.candidate.name for v in columns for _ in v.evaluators]
    points_y = [float(e.score) for v in columns for e in v.evaluators]
    points_text = [e.name for v in columns for e in v.evaluators]
    return {
        "data": [
            {
                "type": "bar", "name": "Score (median of evaluators)", "x": names,
                "y": [_number(s) for s in scores], "marker": {"color": BAND, "line": {
                    "color": ACCENT, "width": 1}},
                "error_y": {
                    "type": "data", "symmetric": False, "color": ACCENT, "thickness": 1.5,
                    "array": [
                        None if s is None else float(v.result.high - s)  # type: ignore[operator]
                        for v, s in zip(columns, scores, strict=True)
                    ],
                    "arrayminus": [
                        None if s is None else float(s - v.result.low)  # type: ignore[operator]
                        for v, s in zip(columns, scores, strict=True)
                    ],
                },
                "hovertemplate": "%{x}: %{y} (median)<extra></extra>",
            },
            {
                "type": "scatter", "mode": "markers", "name": "Each evaluator", "x": points_x,
                "y": points_y, "text": points_text,
                "marker": {"color": ACCENT, "size": 9, "symbol": "circle-open",
                           "line": {"width": 2}},
                "hovertemplate": "%{text}: %{y}<extra>%{x}</extra>",
            },
        ],
        "layout": {
            "height": 280,
            "margin": {"l": 45, "r": 10, "t": 10, "b": 40},
            "yaxis": {
                "title": {"text": "weighted score"},
                "range": [0, domain.SCORE_MAX + 0.3],
                "dtick": 1,
            },
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }  # fmt: skip


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
            can_edit=_is_pm(self.viewer),
        )
        return context


class SelectionCreateView(SelectionManagerMixin, DomainFormMixin, FormView):
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


class SelectionUpdateView(SelectionManagerMixin, DomainFormMixin, FormView):
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
    """The comparison: candidates side by side on price (headline and loaded), projected
    cost per resolved contact for the scope, attrition, red flags and the evaluators'
    scores, with a chart of the weighted scores and their spread."""

    template_name = "engagements/selection_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selection = selectors.selection_for(self.viewer, self.kwargs["pk"])
        comparison = selectors.comparison(self.viewer, selection)
        columns = column_views(comparison, self.viewer)
        closed = selection.status == SelectionStatus.CHOSEN
        total_weight = sum((c.weight for c in comparison.criteria), Decimal(0))
        first = next((v.column.projection for v in columns if v.column.projection), None)
        context.update(
            selection=selection,
            comparison=comparison,
            columns=columns,
            closed=closed,
            chosen=next((v for v in columns if v.chosen), None),
            volumes=first.volumes if first else None,
            component_rows=[
                (label, [v.components[i] for v in columns])
                for i, (_, label) in enumerate(LOADED_COMPONENTS)
            ],
            criterion_rows=[
                (
                    criterion,
                    plain_number((criterion.weight * 100 / total_weight).quantize(Decimal("0.1")))
                    if total_weight
                    else "—",
                    [v.medians[i] for v in columns],
                )
                for i, criterion in enumerate(comparison.criteria)
            ],
            charts=(
                {"selection-scores": score_figure(columns)}
                if any(v.result.score is not None for v in columns)
                else {}
            ),
            any_trap=any(v.dearer_loaded_than for v in columns),
            red_flag_form=RedFlagForm(),
            can_edit=_is_pm(self.viewer) and not closed,
            can_score=self.viewer.user is not None and not self.viewer.read_only and not closed,
        )
        return context


# CANDIDATES
# ------------------------------------------------------------------------------


class CandidateFormView(SelectionManagerMixin, DomainFormMixin, FormView):
    form_class = CandidateForm
    template_name = "engagements/candidate_form.html"

    @property
    def selection(self) -> Selection:
        raise NotImplementedError

    def instance(self) -> Candidate:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.selection.status == SelectionStatus.CHOSEN:
            messages.info(request, "This selection has chosen its partner: it is read-only.")
            return redirect(comparison_url(self.selection.pk))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.instance()}

    def perform(self, form: CandidateForm) -> HttpResponse:
        candidate = services.candidate_save(viewer=self.viewer, candidate=form.save(commit=False))
        messages.success(self.request, f"Saved the candidate {candidate.name}.")
        return redirect(comparison_url(self.selection.pk, f"candidate-{candidate.pk}"))


class CandidateCreateView(CandidateFormView):
    @cached_property
    def selection(self) -> Selection:  # type: ignore[override]
        return selectors.selection_for(self.viewer, self.kwargs["pk"])

    def instance(self) -> Candidate:
        return Candidate(selection=self.selection)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(selection=self.selection, candidate=None, **kwargs)


class CandidateUpdateView(CandidateFormView):
    @cached_property
    def candidate(self) -> Candidate:
        return selectors.candidate_for(self.viewer, self.kwargs["pk"])

    @cached_property
    def selection(self) -> Selection:  # type: ignore[override]
        return self.candidate.selection

    def instance(self) -> Candidate:
        # A working copy: a refused change leaves the candidate on the page as saved.
        return copy.copy(self.candidate)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            selection=self.selection, candidate=self.candidate, **kwargs
        )


class CandidateScoreView(BuyerMixin, FormView):
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
            pricing_label=PRICING_LABELS.get(candidate.pricing_model, ""),
            per=PER.get(PricingModel(candidate.pricing_model), ""),
            **kwargs,
        )

    def form_valid(self, form: ScoreSheetForm) -> HttpResponse:
        try:
            written = services.scores_save(
                viewer=self.viewer, candidate=self.candidate, scores=form.scores()
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        total = len(form.criteria)
        messages.success(
            self.request,
            f"Saved your scores of {self.candidate.name}: {written} of {total} criteria scored.",
        )
        return redirect(
            comparison_url(self.candidate.selection_id, f"candidate-{self.candidate.pk}")
        )


# RED FLAGS AND THE CHOICE
# ------------------------------------------------------------------------------


class RedFlagAddView(BuyerMixin, View):
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
        return redirect(comparison_url(candidate.selection_id, f"candidate-{candidate.pk}"))


class RedFlagDeleteView(SelectionManagerMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        flag = get_scoped_or_404(
            CandidateRedFlag.objects.select_related("candidate__selection"), self.viewer, pk=pk
        )
        candidate = flag.candidate
        label = str(flag)
        try:
            services.red_flag_remove(viewer=self.viewer, flag=flag)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Removed the red flag “{label}” from {candidate.name}.")
        return redirect(comparison_url(candidate.selection_id, f"candidate-{candidate.pk}"))


class CandidateChooseView(SelectionManagerMixin, View):
    """Choose the partner: the candidate becomes a partner with the selection's scope.
    A refusal (already chosen, no scope yet, a partner of that name) changes nothing."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = selectors.candidate_for(self.viewer, pk)
        try:
            partner = services.candidate_choose(
                viewer=self.viewer, candidate=candidate, today=clock.today(self.viewer.account)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(comparison_url(candidate.selection_id))
        messages.success(
            request,
            format_html(
                "Chose {}: it is now a partner, with the selection's scope of work. Next: "
                '<a href="{}">write its contract</a>, then <a href="{}">plan the pilot</a>.',
                partner.name,
                reverse("sla:contract-create"),
                reverse("engagements:stage-create", args=[partner.pk]),
            ),
        )
        return redirect("partners:partner-detail", pk=partner.pk)
