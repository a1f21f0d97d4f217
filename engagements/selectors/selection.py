"""Reading a selection: the list, one selection or candidate, and the comparison of the
candidates side by side (scores, red flags, quotes ranked and priced on the scope)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet

from core.scoping import Viewer, get_scoped_or_404, scope
from engagements import domain
from engagements.models import (
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    CandidateScore,
    ScopeVersion,
    Selection,
)
from engagements.selectors.common import channel_key
from engagements.selectors.scope import current_scope, mix_lines, selection_scope
from partners.models import Channel
from sla.currency import minor_digits
from sla.domain import Volumes, format_money


def selections_list(viewer: Viewer) -> QuerySet[Selection]:
    """Selections with their candidate count and, in `chosen_candidates`, the chosen one."""
    return (
        scope(Selection, viewer)
        .annotate(candidate_count=Count("candidates", distinct=True))
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=Candidate.objects.filter(partner__isnull=False).select_related("partner"),
                to_attr="chosen_candidates",
            )
        )
        .order_by("-created_at", "-pk")
    )


def selection_for(viewer: Viewer, pk: int) -> Selection:
    return get_scoped_or_404(Selection.objects.prefetch_related("criteria"), viewer, pk=pk)


def candidate_for(viewer: Viewer, pk: int | str) -> Candidate:
    """One candidate with its selection, partner and quote lines, or a 404."""
    return get_scoped_or_404(
        Candidate.objects.select_related("selection", "partner").prefetch_related(
            Prefetch("rates", queryset=CandidateRate.objects.select_related("interaction_type"))
        ),
        viewer,
        pk=pk,
    )


@dataclass(frozen=True)
class QuoteLine:
    """One line of a candidate's quote with its loaded rate, ranked against the other
    candidates' lines on the same channel, interaction type and pricing model."""

    line: CandidateRate
    loaded_rate: Decimal
    loaded_bonus: Decimal  # hybrid: the bonus per resolved contact, loaded
    rank: domain.LineRank


@dataclass(frozen=True)
class CandidateColumn:
    candidate: Candidate
    result: domain.CandidateResult
    evaluator_names: dict[str, str]
    red_flags: list[CandidateRedFlag]
    quote: domain.Quote
    lines: list[QuoteLine]
    projection: domain.Projection | None  # None: no scope to project on


@dataclass(frozen=True)
class Comparison:
    selection: Selection
    criteria: list[domain.Criterion]
    columns: list[CandidateColumn]
    scope: ScopeVersion | None
    evaluators: int
    forecast: dict[str, Volumes] = field(default_factory=dict)  # the scope's month per channel

    def money(self, amount: Decimal | None, places: int | None = None) -> str:
        if amount is None:
            return "—"
        digits = minor_digits(self.selection.currency) if places is None else places
        return format_money(amount, self.selection.currency, digits)


CHANNEL_NAMES = {c: label.lower() for c, label in Channel.choices}


def scope_forecast(version: ScopeVersion, assumptions: domain.Assumptions) -> dict[str, Volumes]:
    """The scope's typical month per channel (in the channels' usual order), as the volumes
    a rate card prices: its mix per channel and interaction type, hours, FTE and resolved
    contacts from the selection's assumptions (`domain.forecast_volumes`)."""
    per = domain.month_forecast(mix_lines(version), version.monthly_volume, version.monthly_volume)
    ordered = dict(sorted(per.items(), key=lambda kv: (channel_key(kv[0][0]), kv[0][1])))
    return domain.forecast_volumes(ordered, assumptions)


def comparison(viewer: Viewer, selection: Selection) -> Comparison:
    """Candidates side by side: the median of the evaluators' weighted scores with its
    spread, the median per criterion, red flags, each quote's lines with their headline and
    loaded rates ranked against the other quotes on the same channel and model, and each
    quote priced on the scope's month channel by channel (a channel it has no line for is
    not quoted). Queries: a fixed number, whatever the candidates and their lines."""
    criteria = [c.as_domain for c in selection.criteria.all()]
    candidates = list(
        scope(Candidate, viewer)
        .filter(selection=selection)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "red_flags",
                queryset=CandidateRedFlag.objects.select_related("raised_by").order_by("pk"),
            ),
            Prefetch(
                "scores",
                queryset=CandidateScore.objects.select_related("criterion", "evaluator"),
            ),
            Prefetch("rates", queryset=CandidateRate.objects.select_related("interaction_type")),
        )
        .order_by("name")
    )
    version = selection_scope(viewer, selection)
    chosen_scope = (
        version
        if version is not None
        else next(
            (current_scope(viewer, c.partner) for c in candidates if c.partner is not None),
            None,
        )
    )
    forecast = (
        scope_forecast(chosen_scope, selection.assumptions)
        if chosen_scope is not None and chosen_scope.monthly_volume > 0
        else {}
    )
    minor = minor_digits(selection.currency)
    quotes = {c.name: c.quote for c in candidates}
    ranks = domain.rank_lines(quotes)
    columns = []
    evaluators: set[int] = set()
    for c in candidates:
        sheets: dict[str, dict[str, int]] = defaultdict(dict)
        names: dict[str, str] = {}
        for s in c.scores.all():
            sheets[str(s.evaluator_id)][s.criterion.key] = s.score
            names[str(s.evaluator_id)] = s.evaluator.display_name
            evaluators.add(s.evaluator_id)
        result = domain.candidate_result(
            criteria, [domain.Sheet(k, v) for k, v in sorted(sheets.items())]
        )
        quote = quotes[c.name]
        projection = (
            domain.project_quote(
                quote, forecast, channel_labels=CHANNEL_NAMES, currency=selection.currency,
                minor_digits=minor,
            )
            if forecast
            else None
        )  # fmt: skip
        lines = [
            QuoteLine(
                line,
                quote.loaded(line.rate),
                quote.loaded(line.resolution_bonus),
                rank,
            )
            for line, rank in zip(c.rates.all(), ranks[c.name], strict=True)
        ]
        columns.append(
            CandidateColumn(c, result, names, list(c.red_flags.all()), quote, lines, projection)
        )
    return Comparison(selection, criteria, columns, chosen_scope, len(evaluators), forecast)


def own_scores(viewer: Viewer, candidate: Candidate) -> dict[str, CandidateScore]:
    if viewer.user is None:
        return {}
    return {
        s.criterion.key: s
        for s in scope(CandidateScore, viewer)
        .filter(candidate=candidate, evaluator=viewer.user)
        .select_related("criterion")
    }
