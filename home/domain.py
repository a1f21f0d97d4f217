"""Leading indicators, pure: a warning when QA score, calibration alignment or attrition
moves the wrong way while CSAT and FCR still look fine (docs/domain.md, "KPIs": leading
indicators move before lagging ones).

Values are fractions (0.884 is 88.4 %); None when nothing was measured. A leading
indicator "worsens" when it moves by at least its threshold between two quarters; the
lagging ones "still look fine" when neither CSAT nor FCR fell by a point or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from engagements.domain import DISCIPLINE_HEALTHY

# How far a leading indicator must move to count, in fractions: QA score and alignment
# falling 2 and 5 points, annualised attrition rising 5 points.
QA_DROP = Decimal("0.02")
ALIGNMENT_DROP = Decimal("0.05")
ATTRITION_RISE = Decimal("0.05")
# Lagging indicators "hold" while neither fell by a point or more.
LAGGING_DROP = Decimal("0.01")


@dataclass(frozen=True)
class Move:
    """One indicator in the previous quarter and this one."""

    before: Decimal | None
    now: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before


@dataclass(frozen=True)
class Indicators:
    qa: Move
    alignment: Move
    attrition: Move
    csat: Move
    fcr: Move


def _points(fraction: Decimal) -> str:
    return str((abs(fraction) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _pct(fraction: Decimal | None) -> str:
    assert fraction is not None
    return f"{(fraction * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def lagging_hold(indicators: Indicators) -> bool:
    """CSAT and FCR still look fine: neither fell by a point or more (an unmeasured one does
    not count against them)."""
    return all(
        move.change is None or move.change > -LAGGING_DROP
        for move in (indicators.csat, indicators.fcr)
    )


def early_warnings(indicators: Indicators) -> list[str]:
    """The leading indicators that worsened while the lagging ones held, in words."""
    if not lagging_hold(indicators):
        return []
    found = []
    checks = (
        ("QA score", indicators.qa, -QA_DROP, "fell"),
        ("Calibration alignment", indicators.alignment, -ALIGNMENT_DROP, "fell"),
        ("Agent attrition", indicators.attrition, ATTRITION_RISE, "rose"),
    )
    for name, move, threshold, verb in checks:
        change = move.change
        if change is None:
            continue
        worse = change <= threshold if threshold < 0 else change >= threshold
        if worse:
            found.append(
                f"{name} {verb} {_points(change)} points ({_pct(move.before)} → "
                f"{_pct(move.now)}) while CSAT and FCR held: quality usually follows."
            )
    return found


# THE SEVEN-LAYER HEALTH CHECK
# ------------------------------------------------------------------------------
# docs/domain.md, "The seven-layer health check". Keel scores a layer from its own data
# where it can; where it cannot (or has no data yet), the program manager scores it, with the
# evidence beside the score.

SCOPE_HEALTHY = DISCIPLINE_HEALTHY  # 95 %, as the scope page says
PILOT_DAYS = (60, 90)
CADENCE_HEALTHY = Decimal("0.90")
GOVERNANCE_FTE = (Decimal(1), Decimal(2))
# Per-agent visibility, reviewed monthly: over the last 30 days the buyer's people opened the
# scorecards of at least a tenth of the partner's active agents (a bottom decile's worth).
PER_AGENT_DAYS = 30
PER_AGENT_HEALTHY = Decimal("0.10")

LAYERS = (
    ("scope", "Scope", "the partner does exactly what the statement of work says"),
    ("sla_design", "SLA design", "quality KPIs carry bands with consequences"),
    ("pilot", "Pilot discipline", "a pilot of 60-90 days on a tight scope before scaling"),
    ("calibration", "Calibration cadence", "calibration sessions held as the cadence asks"),
    ("program", "Program management", "1-2 buyer FTEs govern the partner"),
    ("per_agent", "Per-agent visibility", "the buyer reviews per-agent QA, CSAT and AHT"),
    ("review", "Quarterly review", "the previous QBR's actions were carried out"),
)


@dataclass(frozen=True)
class Manual:
    """The program manager's score of a layer, and the evidence for it."""

    healthy: bool
    evidence: str


