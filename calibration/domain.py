"""QA scoring and calibration alignment, pure: standard library, plus the `krippendorff`
package for the inter-rater reliability statistic.

Points: a criterion's weight is its maximum points M. A score on the criterion's scale earns
a share of M: yes/no earns all or nothing, 1-5 earns (v - 1) / 4 of M, 0-100 earns v / 100
of M. An interaction's score is 100 × points earned / points possible over the applicable
criteria (N/A ones left out); a missed critical criterion (always yes/no) makes it 0.

Alignment (docs/domain.md, "Calibration") compares the buyer side and the partner side,
each side's value on a criterion being the mean of its reviewers':
- points-weighted agreement: 1 - |a - b| / M per criterion; over a rubric, the M-weighted
  mean, so that equal totals reached through different criteria do not count as aligned;
- signed bias, partner minus buyer, in points per criterion and in score points overall;
- the gap between the sides' interaction scores, flagged beyond a tolerance (5 points);
- Krippendorff's alpha over every reviewer's scores, at each scale's level of measurement.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

Level = Literal["nominal", "ordinal", "interval"]

HUNDRED = Decimal(100)
ZERO = Decimal(0)
GAP_TOLERANCE = Decimal(5)  # score points between the sides' interaction scores


class Scale(StrEnum):
    YES_NO = "yes_no"
    ONE_TO_FIVE = "one_to_five"
    ZERO_TO_HUNDRED = "zero_to_hundred"

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        return {
            Scale.YES_NO: (ZERO, Decimal(1)),
            Scale.ONE_TO_FIVE: (Decimal(1), Decimal(5)),
            Scale.ZERO_TO_HUNDRED: (ZERO, HUNDRED),
        }[self]

    @property
    def level(self) -> Level:
        """Krippendorff's level of measurement for the scale."""
        levels: dict[Scale, Level] = {
            Scale.YES_NO: "nominal",
            Scale.ONE_TO_FIVE: "ordinal",
            Scale.ZERO_TO_HUNDRED: "interval",
        }
        return levels[self]

    @property
    def label(self) -> str:
        return {Scale.YES_NO: "yes / no", Scale.ONE_TO_FIVE: "1-5", Scale.ZERO_TO_HUNDRED: "0-100"}[
            self
        ]


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: Decimal  # maximum points M
    scale: Scale
    na_allowed: bool = False
    critical: bool = False


@dataclass(frozen=True)
class Answer:
    """One reviewer's answer on one criterion: a value on the scale, or N/A (value None)."""

    value: Decimal | None


NA = Answer(None)


class ScoreError(ValueError):
    """An answer the rubric does not accept; the message names the criterion and why."""


def check_answer(criterion: Criterion, answer: Answer) -> None:
    if answer.value is None:
        if not criterion.na_allowed:
            raise ScoreError(f"'{criterion.name}' must be scored: N/A is not allowed on it.")
        return
    low, high = criterion.scale.bounds
    if not low <= answer.value <= high:
        raise ScoreError(
            f"'{criterion.name}': {answer.value} is outside its scale ({criterion.scale.label})."
        )
    if criterion.scale is not Scale.ZERO_TO_HUNDRED and answer.value != answer.value.to_integral():
        raise ScoreError(f"'{criterion.name}': {answer.value} is not a whole step of its scale.")


def rubric_problems(criteria: Sequence[Criterion]) -> list[str]:
    problems = []
    if not criteria:
        problems.append("A rubric needs at least one criterion.")
    for c in criteria:
        if c.weight <= 0:
            problems.append(f"'{c.name}': the weight (its maximum points) must be above 0.")
        if c.critical and c.scale is not Scale.YES_NO:
            problems.append(f"'{c.name}': a critical criterion is scored yes / no.")
        if c.critical and c.na_allowed:
            problems.append(f"'{c.name}': a critical criterion always applies (no N/A).")
    names = [c.name.strip().lower() for c in criteria]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"Two criteria are called '{name}'.")
    return problems


def share(criterion: Criterion, value: Decimal) -> Decimal:
    """The share (0-1) of the criterion's points a value earns."""
    low, high = criterion.scale.bounds
    return (value - low) / (high - low)


def earned(criterion: Criterion, answer: Answer) -> Decimal | None:
    """Points earned, or None when not applicable."""
    if answer.value is None:
        return None
    return criterion.weight * share(criterion, answer.value)


