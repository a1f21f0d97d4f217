"""Engagement rules: the scope of work (forecast mix, shifts, scope discipline, peak to
trough), partner selection (weighted scorecards, red flags, loaded rates), the stages of an
engagement with their gates and ramp realism, and cost per resolved contact. Pure: standard
library, `kpis.domain` and `sla.domain` only, so every rule is tested without a database.

Figures and defaults come from DOMAIN.md ("Scope of the outsourced work", "Pricing, and
cost per resolution", "Governance rhythm").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import median

from sla.domain import (
    HUNDRED,
    ZERO,
    Invoice,
    Pricing,
    PricingModel,
    RateLine,
    TypeVolume,
    Volumes,
    channel_invoice,
    loaded_rate,
    rate_card_invoice,
    round_money,
)

ONE = Decimal(1)
SHARE_PLACES = Decimal("0.001")


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction rounded to 0.001, None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


# SCOPE OF WORK
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardType:
    code: str
    name: str
    contacts: int  # of a typical month of 5,000 tickets
    brand_sensitive: bool
    routine: bool  # scripted work such as status checks: ramps in weeks, not months


# DOMAIN.md: "a typical monthly mix for 5,000 tickets".
STANDARD_MIX = (
    StandardType("order-status", "Order status", 2500, brand_sensitive=False, routine=True),
    StandardType("product-question", "Product question", 1200, brand_sensitive=False,
                 routine=False),
    StandardType("complaint-return", "Complaint / return", 800, brand_sensitive=True,
                 routine=False),
    StandardType("billing", "Billing", 300, brand_sensitive=False, routine=False),
    StandardType("escalation", "Escalation", 200, brand_sensitive=True, routine=False),
)  # fmt: skip


class Shift(StrEnum):
    BUSINESS_HOURS = "business_hours"  # Monday to Friday, 08:00-18:00 local time
    AFTER_HOURS = "after_hours"  # Monday to Friday outside business hours
    WEEKEND = "weekend"  # Saturday and Sunday
    ALL_DAY = "24_7"  # every hour of every day


SHIFT_LABELS = {
    Shift.BUSINESS_HOURS: "Business hours (Mon-Fri 08-18)",
    Shift.AFTER_HOURS: "After hours (Mon-Fri)",
    Shift.WEEKEND: "Weekend",
    Shift.ALL_DAY: "24/7",
}
BUSINESS_START, BUSINESS_END = 8, 18


def shift_of(iso_weekday: int, hour: int) -> Shift:
    """The shift a contact opened at `hour` (0-23, local time) on `iso_weekday` (1 = Monday)
    falls in."""
    if not 1 <= iso_weekday <= 7 or not 0 <= hour <= 23:
        raise ValueError("An ISO weekday is 1-7 and an hour 0-23.")
    if iso_weekday >= 6:
        return Shift.WEEKEND
    if BUSINESS_START <= hour < BUSINESS_END:
        return Shift.BUSINESS_HOURS
    return Shift.AFTER_HOURS


def covers(shifts: Iterable[Shift], shift: Shift) -> bool:
    covered = set(shifts)
    return Shift.ALL_DAY in covered or shift in covered


@dataclass(frozen=True)
class MixLine:
    """Forecast contacts a month for one channel and interaction type."""

    channel: str
    type_code: str
    contacts: int


def mix_problems(lines: Sequence[MixLine], monthly_total: int) -> list[str]:
    """Why a forecast mix is not a scope: each problem in words, none when it is fine."""
    problems = []
    if monthly_total <= 0:
        problems.append("The monthly volume forecast must be a positive number of contacts.")
    if not lines:
        problems.append("A scope needs at least one channel and interaction type in its mix.")
    seen: set[tuple[str, str]] = set()
    for line in lines:
        key = (line.channel, line.type_code)
        if line.contacts < 0:
            problems.append(f"{line.channel} / {line.type_code}: contacts cannot be negative.")
        if key in seen:
            problems.append(f"{line.channel} / {line.type_code} appears twice in the mix.")
        seen.add(key)
    mixed = sum(line.contacts for line in lines)
    if lines and monthly_total > 0 and mixed != monthly_total:
        gap = monthly_total - mixed
        problems.append(
            f"The mix adds up to {mixed:,} contacts a month, not the {monthly_total:,} "
            f"forecast: {abs(gap):,} {'missing' if gap > 0 else 'too many'}."
        )
    return problems


def month_forecast(
    lines: Sequence[MixLine], monthly_total: int, month_total: int
) -> dict[tuple[str, str], int]:
    """A month's forecast per channel and type: the month's total spread like the mix, by
    largest remainder so that the parts add up to the month's total exactly."""
    if monthly_total <= 0:
        raise ValueError("The mix needs a positive monthly total.")
    exact = [
        (Decimal(line.contacts) * month_total / monthly_total, (line.channel, line.type_code))
        for line in lines
    ]
    parts = {key: int(value) for value, key in exact}
    left = month_total - sum(parts.values())
    by_remainder = sorted(exact, key=lambda e: (-(e[0] - int(e[0])), e[1]))
    for _value, key in by_remainder[:left]:
        parts[key] += 1
    return parts


