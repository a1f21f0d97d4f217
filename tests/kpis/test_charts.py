"""KPI figures and units: a trend draws the SLA's bands behind the line with their thresholds,
every chart has a title and axis titles with units, and a time KPI reads in seconds on every
page, the unit SLAs write their bounds in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import charts as kit
from core.formatting import seconds_text
from kpis import charts
from kpis.domain import Kpi, KpiValue, Unit
from kpis.periods import Period, PeriodType
from kpis.sources import KpiBand
from kpis.templatetags.kpi import format_kpi, kpi_delta, kpi_interval

MONTHS = Period(PeriodType.MONTH, date(2026, 10, 1)).last(3)
CSAT_BANDS = (
    KpiBand("Penalty", "penalty", None, Decimal(75)),
    KpiBand("Remediation", "remediation", Decimal(75), Decimal(82)),
    KpiBand("Base", "base", Decimal(82), Decimal(88)),
    KpiBand("Bonus", "bonus", Decimal(88), None),
)


def csat_series(*shares: str) -> tuple[tuple[Period, KpiValue], ...]:
    width = Decimal("0.05")
    return tuple(
        (p, KpiValue(Kpi.CSAT, Decimal(s), 100, Decimal(s) - width, Decimal(s) + width))
        for p, s in zip(MONTHS, shares, strict=True)
    )


def test_a_trend_draws_each_band_as_a_shaded_region_behind_the_data():
    figure = charts.trend(Kpi.CSAT, csat_series("0.80", "0.84", "0.90"), "CSAT · Chat", CSAT_BANDS)
    layout = figure["layout"]
    rects = [s for s in layout["shapes"] if s["type"] == "rect"]
    assert [r["name"] for r in rects] == [
        "Penalty < 75 %", "Remediation ≥ 75 %", "Base ≥ 82 %", "Bonus ≥ 88 %",
    ]  # fmt: skip
    assert all(r["yref"] == "y" and r["xref"] == "paper" and r["layer"] == "below" for r in rects)
    assert all(r["opacity"] < 0.2 for r in rects)
    assert [r["fillcolor"] for r in rects] == ["#b3261e", "#a86800", "#5d6b7a", "#186a40"]
    base = rects[2]
    assert (base["y0"], base["y1"]) == (82.0, 88.0)
    # the open bands stop at the axis range, which shows every value and threshold
    low, high = layout["yaxis"]["range"]
    assert rects[0]["y0"] == low < 75
    assert rects[-1]["y1"] == high > 95
    notes = {n["text"]: n["y"] for n in layout["annotations"]}
    assert notes == {
        "Penalty < 75 %": 75.0, "Remediation ≥ 75 %": 75.0, "Base ≥ 82 %": 82.0,
        "Bonus ≥ 88 %": 88.0,
    }  # fmt: skip
    # the KPI's own threshold line gives way to the SLA's bands
    assert not [s for s in layout["shapes"] if s["type"] == "line"]
    assert figure["description"] == (
        "SLA bands: Bonus ≥ 88 %; Base ≥ 82 %; Remediation ≥ 75 %; Penalty < 75 %."
    )


def test_a_lower_is_better_kpi_labels_its_bands_by_their_ceilings_in_seconds():
    bands = (
        KpiBand("Base", "base", None, Decimal(600)),
        KpiBand("review", "custom", Decimal(600), None),
    )
    series = tuple(
        (p, KpiValue(Kpi.AHT, Decimal(s), 50))
        for p, s in zip(MONTHS, ("420", "515.4", "640"), strict=True)
    )
    figure = charts.trend(Kpi.AHT, series, "AHT · Chat", bands)
    assert [n["text"] for n in figure["layout"]["annotations"]] == [
        "Base ≤ 600 s",
        "review > 600 s",
    ]
    assert figure["data"][-1]["y"] == [420.0, 515.4, 640.0]  # seconds, not minutes
    assert figure["layout"]["yaxis"]["title"]["text"] == "seconds"


def test_without_an_sla_the_kpis_own_threshold_is_a_dashed_line():
    figure = charts.trend(Kpi.CSAT, csat_series("0.80", "0.84", "0.90"), "CSAT · Chat")
    (line,) = figure["layout"]["shapes"]
    assert line["type"] == "line"
    assert line["y0"] == 85.0
    assert "annotations" not in figure["layout"]
    assert figure["description"] == "Dashed line: the KPI's threshold, 85 %."


def test_every_trend_has_a_title_and_axis_titles_with_units():
    layout = charts.trend(Kpi.CSAT, csat_series("0.80", "0.84", "0.90"), "CSAT · Chat")["layout"]
    assert layout["title"]["text"] == "CSAT · Chat"
    assert layout["xaxis"]["title"]["text"] == "Period"
    assert layout["yaxis"]["title"]["text"] == "%"


def test_a_band_wholly_outside_the_range_is_not_drawn():
    region = kit.BandRegion("bonus", 200.0, None, "Bonus ≥ 200", 200.0)
    shapes, notes = kit.band_regions([region], (0.0, 100.0))
    assert shapes == []
    assert notes == []


def test_value_range_pads_the_values_and_survives_one_value_or_none():
    assert kit.value_range([10.0, 20.0, None]) == (9.0, 21.0)
    assert kit.value_range([50.0]) == (45.0, 55.0)
    assert kit.value_range([None]) == (0.0, 1.0)


# UNITS: ONE PER KPI ACROSS PAGES
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "signed", "text"),
    [
        ("245.4", False, "245 s"),
        ("245.5", False, "246 s"),
        ("14400", False, "14,400 s"),
        ("12", True, "+12 s"),
        ("-12.6", True, "−13 s"),
        ("0.2", True, "±0 s"),
        (None, False, "–"),
    ],
)
def test_seconds_read_as_whole_seconds(seconds, signed, text):
    assert seconds_text(None if seconds is None else Decimal(seconds), signed=signed) == text


def test_time_kpis_read_in_seconds_on_scorecards_charts_and_sla_pages():
    from sla.domain import format_value, governable

    value = Decimal("412.3")
    assert format_kpi(Kpi.AHT, value) == "412 s"
    assert format_kpi(Kpi.FRT, Decimal(3725)) == "3,725 s"
    assert format_value(governable("aht"), value) == "412 s"  # the SLA's own wording
    assert kpi_delta(Decimal("-30"), "aht") == "−30 s"
    interval = KpiValue(Kpi.AHT, value, 40, Decimal(400), Decimal("424.6"))
    assert kpi_interval(interval) == "400 s – 425 s"
    assert charts.display_number(Kpi.AHT, value) == 412.3
    assert charts.axis_title(Kpi.AHT) == "seconds"
    from sla.charts import AXIS_TITLE

    assert AXIS_TITLE[Unit.SECONDS] == "seconds"
