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
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.charts import ACCENT
from core.charts import INTERVAL as BAND
from core.errors import DomainError
from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain, selectors, services
from engagements.forms import (
    CandidateForm,
    RedFlagForm,
    ScoreSheetForm,
    SelectionForm,
)
from engagements.models import (
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    Selection,
    SelectionStatus,
)
from partners.mixins import DomainFormMixin, ViewerRequiredMixin, paginate
from partners.models import BUYER_ROLES, Channel, InteractionType, Role
from sla.currency import minor_digits
from sla.domain import Volumes, format_money, plain_number
from sla.forms import BaseRateFormSet, ContractStart, rate_formset_class, rate_rows
from sla.models import LOADED_COMPONENTS, PricingModel
from sla.views.contracts import PER

CHANNEL_LABELS = dict(Channel.choices)
MODEL_ORDER = list(PricingModel.values)
CHANNEL_ORDER = list(Channel.values)


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


def per_unit(line: CandidateRate) -> str:
    """'/h', '/contact', ...: what one rate of the line buys (a hybrid's: its base's)."""
    model = line.hybrid_base if line.pricing_model == PricingModel.HYBRID else line.pricing_model
    return PER.get(PricingModel(model), "") if model else ""


def rate_text(currency: str, rate: Decimal, per: str) -> str:
    """'18.00 USD/h'; a rate quoted finer than the currency's minor unit keeps its digits."""
    exponent = rate.normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    digits = min(max(places, minor_digits(currency)), 4)
    return f"{format_money(rate, currency, digits)}{per}"


def line_price(line: CandidateRate, currency: str, rate: Decimal, bonus: Decimal) -> str:
    """'24.00 USD/h', or '2.10 USD/contact + 0.60 USD per resolved contact' (hybrid)."""
    text = rate_text(currency, rate, per_unit(line))
    if line.pricing_model == PricingModel.HYBRID and line.resolution_bonus:
        text += f" + {rate_text(currency, bonus, '')} per resolved contact"
    return text


def _lower_first(text: str) -> str:
    """'Per FTE per month' → 'per FTE per month'."""
    return text[:1].lower() + text[1:]


def line_label(line: CandidateRate) -> str:
    """'Voice · per agent hour', 'Chat · Complaint / return · per contact', 'Email · hybrid
    on per contact'."""
    parts = [line.get_channel_display()]
    if line.interaction_type is not None:
        parts.append(line.interaction_type.name)
    model = _lower_first(line.get_pricing_model_display())
    if line.pricing_model == PricingModel.HYBRID and line.hybrid_base:
        model = f"hybrid on {_lower_first(line.get_hybrid_base_display())}"
    parts.append(model)
    return " · ".join(parts)


def quote_summary(candidate: Candidate, currency: str) -> str:
    """'Voice · per agent hour 24.00 USD/h; Chat · per contact 3.40 USD/contact'."""
    return "; ".join(
        f"{line_label(line)} {line_price(line, currency, line.rate, line.resolution_bonus)}"
        for line in candidate.rates.all()
    )


@dataclass(frozen=True)
class QuoteCell:
    """One candidate's line in a row of like-for-like lines: its headline and loaded rate,
    and how it ranks against the others."""

    quote: selectors.QuoteLine
    headline: str
    loaded: str

    @property
    def rank(self) -> domain.LineRank:
        return self.quote.rank

    @property
    def hybrid(self) -> bool:
        return self.quote.line.pricing_model == PricingModel.HYBRID


@dataclass(frozen=True)
class PriceRow:
    """The candidates' lines for one channel, interaction type and pricing model, side by
    side: only these compare rate with rate."""

    label: str
    in_scope: bool  # the scope needs the channel
    cells: list[QuoteCell | None]  # per column; None: no such line in that quote

    @property
    def trap(self) -> bool:
        return any(c is not None and c.rank.dearer_loaded_than for c in self.cells)


def price_rows(comparison: selectors.Comparison) -> list[PriceRow]:
    currency = comparison.selection.currency
    keyed: dict[tuple[str, str, str, str], list[QuoteCell | None]] = {}
    labels: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    count = len(comparison.columns)
    for index, col in enumerate(comparison.columns):
        for q in col.lines:
            key = domain.like_for_like(q.line.spec)
            cells = keyed.setdefault(key, [None] * count)
            cells[index] = QuoteCell(
                q,
                line_price(q.line, currency, q.line.rate, q.line.resolution_bonus),
                line_price(q.line, currency, q.loaded_rate.quantize(Decimal("0.0001")),
                           q.loaded_bonus.quantize(Decimal("0.0001"))),
            )  # fmt: skip
            type_name = q.line.interaction_type.name if q.line.interaction_type else ""
            labels[key] = (line_label(q.line), type_name)

    def order(key: tuple[str, str, str, str]) -> tuple[int, str, int, str]:
        channel, _code, model, base = key
        where = CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else len(CHANNEL_ORDER)
        return (where, labels[key][1], MODEL_ORDER.index(model), base)

    needed = set(comparison.forecast)
    return [
        PriceRow(labels[key][0], key[0] in needed or not needed, keyed[key])
        for key in sorted(keyed, key=order)
    ]