PEAK_TO_TROUGH_CASE = Decimal("1.7")


def peak_to_trough(volumes: Iterable[int]) -> Decimal | None:
    """Highest month / lowest month, to 0.01; above about 1.7 is the classic case for
    outsourcing (a partner flexes where an in-house team is sized for the peak)."""
    values = [v for v in volumes]
    if len(values) < 2 or min(values) <= 0:
        return None
    return (Decimal(max(values)) / Decimal(min(values))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


# Scope discipline
# ------------------------------------------------------------------------------

DISCIPLINE_HEALTHY = Decimal("0.95")


@dataclass(frozen=True)
class WorkGroup:
    """Contacts that opened in one hour of one weekday (local time), for one channel and
    interaction type: what SQL groups the interactions into."""

    channel: str
    type_code: str
    iso_weekday: int
    hour: int
    contacts: int


class OutOfScopeReason(StrEnum):
    CHANNEL = "channel"
    TYPE = "type"
    SHIFT = "shift"


REASON_TEXT = {
    OutOfScopeReason.CHANNEL: "channel not in the scope",
    OutOfScopeReason.TYPE: "interaction type not in the scope for this channel",
    OutOfScopeReason.SHIFT: "shift not covered",
}


@dataclass(frozen=True)
class OutOfScope:
    channel: str
    type_code: str
    shift: Shift
    reason: OutOfScopeReason
    contacts: int


@dataclass(frozen=True)
class Discipline:
    contacts: int
    in_scope: int
    out_of_scope: tuple[OutOfScope, ...]

    @property
    def share(self) -> Decimal | None:
        return share(self.in_scope, self.contacts)

    @property
    def healthy(self) -> bool | None:
        return None if self.share is None else self.share >= DISCIPLINE_HEALTHY

    @property
    def out_of_scope_contacts(self) -> int:
        return self.contacts - self.in_scope


def scope_discipline(
    groups: Iterable[WorkGroup], lines: Iterable[tuple[str, str]], shifts: Iterable[Shift]
) -> Discipline:
    """Share of contacts that match the scope: a channel and interaction type forecast in
    the mix (with contacts), opened in a covered shift. Out-of-scope work is listed per
    channel, type, shift and reason, largest first."""
    allowed = set(lines)
    channels = {c for c, _ in allowed}
    covered = list(shifts)
    total = inside = 0
    out: dict[tuple[str, str, Shift, OutOfScopeReason], int] = {}
    for g in groups:
        total += g.contacts
        shift = shift_of(g.iso_weekday, g.hour)
        if g.channel not in channels:
            reason: OutOfScopeReason | None = OutOfScopeReason.CHANNEL
        elif (g.channel, g.type_code) not in allowed:
            reason = OutOfScopeReason.TYPE
        elif not covers(covered, shift):
            reason = OutOfScopeReason.SHIFT
        else:
            reason = None
        if reason is None:
            inside += g.contacts
        else:
            key = (g.channel, g.type_code, shift, reason)
            out[key] = out.get(key, 0) + g.contacts
    listed = sorted(
        (OutOfScope(c, t, s, r, n) for (c, t, s, r), n in out.items()),
        key=lambda o: (-o.contacts, o.channel, o.type_code, o.shift),
    )
    return Discipline(total, inside, tuple(listed))


# PARTNER SELECTION
# ------------------------------------------------------------------------------

SCORE_MIN, SCORE_MAX = 1, 5


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: Decimal
    help: str = ""


# The criteria that predict long-term quality; floor-management maturity weighs most.
DEFAULT_CRITERIA = (
    Criterion("floor_management", "Floor-management maturity", Decimal(20),
              "Team-lead ratios, side-by-side coaching, real-time floor support."),
    Criterion("domain_depth", "Domain depth in this kind of work", Decimal(15),
              "References in the same kind of support, agents who know the product area."),
    Criterion("qa_process", "QA process", Decimal(12),
              "Sampling, rubric, calibration with clients, what happens to a failed review."),
    Criterion("attrition_transparency", "Attrition transparency", Decimal(10),
              "States its attrition figure and trend, per site, without being pushed."),
    Criterion("capacity_headroom", "Capacity headroom honesty", Decimal(10),
              "Says what it can staff and how fast, rather than yes to everything."),
    Criterion("escalation_handling", "Escalation handling", Decimal(9),
              "Clear paths back in-house, and escalations resolved at L1."),
    Criterion("tooling_fit", "Tooling fit", Decimal(8),
              "Works in our helpdesk and telephony, not a parallel stack."),
    Criterion("knowledge_management", "Knowledge-management speed", Decimal(8),
              "Hours, not weeks, from a policy change to every agent knowing it."),
    Criterion("reporting_transparency", "Reporting transparency", Decimal(8),
              "Shared dashboards, raw exports, per-agent data."),
)  # fmt: skip


def score_problem(score: int) -> str | None:
    if not SCORE_MIN <= score <= SCORE_MAX:
        return f"A score is a whole number from {SCORE_MIN} to {SCORE_MAX}, not {score}."
    return None


@dataclass(frozen=True)
class Sheet:
    """One evaluator's scores for one candidate: criterion key → 1-5."""

    evaluator: str
    scores: Mapping[str, int]


@dataclass(frozen=True)
class CandidateResult:
    """A candidate's score: the median of the evaluators' weighted scores, so that one
    enthusiast (or one sceptic) cannot carry it. Each complete sheet's weighted score is
    Σ weight × score / Σ weight, on the 1-5 scale."""

    score: Decimal | None
    evaluator_scores: dict[str, Decimal]  # complete sheets only
    incomplete: tuple[str, ...]  # evaluators who have not scored every criterion
    criterion_medians: dict[str, Decimal | None]

    @property
    def low(self) -> Decimal | None:
        return min(self.evaluator_scores.values(), default=None)

    @property
    def high(self) -> Decimal | None:
        return max(self.evaluator_scores.values(), default=None)


SCORE_PLACES = Decimal("0.01")


def weighted_score(criteria: Sequence[Criterion], scores: Mapping[str, int]) -> Decimal:
    total_weight = sum((c.weight for c in criteria), ZERO)
    if total_weight <= 0:
        raise ValueError("The criteria need a positive total weight.")
    return sum((c.weight * scores[c.key] for c in criteria), ZERO) / total_weight


def candidate_result(criteria: Sequence[Criterion], sheets: Sequence[Sheet]) -> CandidateResult:
    keys = [c.key for c in criteria]
    complete: dict[str, Decimal] = {}
    incomplete = []
    for sheet in sheets:
        if all(k in sheet.scores for k in keys):
            complete[sheet.evaluator] = weighted_score(criteria, sheet.scores).quantize(
                SCORE_PLACES, rounding=ROUND_HALF_UP
            )
        elif any(k in sheet.scores for k in keys):
            incomplete.append(sheet.evaluator)
    medians: dict[str, Decimal | None] = {}
    for key in keys:
        values = [Decimal(s.scores[key]) for s in sheets if key in s.scores]
        medians[key] = Decimal(median(values)) if values else None
    score = (
        Decimal(median(sorted(complete.values()))).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
        if complete
        else None
    )
    return CandidateResult(score, complete, tuple(incomplete), medians)


class RedFlag(StrEnum):
    PRICE_WITHOUT_KPIS = "price_without_kpis"
    NO_OPERATIONS_MANAGER = "no_operations_manager"
    OPAQUE_QA = "opaque_qa"
    VAGUE_LABOUR_LAW = "vague_labour_law"
    NO_SHARED_DASHBOARDS = "no_shared_dashboards"
    NO_ATTRITION_FIGURE = "no_attrition_figure"
    OTHER = "other"


RED_FLAG_LABELS = {
    RedFlag.PRICE_WITHOUT_KPIS: "Pricing quoted only per minute or per FTE, with no KPIs",
    RedFlag.NO_OPERATIONS_MANAGER: "Refuses to name the operations manager",
    RedFlag.OPAQUE_QA: "Opaque QA process",
    RedFlag.VAGUE_LABOUR_LAW: "Vague answers on labour law",
    RedFlag.NO_SHARED_DASHBOARDS: "Resists shared dashboards",
    RedFlag.NO_ATTRITION_FIGURE: "No attrition figure",
    RedFlag.OTHER: "Other",
}


@dataclass(frozen=True)
class Assumptions:
    """What turns a scope's forecast into billable units for a quote."""

    fcr: Decimal  # share of contacts resolved, 0-1
    handle_minutes: Decimal  # handled minutes per contact, wrap-up included
    productive_hours_per_fte: Decimal  # handled hours an FTE delivers in a month


def projected_volumes(contacts: int, assumptions: Assumptions) -> Volumes:
    hours = Decimal(contacts) * assumptions.handle_minutes / 60
    resolved = int((Decimal(contacts) * assumptions.fcr).to_integral_value(ROUND_HALF_UP))
    return Volumes(
        hours=hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        fte=(hours / assumptions.productive_hours_per_fte).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ),
        contacts=contacts,
        resolved=resolved,
    )