@dataclass(frozen=True)
class HealthInputs:
    scope_discipline: Decimal | None = None  # share of the quarter's contacts in scope
    unbanded: tuple[str, ...] | None = None  # quality KPIs without bands; None: no contract
    pilot_days: int | None = None
    pilot_tight: bool | None = None
    cadence_adherence: Decimal | None = None  # cadence sessions held on time / due
    governance_fte: Decimal | None = None
    previous_items: tuple[int, int] | None = None  # (carried out or dropped, all)
    # (agents whose scorecard the buyer's people opened in the last 30 days, active agents)
    per_agent: tuple[int, int] | None = None
    manual: dict[str, Manual] | None = None


@dataclass(frozen=True)
class Layer:
    key: str
    name: str
    check: str
    healthy: bool | None  # None: not scored yet
    evidence: str
    by: str  # "Keel" or "program manager"


def _scored(inputs: HealthInputs, key: str) -> tuple[bool | None, str]:
    """Keel's own score of a layer and its evidence; (None, why) when Keel cannot tell."""
    if key == "scope":
        if inputs.scope_discipline is None:
            return None, "no contacts with a scope to compare in the quarter"
        share = _pct(inputs.scope_discipline)
        return inputs.scope_discipline >= SCOPE_HEALTHY, f"scope discipline {share} (95 % or more)"
    if key == "sla_design":
        if inputs.unbanded is None:
            return None, "no contract governs quality yet"
        if inputs.unbanded:
            return False, "not banded: " + ", ".join(inputs.unbanded)
        return True, "CSAT and FCR are banded on every channel the contract prices"
    if key == "pilot":
        if inputs.pilot_days is None:
            return None, "no pilot recorded in the engagement's stages"
        low, high = PILOT_DAYS
        tight = (
            "on a tight scope" if inputs.pilot_tight else "wider than one channel, type and shift"
        )
        ok = low <= inputs.pilot_days <= high and bool(inputs.pilot_tight)
        return ok, f"the pilot ran {inputs.pilot_days} days, {tight}"
    if key == "calibration":
        if inputs.cadence_adherence is None:
            return None, "no cadence session fell due in the quarter"
        return (inputs.cadence_adherence >= CADENCE_HEALTHY,
                f"{_pct(inputs.cadence_adherence)} of cadence sessions held on time")  # fmt: skip
    if key == "program":
        if inputs.governance_fte is None:
            return None, "no governance FTEs entered in the scope"
        low_fte, high_fte = GOVERNANCE_FTE
        return (low_fte <= inputs.governance_fte <= high_fte,
                f"{inputs.governance_fte.normalize():f} FTE govern the partner")  # fmt: skip
    if key == "per_agent":
        if inputs.per_agent is None or inputs.per_agent[0] == 0 or inputs.per_agent[1] == 0:
            return None, (
                f"no agent's scorecard opened in Keel by the buyer's people in the last "
                f"{PER_AGENT_DAYS} days: the program manager scores it"
            )
        opened, active = inputs.per_agent
        seen = Decimal(opened) / Decimal(active)
        return seen >= PER_AGENT_HEALTHY, (
            f"the buyer's people opened {opened} of {active} active agents' scorecards in the "
            f"last {PER_AGENT_DAYS} days ({_pct(seen)}; a tenth or more)"
        )
    if key == "review":
        if not inputs.previous_items or inputs.previous_items[1] == 0:
            return None, "the previous quarter's review agreed no action"
        closed, total = inputs.previous_items
        return closed == total, f"{closed} of {total} of the previous QBR's actions closed"
    return None, "Keel has no data for this layer: the program manager scores it"


def health_check(inputs: HealthInputs) -> list[Layer]:
    """Each layer, scored by Keel where its data tells, else by the program manager's
    score when there is one."""
    manual = inputs.manual or {}
    layers = []
    for key, name, check in LAYERS:
        healthy, evidence = _scored(inputs, key)
        by = "Keel"
        if healthy is None and key in manual:
            healthy, evidence, by = manual[key].healthy, manual[key].evidence, "program manager"
        layers.append(Layer(key, name, check, healthy, evidence, by))
    return layers
