"""Calibration's numbers and answers as people read them. Percentages come from
`core.formatting.percent_text`, the one definition of that format."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from calibration import domain
from calibration.models import RubricCriterion
from core.formatting import signed

__all__ = ["answer_text", "plain", "scale_text", "signed"]


def plain(value: Decimal | None) -> str:
    """A scale value, a weight or a mean as people read it: 4, 3.5, 37.25; None → '–'."""
    if value is None:
        return "–"
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


def scale_text(scale: str, value: Decimal | None) -> str:
    """A value as its scale reads: Yes / No on yes / no criteria, the number otherwise."""
    if value is not None and scale == domain.Scale.YES_NO and value in (0, 1):
        return "Yes" if value == 1 else "No"
    return plain(value)


def answer_text(criterion: RubricCriterion, value: Decimal | None) -> str:
    """One answer of a QA evaluation or a dispute: 'yes', '4', '85', 'N/A'."""
    if value is None:
        return "N/A"
    if criterion.scale == domain.Scale.YES_NO:
        return "yes" if value else "no"
    return plain(value)