@dataclass(frozen=True)
class ChannelCell:
    headline: str
    loaded: str
    explanation: str


@dataclass(frozen=True)
class ProjectionRow:
    """One channel of the scope's month, each quote's cost for it (None: not quoted)."""

    channel: str
    label: str
    volumes: Volumes
    cells: list[ChannelCell | None]


def projection_rows(comparison: selectors.Comparison) -> list[ProjectionRow]:
    money = comparison.money
    rows = []
    for channel, volumes in comparison.forecast.items():
        cells: list[ChannelCell | None] = []
        for col in comparison.columns:
            cost = next(
                (c for c in (col.projection.channels if col.projection else ()) if
                 c.channel == channel),
                None,
            )  # fmt: skip
            if cost is None or cost.invoice is None:
                cells.append(None)
                continue
            invoice = cost.invoice
            cells.append(
                ChannelCell(money(invoice.amount), money(cost.loaded), invoice.explanation)
            )
        rows.append(ProjectionRow(channel, CHANNEL_LABELS.get(channel, channel), volumes, cells))
    return rows


@dataclass
class ColumnView:
    """One candidate's column of the comparison, with its figures as people read them."""

    column: selectors.CandidateColumn
    components: list[str]
    loaded_pct: str
    monthly_headline: str
    monthly_loaded: str
    per_resolved: str
    cheapest_per_resolved: bool
    not_quoted: list[str]  # the scope's channels the quote has no line for, in words
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


def column_views(comparison: selectors.Comparison, viewer: Viewer) -> list[ColumnView]:
    # Only quotes that price the whole scope compete for the lowest cost per resolved
    # contact: a partial quote's figure leaves channels out.
    per_resolved = [
        col.projection.cost_per_resolved
        for col in comparison.columns
        if col.projection is not None
        and col.projection.complete
        and col.projection.cost_per_resolved is not None
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
                components=[
                    f"{plain_number(getattr(c, name))}%" if getattr(c, name) else "—"
                    for name, _ in LOADED_COMPONENTS
                ],
                loaded_pct=plain_number(col.quote.loaded_pct),
                monthly_headline=money(projection.headline_cost) if projection else "—",
                monthly_loaded=money(projection.loaded_cost) if projection else "—",
                per_resolved=money(projection.cost_per_resolved) if projection else "—",
                cheapest_per_resolved=(
                    cheapest is not None
                    and projection is not None
                    and projection.complete
                    and projection.cost_per_resolved == cheapest
                ),
                not_quoted=[
                    CHANNEL_LABELS.get(ch, ch).lower()
                    for ch in (projection.not_quoted if projection else ())
                ],
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
        total_weight = sum((c.weight for c in comparison.criteria), Decimal(0))
        rows = price_rows(comparison)
        context.update(
            selection=selection,
            comparison=comparison,
            columns=columns,
            closed=closed,
            chosen=next((v for v in columns if v.chosen), None),
            volumes=domain.total_volumes(comparison.forecast.values())
            if comparison.forecast
            else None,
            price_rows=rows,
            projection_rows=projection_rows(comparison),
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
            red_flag_form=RedFlagForm(),
            can_edit=_is_pm(self.viewer) and not closed,
            can_score=self.viewer.user is not None and not self.viewer.read_only and not closed,
        )
        return context


# CANDIDATES
# ------------------------------------------------------------------------------


class CandidateFormView(SelectionManagerMixin, TemplateView):
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
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_forms(form, formset)
        messages.success(self.request, f"Saved the candidate {candidate.name}.")
        return redirect(comparison_url(self.selection.pk, f"candidate-{candidate.pk}"))


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
            quote=quote_summary(candidate, candidate.selection.currency),
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
                '<a href="{}">write its contract from its quote</a>, then '
                '<a href="{}">plan the pilot</a>.',
                partner.name,
                contract_from_quote_url(candidate),
                reverse("engagements:stage-create", args=[partner.pk]),
            ),
        )
        return redirect("home:partner-detail", pk=partner.pk)


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