# Quotes: a candidate's rate card against the scope
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """A candidate's quote: a rate card like a contract's (one line per channel, optionally
    one per interaction type, each with its own pricing model and rate; `sla.domain`'s
    rules), and the loaded-cost components the buyer pays on top of every headline rate."""

    lines: tuple[RateLine, ...]
    components_pct: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def loaded_pct(self) -> Decimal:
        return sum(self.components_pct.values(), ZERO)

    def loaded(self, rate: Decimal) -> Decimal:
        """A headline rate (or a hybrid's bonus) with the loaded-cost components on top."""
        return loaded_rate(rate, self.components_pct)

    def channel_lines(self, channel: str) -> list[RateLine]:
        return [line for line in self.lines if line.channel == channel]


def forecast_volumes(
    forecast: Mapping[tuple[str, str], int], assumptions: Assumptions
) -> dict[str, Volumes]:
    """A scope's month per channel, as the volumes a rate card prices: each channel's
    contacts per interaction type from the forecast; its hours, FTE and resolved contacts
    from the selection's assumptions applied to the channel's volume (`projected_volumes`);
    each type's resolved contacts its share of the channel's, by largest remainder so that
    they add up. Channels follow the forecast's order; one forecast at zero is left out
    (the scope does not need it)."""
    by_channel: dict[str, dict[str, int]] = {}
    for (channel, code), contacts in forecast.items():
        types = by_channel.setdefault(channel, {})
        types[code] = types.get(code, 0) + contacts
    result = {}
    for channel, types in by_channel.items():
        contacts = sum(types.values())
        if contacts <= 0:
            continue
        volumes = projected_volumes(contacts, assumptions)
        resolved = month_forecast(
            [MixLine(channel, code, n) for code, n in types.items()], contacts, volumes.resolved
        )
        by_type = {code: TypeVolume(n, resolved[(channel, code)]) for code, n in types.items()}
        result[channel] = Volumes(
            volumes.hours, volumes.fte, volumes.contacts, volumes.resolved, by_type
        )
    return result