@dataclass(frozen=True)
class InteractionScore:
    score: Decimal | None  # 0-100; None when nothing applied
    critical_failed: tuple[str, ...] = ()  # names of the missed critical criteria
    points: Decimal = ZERO
    possible: Decimal = ZERO

    @property
    def explanation(self) -> str:
        if self.critical_failed:
            return f"0: critical criterion missed ({', '.join(self.critical_failed)})"
        if self.score is None:
            return "no applicable criteria"
        return f"{self.score.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def interaction_score(
    criteria: Sequence[Criterion], answers: Mapping[str, Answer]
) -> InteractionScore:
    """The weighted share of points earned over applicable criteria; 0 on a missed critical
    criterion. Every criterion must be answered (N/A where allowed)."""
    points = possible = ZERO
    failed = []
    for c in criteria:
        if c.key not in answers:
            raise ScoreError(f"'{c.name}' is not scored yet.")
        answer = answers[c.key]
        check_answer(c, answer)
        got = earned(c, answer)
        if got is None:
            continue
        points += got
        possible += c.weight
        if c.critical and got == 0:
            failed.append(c.name)
    if failed:
        return InteractionScore(ZERO, tuple(failed), points, possible)
    if possible == 0:
        return InteractionScore(None)
    return InteractionScore(HUNDRED * points / possible, (), points, possible)


# ALIGNMENT
# ------------------------------------------------------------------------------


def mean(values: Iterable[Decimal]) -> Decimal | None:
    items = list(values)
    return sum(items, ZERO) / len(items) if items else None


@dataclass(frozen=True)
class CriterionAlignment:
    key: str
    weight: Decimal
    buyer: Decimal | None  # points, the side's mean; None: N/A for the whole side
    partner: Decimal | None

    @property
    def comparable(self) -> bool:
        """Both sides scored it, or exactly one side called it N/A (a disagreement too)."""
        return not (self.buyer is None and self.partner is None)

    @property
    def agreement(self) -> Decimal | None:
        if not self.comparable:
            return None
        if self.buyer is None or self.partner is None:
            return ZERO  # one side found it applicable, the other did not
        return 1 - abs(self.partner - self.buyer) / self.weight

    @property
    def bias(self) -> Decimal | None:
        """Partner minus buyer, in points."""
        if self.buyer is None or self.partner is None:
            return None
        return self.partner - self.buyer


def side_points(
    criteria: Sequence[Criterion], sheets: Sequence[Mapping[str, Answer]]
) -> dict[str, Decimal | None]:
    """Per criterion, the mean points of one side's reviewers who found it applicable
    (None when every reviewer of the side said N/A, or the side has no sheet)."""
    result: dict[str, Decimal | None] = {}
    for c in criteria:
        got = [earned(c, sheet[c.key]) for sheet in sheets if c.key in sheet]
        result[c.key] = mean(p for p in got if p is not None)
    return result


def side_score(
    criteria: Sequence[Criterion], sheets: Sequence[Mapping[str, Answer]]
) -> Decimal | None:
    """The side's interaction score: the mean of its reviewers' scores."""
    return mean(
        s.score
        for s in (interaction_score(criteria, sheet) for sheet in sheets)
        if s.score is not None
    )


@dataclass(frozen=True)
class ItemAlignment:
    """Buyer side against partner side (or a side against the consensus) on one interaction."""

    criteria: list[CriterionAlignment]
    buyer_score: Decimal | None
    partner_score: Decimal | None

    @property
    def agreement(self) -> Decimal | None:
        """M-weighted mean agreement over comparable criteria."""
        rows = [c for c in self.criteria if c.agreement is not None]
        total_weight = sum((c.weight for c in rows), ZERO)
        if not rows or total_weight == 0:
            return None
        return sum((c.weight * c.agreement for c in rows), ZERO) / total_weight  # type: ignore[operator]

    @property
    def gap(self) -> Decimal | None:
        if self.buyer_score is None or self.partner_score is None:
            return None
        return self.partner_score - self.buyer_score

    @property
    def beyond_tolerance(self) -> bool:
        return self.gap is not None and abs(self.gap) > GAP_TOLERANCE


def align(
    criteria: Sequence[Criterion],
    buyer: Sequence[Mapping[str, Answer]],
    partner: Sequence[Mapping[str, Answer]],
) -> ItemAlignment:
    b = side_points(criteria, buyer)
    p = side_points(criteria, partner)
    rows = [CriterionAlignment(c.key, c.weight, b[c.key], p[c.key]) for c in criteria]
    return ItemAlignment(rows, side_score(criteria, buyer), side_score(criteria, partner))


