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