def total_volumes(channels: Iterable[Volumes]) -> Volumes:
    """Several channels' volumes added up (without their split by type)."""
    parts = list(channels)
    return Volumes(
        hours=sum((v.hours or ZERO for v in parts), ZERO),
        fte=sum((v.fte or ZERO for v in parts), ZERO),
        contacts=sum(v.contacts for v in parts),
        resolved=sum(v.resolved for v in parts),
    )


@dataclass(frozen=True)
class ChannelCost:
    """One channel of the scope priced with a quote's lines for it; `invoice` is None when
    the quote has no line for the channel: not quoted, never 0."""

    channel: str
    volumes: Volumes
    invoice: Invoice | None
    loaded: Decimal | None

    @property
    def quoted(self) -> bool:
        return self.invoice is not None

    @property
    def headline(self) -> Decimal | None:
        return self.invoice.amount if self.invoice is not None else None


@dataclass(frozen=True)
class Projection:
    """A quote applied to the scope's month, channel by channel: the headline and loaded
    monthly cost, and the loaded cost per resolved contact. Totals add the quoted channels
    only; `complete` says whether every channel the scope needs is quoted, and the cost per
    resolved contact divides by the resolved contacts of the quoted channels."""

    channels: tuple[ChannelCost, ...]

    @property
    def volumes(self) -> Volumes:
        """The scope's month over every channel it needs."""
        return total_volumes(c.volumes for c in self.channels)

    @property
    def not_quoted(self) -> tuple[str, ...]:
        return tuple(c.channel for c in self.channels if not c.quoted)

    @property
    def complete(self) -> bool:
        return bool(self.channels) and not self.not_quoted

    @property
    def headline_cost(self) -> Decimal:
        return sum((c.headline for c in self.channels if c.headline is not None), ZERO)

    @property
    def loaded_cost(self) -> Decimal:
        return sum((c.loaded for c in self.channels if c.loaded is not None), ZERO)

    @property
    def resolved(self) -> int:
        """Resolved contacts of the quoted channels."""
        return sum(c.volumes.resolved for c in self.channels if c.quoted)

    @property
    def cost_per_resolved(self) -> Decimal | None:
        if self.resolved <= 0:
            return None
        return (self.loaded_cost / self.resolved).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def project_quote(
    quote: Quote,
    forecast: Mapping[str, Volumes],
    *,
    channel_labels: Mapping[str, str],
    currency: str,
    minor_digits: int,
) -> Projection:
    """Each channel of the scope's month (`forecast_volumes`) priced with the quote's lines
    for it (`rate_card_invoice`: the sum of what each line counted, each rounded once), and
    loaded with the quote's components, rounded once per channel. A channel the quote has
    no line for is not quoted. Lines for channels the scope does not need price nothing."""
    costs = []
    for channel, volumes in forecast.items():
        lines = quote.channel_lines(channel)
        if not lines:
            costs.append(ChannelCost(channel, volumes, None, None))
            continue
        invoice = rate_card_invoice(
            lines,
            volumes,
            channel_label=channel_labels.get(channel, channel),
            currency=currency,
            minor_digits=minor_digits,
        )
        loaded = loaded_cost(invoice.amount, quote.loaded_pct, minor_digits)
        costs.append(ChannelCost(channel, volumes, invoice, loaded))
    return Projection(tuple(costs))