@dataclass(frozen=True)
class SessionAlignment:
    items: list[ItemAlignment]
    by_criterion: dict[str, tuple[Decimal | None, Decimal | None]]  # key → (agreement, bias)
    alpha: Decimal | None
    alpha_by_scale: dict[Scale, Decimal | None] = field(default_factory=dict)

    @property
    def agreement(self) -> Decimal | None:
        """M-weighted over every comparable criterion of every interaction."""
        rows = [c for item in self.items for c in item.criteria if c.agreement is not None]
        weight = sum((c.weight for c in rows), ZERO)
        if not rows or weight == 0:
            return None
        return sum((c.weight * c.agreement for c in rows), ZERO) / weight  # type: ignore[operator]

    @property
    def bias(self) -> Decimal | None:
        """Mean gap of interaction scores, partner minus buyer (score points)."""
        return mean(item.gap for item in self.items if item.gap is not None)

    @property
    def beyond_tolerance(self) -> int:
        return sum(item.beyond_tolerance for item in self.items)


def session_alignment(
    criteria: Sequence[Criterion],
    items: Sequence[tuple[Sequence[Mapping[str, Answer]], Sequence[Mapping[str, Answer]]]],
    reviewer_sheets: Sequence[Sequence[Mapping[str, Answer] | None]] | None = None,
) -> SessionAlignment:
    """Alignment over a session's interactions: `items` holds (buyer sheets, partner sheets)
    per interaction; `reviewer_sheets[r][i]` is reviewer r's sheet on interaction i (None:
    not scored), for Krippendorff's alpha."""
    aligned = [align(criteria, buyer, partner) for buyer, partner in items]
    by_criterion = {}
    for index, c in enumerate(criteria):
        rows = [item.criteria[index] for item in aligned]
        agreements = [r.agreement for r in rows if r.agreement is not None]
        biases = [r.bias for r in rows if r.bias is not None]
        by_criterion[c.key] = (mean(agreements), mean(biases))
    per_scale = alpha_by_scale(criteria, reviewer_sheets) if reviewer_sheets else {}
    return SessionAlignment(aligned, by_criterion, headline_alpha(criteria, per_scale), per_scale)


def reviewer_alignment(
    criteria: Sequence[Criterion],
    pairs: Sequence[tuple[Mapping[str, Answer], Sequence[Mapping[str, Answer]]]],
) -> tuple[Decimal | None, Decimal | None]:
    """One reviewer against the other side: `pairs` holds, per interaction both scored, the
    reviewer's own sheet and the other side's sheets. Gives the M-weighted agreement (as for
    a session) and the bias, the reviewer's interaction score minus the other side's mean
    (score points: positive means the reviewer scores more generously)."""
    if not pairs:
        return None, None
    # session_alignment's bias is its second side minus its first: the others minus own.
    result = session_alignment(criteria, [([own], others) for own, others in pairs])
    bias = result.bias
    return result.agreement, (None if bias is None else -bias)


def disagreements(
    criteria: Sequence[Criterion], item: ItemAlignment
) -> list[tuple[Criterion, CriterionAlignment]]:
    """The criteria of an interaction, largest disagreement first (the debrief's order)."""
    pairs = [(c, row) for c, row in zip(criteria, item.criteria, strict=True) if row.comparable]
    return sorted(pairs, key=lambda pair: (pair[1].agreement or ZERO, -pair[0].weight))


# KRIPPENDORFF'S ALPHA
# ------------------------------------------------------------------------------


def krippendorff_alpha(matrix: Sequence[Sequence[float | None]], level: Level) -> Decimal | None:
    """Alpha of a reviewers × units matrix (None: not scored). None when undefined: fewer
    than two paired values, or no variation at all."""
    import krippendorff
    import numpy as np

    data = np.array(
        [[math.nan if v is None else float(v) for v in row] for row in matrix], dtype=float
    )
    if data.size == 0:
        return None
    pairable = np.sum(np.sum(~np.isnan(data), axis=0) >= 2)
    values = data[~np.isnan(data)]
    if pairable == 0 or len(set(values.tolist())) < 2:
        return None
    # With no expected disagreement among the pairable values alpha is 0 / 0: undefined.
    with np.errstate(divide="ignore", invalid="ignore"):
        result = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    if math.isnan(result):
        return None
    return Decimal(str(round(result, 6)))


