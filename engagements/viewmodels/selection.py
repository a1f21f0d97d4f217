"""A selection's comparison as its page shows it: quote lines in words, the candidates' lines
side by side on the same channel and pricing model, each quote priced on the scope's month
channel by channel, and each candidate's column with its figures as people read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.formatting import as_percent
from core.scoping import Viewer
from engagements import domain, selectors
from engagements.models import Candidate, CandidateRate
from partners.models import Channel
from sla.currency import minor_digits
from sla.domain import Volumes, format_money, plain_number
from sla.models import LOADED_COMPONENTS, PricingModel
from sla.selectors import PER

CHANNEL_LABELS = dict(Channel.choices)
MODEL_ORDER = list(PricingModel.values)
CHANNEL_ORDER = list(Channel.values)


# QUOTE LINES IN WORDS
# ------------------------------------------------------------------------------


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


# LINES SIDE BY SIDE
# ------------------------------------------------------------------------------


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


# THE SCOPE'S MONTH PRICED
# ------------------------------------------------------------------------------


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


# EACH CANDIDATE'S COLUMN
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorScore:
    name: str
    score: Decimal


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


def component_rows(columns: list[ColumnView]) -> list[tuple[str, list[str]]]:
    """Each loaded-cost component across the candidates, one row per component."""
    return [
        (label, [v.components[i] for v in columns])
        for i, (_, label) in enumerate(LOADED_COMPONENTS)
    ]


def criterion_rows(
    comparison: selectors.Comparison, columns: list[ColumnView]
) -> list[tuple[domain.Criterion, str, list[Decimal | None]]]:
    """Each criterion with its share of the total weight (in %) and the candidates' medians."""
    total = sum((c.weight for c in comparison.criteria), Decimal(0))
    return [
        (
            criterion,
            plain_number(as_percent(criterion.weight / total) or Decimal(0)) if total else "—",
            [v.medians[i] for v in columns],
        )
        for i, criterion in enumerate(comparison.criteria)
    ]