def like_for_like(line: RateLine) -> tuple[str, str, str, str]:
    """What two quotes' lines must share to compare their rates: the channel, the
    interaction type (or none: the channel's own line), the pricing model and, for a
    hybrid, its base."""
    pricing = line.pricing
    base = pricing.hybrid_base.value if pricing.hybrid_base else ""
    return (line.channel, line.interaction_type, pricing.model.value, base)


@dataclass(frozen=True)
class LineRank:
    """One quote line against the other candidates' lines on the same channel, interaction
    type and pricing model (its peers, itself included)."""

    peers: int
    above_cheapest: Decimal | None = None  # % above the cheapest loaded rate; None: alone
    headline_rank: int | None = None  # 1: the cheapest headline rate
    # Peers quoting a dearer headline whose loaded rate is cheaper: this "cheaper" headline
    # is not.
    dearer_loaded_than: tuple[str, ...] = ()


def rank_lines(quotes: Mapping[str, Quote]) -> dict[str, tuple[LineRank, ...]]:
    """Each candidate's lines (in the order of its quote) ranked against its peers'. A hybrid
    line has two rates (a base and a bonus per resolved contact): it is not ranked on one of
    them, and compares on the projected cost instead."""
    peers: dict[tuple[str, str, str, str], list[tuple[str, Decimal, Decimal]]] = {}
    for name, quote in quotes.items():
        for line in quote.lines:
            rate = line.pricing.rate
            peers.setdefault(like_for_like(line), []).append((name, rate, quote.loaded(rate)))
    ranked: dict[str, tuple[LineRank, ...]] = {}
    for name, quote in quotes.items():
        ranks = []
        for line in quote.lines:
            group = peers[like_for_like(line)]
            if len(group) < 2 or line.pricing.model is PricingModel.HYBRID:
                ranks.append(LineRank(len(group)))
                continue
            headline, loaded = line.pricing.rate, quote.loaded(line.pricing.rate)
            headlines = sorted({h for _n, h, _l in group})
            ranks.append(
                LineRank(
                    len(group),
                    overhead_above(loaded, min(cost for _n, _h, cost in group)),
                    headlines.index(headline) + 1,
                    tuple(
                        other
                        for other, rate, cost in sorted(group)
                        if other != name and rate > headline and cost < loaded
                    ),
                )
            )
        ranked[name] = tuple(ranks)
    return ranked


