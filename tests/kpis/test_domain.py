from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import as_percent
from partners.domain import AttritionHealth, attrition, attrition_health


def test_attrition_is_leavers_over_average_headcount_annualised():
    # 12 leavers, headcount 90 at the start and 110 at the end of a 182-day half-year:
    # 12 / 100 = 12 % over the period, 12 % * 365 / 182 = 24.07 % a year.
    result = attrition(leavers=12, headcount_start=90, headcount_end=110, period_days=182)
    assert result.average_headcount == Decimal(100)
    assert result.rate == Decimal("0.12")
    assert as_percent(result.annualised, 2) == Decimal("24.07")
    assert result.health is AttritionHealth.GOOD


def test_attrition_over_a_full_year_is_not_rescaled():
    result = attrition(leavers=40, headcount_start=100, headcount_end=100, period_days=365)
    assert result.annualised == Decimal("0.4")
    assert result.health is AttritionHealth.TYPICAL


def test_attrition_without_headcount_is_undefined_not_zero():
    result = attrition(leavers=0, headcount_start=0, headcount_end=0, period_days=30)
    assert result.rate is None
    assert result.annualised is None
    assert result.health is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"leavers": -1, "headcount_start": 1, "headcount_end": 1, "period_days": 1}, "negative"),
        ({"leavers": 1, "headcount_start": 1, "headcount_end": 1, "period_days": 0}, "one day"),
    ],
)
def test_attrition_refuses_impossible_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        attrition(**kwargs)


@pytest.mark.parametrize(
    ("annualised", "health"),
    [
        ("0", AttritionHealth.GOOD),
        ("0.2999", AttritionHealth.GOOD),
        ("0.30", AttritionHealth.TYPICAL),
        ("0.50", AttritionHealth.TYPICAL),
        ("0.5001", AttritionHealth.HIGH),
        ("0.60", AttritionHealth.HIGH),
        ("0.6001", AttritionHealth.DRIFT),
        ("2", AttritionHealth.DRIFT),
    ],
)
def test_attrition_health_bands_follow_the_domain_brief(annualised, health):
    assert attrition_health(Decimal(annualised)) is health


ORDER = list(AttritionHealth)


@given(
    a=st.decimals(min_value=0, max_value=5, places=4),
    b=st.decimals(min_value=0, max_value=5, places=4),
)
def test_more_attrition_never_lands_in_a_healthier_band(a, b):
    low, high = sorted([a, b])
    assert ORDER.index(attrition_health(low)) <= ORDER.index(attrition_health(high))


@given(
    leavers=st.integers(0, 500),
    start=st.integers(1, 1000),
    end=st.integers(1, 1000),
    days=st.integers(1, 366),
)
def test_annualised_attrition_scales_the_period_rate_to_a_year(leavers, start, end, days):
    result = attrition(leavers=leavers, headcount_start=start, headcount_end=end, period_days=days)
    assert result.rate is not None
    assert result.annualised is not None
    assert result.rate >= 0
    assert result.annualised * days == pytest.approx(result.rate * 365)


def test_percent_rounds_half_up():
    assert as_percent(Decimal("0.12345"), 2) == Decimal("12.35")
    assert as_percent(None) is None
