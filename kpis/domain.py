"""KPI formulas, from raw counts to values. Pure: standard library only.

Definitions follow the KPI table of the domain brief (docs/domain.md, "KPIs"). Every KPI is
derived from counts, never from pre-computed percentages, so that counts add up across
agents, channels and periods and the figure is recomputed from them. Each value carries its
sample size (docs/domain.md, "KPIs": "small samples lie"); rate KPIs also carry a 95 % Wilson score
interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, localcontext
from enum import StrEnum

from partners.domain import attrition

Z_95 = Decimal("1.959963984540054")  # two-sided 95 % normal quantile
# Below this many observations a value is shown but marked "too few to judge".
DEFAULT_MIN_SAMPLE = 30


@dataclass(frozen=True)
class Counts:
    """The raw counts behind every KPI, for one partner, channel, optional agent and period.

    `*_n` is how many contacts (or answers) the KPI could be measured on; the other field of
    the pair is how many of those counted. Attrition comes from the roster, not contacts.
    """

    contacts: int = 0
    fcr_n: int = 0  # contacts whose first-contact resolution is known
    fcr_yes: int = 0  # resolved with no repeat contact within 7 days
    reopen_n: int = 0
    reopen_yes: int = 0  # re-opened within 7 days
    escalation_n: int = 0
    escalation_yes: int = 0  # escalated
    escalation_l1_n: int = 0  # escalated, with a known outcome
    escalation_l1_yes: int = 0  # escalation closed without going in-house
    sla_n: int = 0
    sla_yes: int = 0  # answered or resolved within the agreed window
    csat_n: int = 0  # survey answers on the 1-5 scale
    csat_positive: int = 0  # answers of 4 or 5
    nps_n: int = 0  # answers on the 0-10 scale
    nps_promoters: int = 0  # 9 or 10
    nps_detractors: int = 0  # 0 to 6
    ces_n: int = 0
    ces_sum: int = 0  # sum of customer-effort answers (1-7, lower is easier)
    handle_n: int = 0
    handle_seconds: int = 0  # sum of handle times
    frt_n: int = 0
    frt_seconds: int = 0  # sum of first-response times
    headcount_start: int = 0  # roster: agents employed on the period's first day
    headcount_end: int = 0  # roster: agents employed on the period's last day
    leavers: int = 0  # roster: agents whose leaving date falls in the period
    qa_n: int = 0  # QA evaluations of interactions (calibration.QaEvaluation)
    qa_sum: int = 0  # the sum of their scores, in hundredths of a point (0-10,000 each)

    def __add__(self, other: Counts) -> Counts:
        """Counts of two disjoint sets of contacts. Roster figures are not additive over
        time, so callers add counts of the same period only (agents, channels)."""
        return Counts(**{f: getattr(self, f) + getattr(other, f) for f in COUNT_FIELDS})

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Counts:
        return cls(**{f: int(values.get(f) or 0) for f in COUNT_FIELDS})  # type: ignore[call-overload]


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counts))


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for item in counts:
        result = result + item
    return result


def pool_over_time(counts: list[Counts]) -> Counts:
    """Counts of consecutive periods as one longer period: contact counts and leavers add up,
    the headcount is the first period's at the start and the last period's at the end."""
    if not counts:
        return Counts()
    pooled = total(counts)
    return Counts(
        **{
            **{f: getattr(pooled, f) for f in COUNT_FIELDS},
            "headcount_start": counts[0].headcount_start,
            "headcount_end": counts[-1].headcount_end,
        }
    )


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Unit(StrEnum):
    PERCENT = "percent"  # a share, stored as a fraction 0..1
    SECONDS = "seconds"
    SCORE = "score"  # NPS, -100..100
    POINTS = "points"  # CES, on its 1-7 scale


class Kpi(StrEnum):
    CSAT = "csat"
    FCR = "fcr"
    AHT = "aht"
    FRT = "frt"
    SLA = "sla"
    ESCALATION = "escalation"
    ESCALATION_L1 = "escalation_l1"
    REOPEN = "reopen"
    NPS = "nps"
    CES = "ces"
    ATTRITION = "attrition"
    QA = "qa"


@dataclass(frozen=True)
class KpiDefinition:
    kpi: Kpi
    label: str
    unit: Unit
    direction: Direction
    definition: str
    # A value below this threshold (or above, for lower-is-better) is flagged on scorecards;
    # the defaults are the "healthy" figures of docs/domain.md, "KPIs".
    threshold: Decimal | None


DEFINITIONS: dict[Kpi, KpiDefinition] = {
    d.kpi: d
    for d in [
        KpiDefinition(
            Kpi.CSAT,
            "CSAT",
            Unit.PERCENT,
            Direction.HIGHER_IS_BETTER,
            "Positive survey answers (4-5 on a 1-5 scale) / all answers.",
            Decimal("0.85"),
        ),
        KpiDefinition(
            Kpi.FCR,
            "FCR",
            Unit.PERCENT,
            Direction.HIGHER_IS_BETTER,
            "Contacts resolved with no repeat contact within 7 days / contacts.",
            Decimal("0.70"),
        ),
        KpiDefinition(
            Kpi.AHT,
            "AHT",
            Unit.SECONDS,
            Direction.LOWER_IS_BETTER,
            "Mean handle time per contact. A guardrail, never a sole target.",
            None,
        ),
        KpiDefinition(
            Kpi.FRT,
            "First response",
            Unit.SECONDS,
            Direction.LOWER_IS_BETTER,
            "Mean time to first reply.",
            None,
        ),
        KpiDefinition(
            Kpi.SLA,
            "SLA adherence",
            Unit.PERCENT,
            Direction.HIGHER_IS_BETTER,
            "Contacts answered or resolved within the agreed window / contacts.",
            Decimal("0.95"),
        ),
        KpiDefinition(
            Kpi.ESCALATION,
            "Escalation rate",
            Unit.PERCENT,
            Direction.LOWER_IS_BETTER,
            "Contacts escalated / contacts.",
            Decimal("0.15"),
        ),
        KpiDefinition(
            Kpi.ESCALATION_L1,
            "Escalations resolved at L1",
            Unit.PERCENT,
            Direction.HIGHER_IS_BETTER,
            "Escalations closed without going in-house / escalations.",
            None,
        ),
        KpiDefinition(
            Kpi.REOPEN,
            "Re-open rate",
            Unit.PERCENT,
            Direction.LOWER_IS_BETTER,
            "Contacts re-opened within 7 days / contacts.",
            None,
        ),
        KpiDefinition(
            Kpi.NPS,
            "NPS",
            Unit.SCORE,
            Direction.HIGHER_IS_BETTER,
            "% promoters (9-10) minus % detractors (0-6) of 0-10 answers.",
            None,
        ),
        KpiDefinition(
            Kpi.CES,
            "CES",
            Unit.POINTS,
            Direction.LOWER_IS_BETTER,
            "Mean customer-effort answer on a 1-7 scale (lower is easier).",
            None,
        ),
        KpiDefinition(
            Kpi.ATTRITION,
            "Attrition (annualised)",
            Unit.PERCENT,
            Direction.LOWER_IS_BETTER,
            "Agents who left in the period / average headcount, annualised. "
            "Under 30 % good; over 60 % means continuous quality drift.",
            Decimal("0.60"),
        ),
        KpiDefinition(
            Kpi.QA,
            "QA score",
            Unit.PERCENT,
            Direction.HIGHER_IS_BETTER,
            "Mean score of QA-evaluated interactions against the QA rubric (0-100 %): the "
            "weighted share of points earned, 0 when a critical criterion is missed.",
            Decimal("0.85"),
        ),
    ]
}

CONTACT_KPIS = tuple(k for k in Kpi if k is not Kpi.ATTRITION)


@dataclass(frozen=True)
class KpiValue:
    """A KPI's value with its sample size and, for rates, its 95 % interval.

    `value` is None when nothing was measured. For percentages the value and bounds are
    fractions (0.912 is 91.2 %).
    """

    kpi: Kpi
    value: Decimal | None
    sample: int
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def definition(self) -> KpiDefinition:
        return DEFINITIONS[self.kpi]

    def enough_data(self, min_sample: int = DEFAULT_MIN_SAMPLE) -> bool:
        return self.value is not None and self.sample >= min_sample

    def breaches(self, threshold: Decimal | None = None) -> bool:
        """True when the value is on the wrong side of the threshold (default: docs/domain.md,
        "KPIs")."""
        limit = threshold if threshold is not None else self.definition.threshold
        if limit is None or self.value is None:
            return False
        if self.definition.direction is Direction.HIGHER_IS_BETTER:
            return self.value < limit
        return self.value > limit


def wilson_interval(successes: int, n: int, z: Decimal = Z_95) -> tuple[Decimal, Decimal]:
    """The Wilson score interval for a proportion successes/n.

    Unlike the normal approximation it stays within [0, 1] and behaves for small n and for
    proportions near 0 or 1, which is where contact-centre rates live.
    """
    if n <= 0:
        raise ValueError("A proportion needs at least one observation.")
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} is impossible.")
    with localcontext() as ctx:
        ctx.prec = 28
        nn = Decimal(n)
        p = Decimal(successes) / nn
        z2 = z * z
        denominator = 1 + z2 / nn
        centre = p + z2 / (2 * nn)
        margin = z * ((p * (1 - p) / nn + z2 / (4 * nn * nn)).sqrt())
        # At 0 and n successes the bound is exactly 0 (or 1); say so rather than leave
        # a rounding residue of 1e-30.
        low = Decimal(0) if successes == 0 else (centre - margin) / denominator
        high = Decimal(1) if successes == n else (centre + margin) / denominator
    return max(low, Decimal(0)), min(high, Decimal(1))


def _rate(kpi: Kpi, yes: int, n: int) -> KpiValue:
    if n == 0:
        return KpiValue(kpi, None, 0)
    low, high = wilson_interval(yes, n)
    return KpiValue(kpi, Decimal(yes) / Decimal(n), n, low, high)


def _mean(kpi: Kpi, total_: int, n: int) -> KpiValue:
    if n == 0:
        return KpiValue(kpi, None, 0)
    return KpiValue(kpi, Decimal(total_) / Decimal(n), n)


def nps(promoters: int, detractors: int, n: int) -> KpiValue:
    """Net promoter score, -100..100, with a 95 % normal-approximation interval.

    NPS is a difference of two shares of one trinomial sample, so its variance is
    (p + d - (p - d)^2) / n with p and d the promoter and detractor shares.
    """
    if n == 0:
        return KpiValue(Kpi.NPS, None, 0)
    if promoters + detractors > n:
        raise ValueError("More promoters and detractors than answers.")
    p = Decimal(promoters) / n
    d = Decimal(detractors) / n
    score = p - d
    margin = Z_95 * ((p + d - score * score) / n).sqrt()
    low = max(score - margin, Decimal(-1))
    high = min(score + margin, Decimal(1))
    return KpiValue(Kpi.NPS, score * 100, n, low * 100, high * 100)


def attrition_value(counts: Counts, period_days: int) -> KpiValue:
    result = attrition(
        leavers=counts.leavers,
        headcount_start=counts.headcount_start,
        headcount_end=counts.headcount_end,
        period_days=period_days,
    )
    sample = max(counts.headcount_start, counts.headcount_end)
    return KpiValue(Kpi.ATTRITION, result.annualised, sample)


def kpi_values(counts: Counts, *, period_days: int) -> dict[Kpi, KpiValue]:
    """Every KPI of one set of counts. `period_days` annualises attrition."""
    c = counts
    return {
        Kpi.CSAT: _rate(Kpi.CSAT, c.csat_positive, c.csat_n),
        Kpi.FCR: _rate(Kpi.FCR, c.fcr_yes, c.fcr_n),
        Kpi.AHT: _mean(Kpi.AHT, c.handle_seconds, c.handle_n),
        Kpi.FRT: _mean(Kpi.FRT, c.frt_seconds, c.frt_n),
        Kpi.SLA: _rate(Kpi.SLA, c.sla_yes, c.sla_n),
        Kpi.ESCALATION: _rate(Kpi.ESCALATION, c.escalation_yes, c.escalation_n),
        Kpi.ESCALATION_L1: _rate(Kpi.ESCALATION_L1, c.escalation_l1_yes, c.escalation_l1_n),
        Kpi.REOPEN: _rate(Kpi.REOPEN, c.reopen_yes, c.reopen_n),
        Kpi.NPS: nps(c.nps_promoters, c.nps_detractors, c.nps_n),
        Kpi.CES: _mean(Kpi.CES, c.ces_sum, c.ces_n),
        Kpi.ATTRITION: attrition_value(c, period_days),
        Kpi.QA: qa_score(c.qa_sum, c.qa_n),
    }


def qa_score(total_hundredths: int, n: int) -> KpiValue:
    """The mean QA score as a share (0.873 is 87.3 %), with the number of evaluations."""
    if n == 0:
        return KpiValue(Kpi.QA, None, 0)
    return KpiValue(Kpi.QA, Decimal(total_hundredths) / Decimal(n * 10_000), n)


def change(current: KpiValue, previous: KpiValue) -> Decimal | None:
    """current - previous, in the KPI's own unit; None unless both were measured."""
    if current.value is None or previous.value is None:
        return None
    return current.value - previous.value


def improved(kpi: Kpi, delta: Decimal | None) -> bool | None:
    """Whether a change is for the better, given the KPI's direction."""
    if delta is None or delta == 0:
        return None
    better_up = DEFINITIONS[kpi].direction is Direction.HIGHER_IS_BETTER
    return (delta > 0) == better_up


def bottom_decile(values: Mapping[int, KpiValue], min_sample: int) -> set[int]:
    """Keys whose value lies in the worst 10 % of those with enough data (at least one
    when any qualifies with ten or more peers), worst meaning the KPI's wrong direction."""
    judged = [(k, v.value) for k, v in values.items() if v.enough_data(min_sample)]
    if len(judged) < 10:
        return set()
    kpi = next(iter(values.values())).kpi
    reverse = DEFINITIONS[kpi].direction is Direction.LOWER_IS_BETTER
    ordered = sorted(judged, key=lambda kv: kv[1], reverse=reverse)  # type: ignore[arg-type,return-value]
    size = max(1, len(ordered) // 10)
    cutoff = ordered[size - 1][1]
    # Ties with the cut-off value are in the decile too.
    return {
        k
        for k, v in judged
        if (v is not None and cutoff is not None) and ((v >= cutoff) if reverse else (v <= cutoff))
    }
