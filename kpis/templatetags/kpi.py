"""Showing KPI values as people read them: percentages, durations, scores."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import escape, json_script
from django.utils.safestring import mark_safe

from core.formatting import as_percent, percent_text, seconds_text
from kpis.domain import DEFINITIONS, Kpi, KpiValue, Unit, improved

register = template.Library()


def format_kpi(kpi: Kpi, value: Decimal | None) -> str:
    if value is None:
        return "–"
    unit = DEFINITIONS[kpi].unit
    if unit is Unit.PERCENT:
        return percent_text(value)
    if unit is Unit.SECONDS:
        return seconds_text(value)
    if unit is Unit.SCORE:
        return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):+}"
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def kpi(value: KpiValue | None) -> str:
    """A KPI value in its unit: 91.2 %, 245 s (times in seconds, as SLAs write them), +32,
    2.41."""
    if value is None:
        return "–"
    return format_kpi(value.kpi, value.value)


@register.filter
def kpi_interval(value: KpiValue | None) -> str:
    if value is None or value.low is None or value.high is None:
        return ""
    return f"{format_kpi(value.kpi, value.low)} – {format_kpi(value.kpi, value.high)}"


@register.filter
def kpi_delta(delta: Decimal | None, kpi_name: Kpi | str) -> str:
    """A change in the KPI's unit: percentage points for shares."""
    if delta is None:
        return ""
    kpi_ = Kpi(kpi_name)
    unit = DEFINITIONS[kpi_].unit
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    magnitude = abs(delta)
    if unit is Unit.PERCENT:
        return f"{sign}{as_percent(magnitude)} pp"
    if unit is Unit.SECONDS:
        return seconds_text(delta, signed=True)
    if unit is Unit.SCORE:
        return f"{sign}{magnitude.quantize(Decimal(1), rounding=ROUND_HALF_UP)}"
    return f"{sign}{magnitude.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@register.filter
def kpi_label(kpi_name: Kpi | str) -> str:
    return DEFINITIONS[Kpi(kpi_name)].label


@register.filter
def trend_class(improved: bool | None) -> str:
    return {True: "better", False: "worse"}.get(improved, "same")  # type: ignore[arg-type]


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag
def plotly_figure(element_id: str, figure: dict) -> str:
    """The figure as JSON in <script type="application/json" data-plotly="element_id">,
    which static/js/charts.js draws into the element with that id."""
    script = json_script(figure)
    return mark_safe(  # noqa: S308 - json_script escaped the data; the id is escaped here
        script.replace("<script ", f'<script data-plotly="{escape(element_id)}" ', 1)
    )


@register.filter
def weekly_deltas(row: object, kpi_name: str) -> tuple[object, object, object, object]:
    """(improved vs last week, change vs last week, improved vs 8 weeks, change vs 8 weeks)."""
    kpi_ = Kpi(kpi_name)
    _, against_last, against_average = row.cell(kpi_)  # type: ignore[attr-defined]
    return (
        improved(kpi_, against_last),
        against_last,
        improved(kpi_, against_average),
        against_average,
    )
