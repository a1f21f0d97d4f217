"""KPI formulas from counts (kpis.domain): hand-computed values and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.domain import (
    COUNT_FIELDS,
    Counts,
    Kpi,
    KpiValue,
    bottom_decile,
    change,
    improved,
    kpi_values,
    nps,
    pool_over_time,
    total,
    wilson_interval,
)


def q(value: Decimal | None, places: str = "0.0001") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


def test_wilson_interval_matches_the_textbook_value():
    # 8 successes out of 10 at 95 %: [0.4902, 0.9433] (Wilson 1927; Newcombe 1998, table I).
    low, high = wilson_interval(8, 10)
    assert (q(low), q(high)) == (Decimal("0.4902"), Decimal("0.9433"))


def test_wilson_interval_at_the_edges_stays_within_zero_and_one():
    low, high = wilson_interval(0, 20)
    assert low == 0
    assert q(high) == Decimal("0.1611")
    low, high = wilson_interval(20, 20)
    assert high == 1
    assert q(low) == Decimal("0.8389")


@pytest.mark.parametrize(("yes", "n"), [(-1, 5), (6, 5), (0, 0)])
def test_wilson_interval_refuses_impossible_counts(yes, n):
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by case
        wilson_interval(yes, n)


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_interval_contains_the_observed_share(n, data):
    yes = data.draw(st.integers(0, n))
    low, high = wilson_interval(yes, n)
    share = Decimal(yes) / n
    assert Decimal(0) <= low <= share <= high <= Decimal(1)


@given(n=st.integers(1, 2000), data=st.data())
def test_more_observations_never_widen_the_interval_at_the_same_share(n, data):
    yes = data.draw(st.integers(0, n))
    low1, high1 = wilson_interval(yes, n)
    low2, high2 = wilson_interval(yes * 4, n * 4)
    assert high2 - low2 <= high1 - low1


HAND_COUNTS = Counts(
    contacts=200,
    fcr_n=180,
    fcr_yes=135,
    reopen_n=200,
    reopen_yes=14,
    escalation_n=200,
    escalation_yes=24,
    escalation_l1_n=20,
    escalation_l1_yes=13,
    sla_n=190,
    sla_yes=180,
    csat_n=50,
    csat_positive=43,
    nps_n=40,
    nps_promoters=22,
    nps_detractors=6,
    ces_n=25,
    ces_sum=70,
    handle_n=200,
    handle_seconds=96_000,
    frt_n=150,
    frt_seconds=9_000,
    headcount_start=40,
    headcount_end=38,
    leavers=3,
)


def test_every_kpi_of_a_hand_computed_example():
    values = kpi_values(HAND_COUNTS, period_days=30)
    assert values[Kpi.CSAT].value == Decimal("0.86")  # 43 / 50
    assert values[Kpi.CSAT].sample == 50
    assert values[Kpi.FCR].value == Decimal("0.75")  # 135 / 180
    assert values[Kpi.AHT].value == Decimal(480)  # 96,000 s / 200
    assert values[Kpi.FRT].value == Decimal(60)  # 9,000 s / 150
    assert q(values[Kpi.SLA].value) == Decimal("0.9474")  # 180 / 190
    assert values[Kpi.ESCALATION].value == Decimal("0.12")  # 24 / 200
    assert values[Kpi.ESCALATION_L1].value == Decimal("0.65")  # 13 / 20
    assert values[Kpi.REOPEN].value == Decimal("0.07")  # 14 / 200
    assert values[Kpi.NPS].value == Decimal(40)  # 55 % promoters - 15 % detractors
    assert values[Kpi.CES].value == Decimal("2.8")  # 70 / 25
    # 3 leavers / average headcount 39 = 7.69 %, * 365 / 30 = 93.59 % a year.
    assert q(values[Kpi.ATTRITION].value) == Decimal("0.9359")
    # Rates carry their Wilson interval, means do not.
    assert (q(values[Kpi.CSAT].low), q(values[Kpi.CSAT].high)) == (
        Decimal("0.7381"),
        Decimal("0.9305"),
    )
    assert values[Kpi.AHT].low is None


def test_nothing_measured_gives_no_value_and_no_sample():
    values = kpi_values(Counts(contacts=10), period_days=7)
    assert values[Kpi.CSAT] == KpiValue(Kpi.CSAT, None, 0)
    assert values[Kpi.ATTRITION].value is None


def test_nps_interval_from_the_trinomial_variance():
    value = nps(22, 6, 40)
    assert value.value == Decimal(40)
    # sd = sqrt((0.55 + 0.15 - 0.4^2) / 40) = 0.1162; 1.96 sd = 22.8 points
    assert q(value.low, "0.1") == Decimal("17.2")
    assert q(value.high, "0.1") == Decimal("62.8")


def test_counts_add_field_by_field():
    assert (HAND_COUNTS + HAND_COUNTS).csat_positive == 86
    assert total([HAND_COUNTS, Counts(contacts=1)]).contacts == 201
    assert set(COUNT_FIELDS) >= {"contacts", "leavers", "headcount_start"}


def test_pooling_periods_adds_contacts_but_takes_headcount_from_the_ends():
    first = Counts(contacts=10, leavers=1, headcount_start=20, headcount_end=19)
    second = Counts(contacts=5, leavers=2, headcount_start=19, headcount_end=18)
    pooled = pool_over_time([first, second])
    assert (pooled.contacts, pooled.leavers) == (15, 3)
    assert (pooled.headcount_start, pooled.headcount_end) == (20, 18)
    assert pool_over_time([]) == Counts()


@pytest.mark.parametrize(
    ("kpi", "delta", "better"),
    [
        (Kpi.CSAT, Decimal("0.01"), True),
        (Kpi.CSAT, Decimal("-0.01"), False),
        (Kpi.AHT, Decimal(10), False),
        (Kpi.ESCALATION, Decimal("-0.02"), True),
        (Kpi.FCR, Decimal(0), None),
        (Kpi.FCR, None, None),
    ],
)
def test_a_change_is_better_or_worse_by_the_kpis_direction(kpi, delta, better):
    assert improved(kpi, delta) is better


def test_change_needs_both_values():
    assert change(KpiValue(Kpi.CSAT, Decimal("0.9"), 40), KpiValue(Kpi.CSAT, None, 0)) is None


def test_breaches_use_the_domain_thresholds_and_direction():
    assert KpiValue(Kpi.CSAT, Decimal("0.84"), 100).breaches()
    assert not KpiValue(Kpi.CSAT, Decimal("0.85"), 100).breaches()
    assert KpiValue(Kpi.ESCALATION, Decimal("0.16"), 100).breaches()
    assert not KpiValue(Kpi.AHT, Decimal(9999), 100).breaches()  # a guardrail: no threshold


def test_bottom_decile_takes_the_worst_tenth_of_agents_with_enough_data():
    values = {i: KpiValue(Kpi.CSAT, Decimal(i) / 100, 40) for i in range(70, 90)}
    values[99] = KpiValue(Kpi.CSAT, Decimal("0.10"), 5)  # too few answers to judge
    assert bottom_decile(values, min_sample=30) == {70, 71}


def test_bottom_decile_of_a_lower_is_better_kpi_takes_the_highest():
    values = {i: KpiValue(Kpi.AHT, Decimal(i), 100) for i in range(10)}
    assert bottom_decile(values, min_sample=30) == {9}


def test_no_decile_among_fewer_than_ten_agents():
    values = {i: KpiValue(Kpi.CSAT, Decimal(i), 100) for i in range(9)}
    assert bottom_decile(values, min_sample=30) == set()


@given(st.lists(st.integers(0, 1000), min_size=10, max_size=60))
def test_bottom_decile_members_are_never_better_than_non_members(scores):
    values = {i: KpiValue(Kpi.CSAT, Decimal(s), 100) for i, s in enumerate(scores)}
    worst = bottom_decile(values, min_sample=30)
    assert worst
    assert max(values[i].value for i in worst) <= min(
        (v.value for k, v in values.items() if k not in worst), default=Decimal(10**9)
    )