def alpha_by_scale(
    criteria: Sequence[Criterion],
    reviewer_sheets: Sequence[Sequence[Mapping[str, Answer] | None]],
) -> dict[Scale, Decimal | None]:
    """Alpha per scale used in the rubric; the units are (interaction, criterion) pairs and
    the values the raw scale values, at the scale's level of measurement."""
    result = {}
    for scale in Scale:
        keys = [c.key for c in criteria if c.scale is scale]
        if not keys:
            continue
        matrix = []
        for sheets in reviewer_sheets:
            row: list[float | None] = []
            for sheet in sheets:
                for key in keys:
                    answer = sheet.get(key) if sheet is not None else None
                    value = answer.value if answer is not None else None
                    row.append(float(value) if value is not None else None)
            matrix.append(row)
        result[scale] = krippendorff_alpha(matrix, scale.level)
    return result


def headline_alpha(
    criteria: Sequence[Criterion], per_scale: Mapping[Scale, Decimal | None]
) -> Decimal | None:
    """One alpha for the session: a rubric on one scale has its own; a mixed rubric the mean
    of its scales' alphas weighted by their number of criteria."""
    counts: dict[Scale, int] = defaultdict(int)
    for c in criteria:
        counts[c.scale] += 1
    known = [(scale, a) for scale, a in per_scale.items() if a is not None]
    if not known:
        return None
    weight = sum(counts[s] for s, _ in known)
    return sum((a * counts[s] for s, a in known), ZERO) / weight


# CADENCE
# ------------------------------------------------------------------------------


class Cadence(StrEnum):
    DEFAULT = "default"  # weekly in weeks 1-12, every two weeks in 13-26, monthly from 27
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


def _add_month(day: date) -> date:
    index = day.year * 12 + day.month  # the next month, 0-based month arithmetic
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def due_dates(go_live: date, until: date, cadence: Cadence = Cadence.DEFAULT) -> list[date]:
    """Calibration sessions due from go-live to `until` (docs/domain.md, "Cadence"):
    each is due on the last day of its interval."""
    dates: list[date] = []
    if cadence is Cadence.DEFAULT:
        day = go_live
        for _ in range(12):
            day += timedelta(days=7)
            dates.append(day)
        for _ in range(7):  # weeks 13-26
            day += timedelta(days=14)
            dates.append(day)
        while day <= until:
            day = _add_month(day)
            dates.append(day)
    else:
        day = go_live
        while day <= until:
            if cadence is Cadence.MONTHLY:
                day = _add_month(day)
            else:
                day += timedelta(days=7 if cadence is Cadence.WEEKLY else 14)
            dates.append(day)
    return [d for d in dates if d <= until]


def adherence(
    due: Sequence[date], held: Sequence[date | None], grace_days: int = 3
) -> Decimal | None:
    """Sessions held on time / sessions due: `held[i]` is when the session due on `due[i]`
    was revealed (None: not yet)."""
    if not due:
        return None
    on_time = sum(held_on_time(d, h, grace_days) for d, h in zip(due, held, strict=True))
    return Decimal(on_time) / Decimal(len(due))


def held_on_time(due: date, held: date | None, grace_days: int = 3) -> bool:
    """A session counts as held on time when revealed within `grace_days` of its due date."""
    return held is not None and held <= due + timedelta(days=grace_days)


# SAMPLING
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    key: int
    channel: str
    interaction_type: str
    csat: int | None


def draw(candidates: Sequence[Candidate], size: int, seed: int) -> list[int]:
    """A stratified random draw: every (channel, type) stratum in turn, largest first, one
    at a time, so that the mix follows the period's; at least one low-CSAT contact (1-2)
    when any exists. Deterministic for a seed."""
    if size < 1:
        raise ValueError("Draw at least one interaction.")
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: c.key):
        strata[(c.channel, c.interaction_type)].append(c)
    for members in strata.values():
        rng.shuffle(members)
    chosen: list[Candidate] = []
    low = [c for c in candidates if c.csat is not None and c.csat <= 2]
    if low:
        chosen.append(rng.choice(sorted(low, key=lambda c: c.key)))
    order = sorted(strata, key=lambda k: (-len(strata[k]), k))
    while len(chosen) < min(size, len(candidates)):
        progressed = False
        for key in order:
            pool = [c for c in strata[key] if c not in chosen]
            if pool and len(chosen) < size:
                chosen.append(pool[0])
                progressed = True
        if not progressed:
            break
    return [c.key for c in chosen]