def overhead_above(this: Decimal, cheapest: Decimal) -> Decimal | None:
    """How much more `this` costs than `cheapest`, as a percentage to 0.1."""
    if cheapest <= 0:
        return None
    return ((this / cheapest - ONE) * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


class StageKind(StrEnum):
    SELECTION = "selection"
    PILOT = "pilot"
    EXPANSION = "expansion"
    STEADY_STATE = "steady_state"
    EXIT = "exit"


STAGE_ORDER = {
    StageKind.SELECTION: 0,
    StageKind.PILOT: 1,
    StageKind.EXPANSION: 2,
    StageKind.STEADY_STATE: 3,
    StageKind.EXIT: 4,
}


class Expansion(StrEnum):
    INTERACTION_TYPE = "interaction_type"
    CHANNEL = "channel"
    SHIFTS = "shifts"
    BRAND_SENSITIVE = "brand_sensitive"


EXPANSION_LABELS = {
    Expansion.INTERACTION_TYPE: "Another interaction type",
    Expansion.CHANNEL: "Another channel",
    Expansion.SHIFTS: "More shifts",
    Expansion.BRAND_SENSITIVE: "Brand-sensitive work (complaints, retention)",
}


@dataclass(frozen=True)
class PlannedStep:
    kind: StageKind
    expansion: Expansion | None
    first_week: int
    last_week: int


# DOMAIN.md, "Governance rhythm": weeks 1-12 pilot; 13-20 a second interaction type; 21-32 a
# second channel; 33-48 more shifts; year 2 brand-sensitive work.
DEFAULT_SEQUENCE = (
    PlannedStep(StageKind.PILOT, None, 1, 12),
    PlannedStep(StageKind.EXPANSION, Expansion.INTERACTION_TYPE, 13, 20),
    PlannedStep(StageKind.EXPANSION, Expansion.CHANNEL, 21, 32),
    PlannedStep(StageKind.EXPANSION, Expansion.SHIFTS, 33, 48),
    PlannedStep(StageKind.EXPANSION, Expansion.BRAND_SENSITIVE, 53, 64),
)


def next_planned(done: Sequence[tuple[StageKind, Expansion | None]]) -> PlannedStep | None:
    """The first step of the default sequence not yet taken."""
    taken = list(done)
    for step in DEFAULT_SEQUENCE:
        if (step.kind, step.expansion) in taken:
            taken.remove((step.kind, step.expansion))
            continue
        return step
    return None


def move_problem(current: StageKind | None, new: StageKind, reason: str) -> str | None:
    """Why the engagement cannot move from `current` to `new`: going back (or leaving an
    exit) needs a reason."""
    if current is None:
        return None
    if current is StageKind.EXIT and not reason.strip():
        return "The engagement has exited: resuming it needs a reason."
    if STAGE_ORDER[new] < STAGE_ORDER[current] and not reason.strip():
        return (
            f"Moving back from {current.value.replace('_', ' ')} to "
            f"{new.value.replace('_', ' ')} needs a reason."
        )
    return None


PILOT_DAYS = (60, 90)


def pilot_length_note(days: int) -> str | None:
    low, high = PILOT_DAYS
    if days < low:
        return f"The pilot ran {days} days: shorter than the {low}-{high} days a pilot needs."
    if days > high:
        return f"The pilot ran {days} days: longer than the usual {low}-{high} days."
    return None


@dataclass(frozen=True)
class GateMonth:
    """One month of the current scope: whether every governed KPI was in base or better.
    None: no governed KPI decided that month (no data, or too small a sample)."""

    label: str
    at_sla: bool | None
    below: tuple[str, ...] = ()  # the KPIs below base, in words


@dataclass(frozen=True)
class Gate:
    months_needed: int
    months: tuple[GateMonth, ...]  # the most recent complete months, newest first
    alignment: Decimal | None  # calibration agreement, 0-1
    alignment_threshold: Decimal
    reasons: tuple[str, ...]  # why the gate is red; empty when green

    @property
    def sla_ok(self) -> bool:
        return len(self.months) >= self.months_needed and all(m.at_sla for m in self.months)

    @property
    def alignment_ok(self) -> bool:
        return self.alignment is not None and self.alignment >= self.alignment_threshold

    @property
    def green(self) -> bool:
        return not self.reasons


def gate(
    months: Sequence[GateMonth],
    *,
    months_needed: int,
    alignment: Decimal | None,
    alignment_threshold: Decimal,
) -> Gate:
    """An expansion gate: green when the current scope ran at SLA for each of the last
    `months_needed` complete months and calibration alignment is at least the threshold."""
    if months_needed < 1:
        raise ValueError("A gate looks at one month or more.")
    recent = tuple(months[:months_needed])
    reasons = []
    if len(recent) < months_needed:
        reasons.append(
            f"Only {len(recent)} complete month{'s' if len(recent) != 1 else ''} of SLA "
            f"results; the gate needs {months_needed}."
        )
    for m in recent:
        if m.at_sla is None:
            reasons.append(f"{m.label}: no governed KPI was decided.")
        elif not m.at_sla:
            reasons.append(f"{m.label}: below base on {', '.join(m.below)}.")
    if alignment is None:
        reasons.append("No calibration alignment measured yet.")
    elif alignment < alignment_threshold:
        reasons.append(
            f"Calibration agreement {alignment * HUNDRED:.1f}% is below the "
            f"{alignment_threshold * HUNDRED:.1f}% threshold."
        )
    return Gate(months_needed, recent, alignment, alignment_threshold, tuple(reasons))


RAMP_ROUTINE_WEEKS = 8  # DOMAIN.md: 8-12 weeks to parity on routine work
RAMP_BRAND_SENSITIVE_WEEKS = 17  # 4-6 months on brand-sensitive work


def ramp_flag(ramp_weeks: int, *, routine_only: bool, brand_sensitive: bool) -> str | None:
    """Why a planned ramp to full volume is unrealistic, or None."""
    if ramp_weeks < 0:
        raise ValueError("A ramp cannot last a negative number of weeks.")
    if brand_sensitive and ramp_weeks < RAMP_BRAND_SENSITIVE_WEEKS:
        return (
            f"A {ramp_weeks}-week ramp on brand-sensitive work is unrealistic: plan 4-6 "
            "months to parity."
        )
    if not routine_only and ramp_weeks < RAMP_ROUTINE_WEEKS:
        return (
            f"A {ramp_weeks}-week ramp is unrealistic beyond status checks: plan at least "
            f"{RAMP_ROUTINE_WEEKS} weeks to full volume."
        )
    return None


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


def loaded_cost(headline: Decimal, loaded_pct: Decimal, minor_digits: int) -> Decimal:
    return round_money(headline * (ONE + loaded_pct / HUNDRED), minor_digits)


def split_by(amount: Decimal, weights: Mapping[str, int], minor_digits: int) -> dict[str, Decimal]:
    """`amount` split across keys in proportion to their weights, rounded to the minor unit
    so that the parts add up to `amount` exactly (the last key takes the rounding)."""
    total = sum(weights.values())
    keys = sorted(weights)
    if not keys:
        return {}
    if total <= 0:
        even = {k: 1 for k in keys}
        return split_by(amount, even, minor_digits)
    parts = {k: round_money(amount * weights[k] / total, minor_digits) for k in keys[:-1]}
    parts[keys[-1]] = amount - sum(parts.values(), ZERO)
    return parts


@dataclass(frozen=True)
class MonthCost:
    """One partner's loaded cost for one channel and month, and what it bought."""

    headline: Decimal  # charges on the partner's invoice
    loaded: Decimal  # headline plus the contract's loaded-cost components
    governance: Decimal  # the buyer's program-management cost allotted to this channel
    resolved: int

    @property
    def total(self) -> Decimal:
        return self.loaded + self.governance

    @property
    def per_resolved(self) -> Decimal | None:
        if self.resolved <= 0:
            return None
        return (self.total / self.resolved).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def in_house_per_resolved(cost_per_contact: Decimal, fcr_pct: Decimal) -> Decimal | None:
    """What the in-house team pays per resolved contact: its cost per contact / its FCR."""
    if fcr_pct <= 0:
        return None
    return (cost_per_contact * HUNDRED / fcr_pct).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# What-if pricing
# ------------------------------------------------------------------------------

WHAT_IF_MODELS = (
    PricingModel.PER_HOUR,
    PricingModel.PER_FTE,
    PricingModel.PER_CONTACT,
    PricingModel.PER_RESOLVED,
    PricingModel.HYBRID,
)
HYBRID_BASE_SHARE = Decimal("0.8")  # hybrid what-if: 80% of the price on contacts, 20% earned


def equivalent_pricing(model: PricingModel, cost: Decimal, expected: Volumes) -> Pricing | None:
    """A price under `model` that would have cost `cost` for the `expected` volumes (the
    scope's forecast at its baseline FCR): the fair starting point of a what-if, so that only
    the partner's actual volumes and resolution move the bill. None when the volume the
    model bills on is unknown or zero. Rates keep their full precision (pages show them to
    0.0001): rounded to four places, pricing thousands of units would miss `cost` by cents."""

    def per(units: Decimal | int | None) -> Decimal | None:
        if units is None or units <= 0:
            return None
        return cost / Decimal(units)

    if model is PricingModel.PER_HOUR:
        rate = per(expected.hours)
    elif model is PricingModel.PER_FTE:
        rate = per(expected.fte)
    elif model is PricingModel.PER_CONTACT:
        rate = per(expected.contacts)
    elif model is PricingModel.PER_RESOLVED:
        rate = per(expected.resolved)
    elif model is PricingModel.HYBRID:
        base = per(expected.contacts)
        bonus = per(expected.resolved)
        if base is None or bonus is None:
            return None
        return Pricing(
            PricingModel.HYBRID,
            base * HYBRID_BASE_SHARE,
            PricingModel.PER_CONTACT,
            bonus * (ONE - HYBRID_BASE_SHARE),
        )
    else:
        return None
    return Pricing(model, rate) if rate is not None else None


def price(
    pricing: Pricing, volumes: Volumes, *, currency: str, minor_digits: int
) -> Decimal | None:
    invoice = channel_invoice(pricing, volumes, currency=currency, minor_digits=minor_digits)
    return None if invoice.missing else invoice.amount
