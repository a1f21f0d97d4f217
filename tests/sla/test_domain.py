"""SLA rules without a database: band layouts, evaluation, projection and money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kpis.domain import Kpi, KpiValue
from sla import domain
from sla.domain import Band, BandKind, Decision

D = Decimal
CSAT = domain.governable("csat")
AHT = domain.governable("aht")
ESCALATION = domain.governable("escalation")
CSAT_BANDS = list(domain.TEMPLATES["csat"].bands)


def csat(value: str, n: int = 1000, low: str | None = None, high: str | None = None) -> KpiValue:
    return KpiValue(Kpi.CSAT, D(value), n, D(low) if low else None, D(high) if high else None)


# TEMPLATES
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(domain.TEMPLATES))
def test_every_template_is_a_sound_layout(key):
    template = domain.TEMPLATES[key]
    kpi = domain.governable(template.kpi)
    assert domain.band_layout_problems(template.bands, kpi) == []
    if template.guardrail:
        assert domain.guardrail_problems(template.bands, kpi) == []


def test_the_csat_template_is_the_domain_example():
    assert [(b.kind, b.lower, b.upper) for b in CSAT_BANDS] == [
        (BandKind.PENALTY, None, D(75)),
        (BandKind.REMEDIATION, D(75), D(82)),
        (BandKind.BASE, D(82), D(88)),
        (BandKind.BONUS, D(88), None),
    ]
    assert CSAT_BANDS[0].credit_pct == D(10)
    assert CSAT_BANDS[0].opens_remediation
    assert CSAT_BANDS[3].bonus_pct == D(5)


# REJECTED LAYOUTS: every one, with the message that names it
# ------------------------------------------------------------------------------


def b(kind, lower, upper, **kw) -> Band:
    return Band(
        BandKind(kind),
        D(lower) if lower is not None else None,
        D(upper) if upper is not None else None,
        **kw,
    )


REJECTED = {
    "no bands": ([], "Add at least one band"),
    "gap": (
        [b("penalty", None, "75"), b("remediation", "75", "80"), b("base", "82", None)],
        "Gap between 'remediation' (up to 80%) and 'base' (from 82%): values from 80% to 82% "
        "fall in no band.",
    ),
    "overlap": (
        [b("penalty", None, "75"), b("remediation", "75", "84"), b("base", "82", None)],
        "Bands 'remediation' (75-84%) and 'base' (82% and above) overlap from 82% to 84%.",
    ),
    "lowest band has a lower bound": (
        [b("remediation", "60", "82"), b("base", "82", None)],
        "Values below 60% fall in no band",
    ),
    "highest band has an upper bound": (
        [b("penalty", None, "82"), b("base", "82", "99")],
        "Values of 99% and above fall in no band",
    ),
    "two bands without a lower bound": (
        [b("penalty", None, "75"), b("base", None, None)],
        "overlap",
    ),
    "bounds the wrong way round": (
        [b("penalty", None, "75"), b("base", "90", "80"), b("bonus", "80", None)],
        "Band 'base': its lower bound 90% must be below its upper bound 80%.",
    ),
    "credit above 100%": (
        [b("penalty", None, "75", credit_pct=D(120)), b("base", "75", None)],
        "Band 'penalty': the credit must be between 0 and 100% of the invoice.",
    ),
    "negative bonus": (
        [b("base", None, "88"), b("bonus", "88", None, bonus_pct=D(-5))],
        "the bonus must be between 0 and 100%",
    ),
    "bonus and credit in one band": (
        [b("penalty", None, "75", credit_pct=D(5), bonus_pct=D(5)), b("base", "75", None)],
        "a band pays a bonus or takes a credit, not both",
    ),
    "minimum sample below 1": (
        [b("penalty", None, "75", min_sample=0), b("base", "75", None)],
        "the minimum sample must be at least 1",
    ),
    "better value, bigger credit": (
        [b("base", None, "75"), b("penalty", "75", None, credit_pct=D(10))],
        "Band 'penalty' (75% and above) is for higher, better CSAT values than 'base' "
        "(below 75%) but carries a larger credit",
    ),
    "bonus below base": (
        [b("bonus", None, "82", bonus_pct=D(5)), b("base", "82", None)],
        "carries a smaller bonus",
    ),
    "better value opens a plan": (
        [b("base", None, "82"), b("remediation", "82", None, opens_remediation=True)],
        "carries a remediation plan",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_a_rejected_layout_names_its_problem(case):
    bands, message = REJECTED[case]
    problems = domain.band_layout_problems(bands, CSAT)
    assert problems, case
    assert any(message in p for p in problems), problems


def test_for_lower_is_better_kpis_the_lowest_values_are_the_best():
    sound = [b("base", None, "10"), b("remediation", "10", "15", opens_remediation=True),
             b("penalty", "15", None, credit_pct=D(5), opens_remediation=True)]  # fmt: skip
    assert domain.band_layout_problems(sound, ESCALATION) == []
    upside_down = [b("penalty", None, "10", credit_pct=D(5)), b("base", "10", None)]
    problems = domain.band_layout_problems(upside_down, ESCALATION)
    assert "is for lower, better Escalation rate values than 'base'" in problems[0]


def test_a_guardrail_carries_no_money_and_a_credit_on_aht_is_a_warning():
    bands = [b("base", None, "600"), b("penalty", "600", None, credit_pct=D(5))]
    assert domain.band_layout_problems(bands, AHT) == []
    assert (
        "is a guardrail here, so it carries no bonus or credit"
        in (domain.guardrail_problems(bands, AHT)[0])
    )
    warning = domain.band_warnings(bands, AHT, guardrail=False)
    assert "rewards fast, unresolved contacts" in warning[0]
    assert domain.band_warnings(CSAT_BANDS, CSAT, guardrail=False) == []


# PROPERTIES OF SOUND LAYOUTS
# ------------------------------------------------------------------------------

cuts = st.lists(
    st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=5, unique=True
).map(sorted)
values = st.decimals(min_value=-10, max_value=110, places=3)


def layout(bounds: list[Decimal], higher_better: bool = True) -> list[Band]:
    """Bands between sorted cut points, with consequences improving with the value."""
    edges = [None, *bounds, None]
    count = len(edges) - 1
    bands = []
    for i in range(count):
        rank = i if higher_better else count - 1 - i  # 0 = worst
        bands.append(
            Band(
                BandKind.CUSTOM, edges[i], edges[i + 1],
                credit_pct=D(max(0, 3 - rank) * 5), opens_remediation=rank < 2,
                label=f"band {i}",
            )
        )  # fmt: skip
    return bands


@given(cuts, values)
def test_every_value_falls_in_exactly_one_band(bounds, value):
    bands = layout(bounds)
    assert domain.band_layout_problems(bands, CSAT) == []
    assert sum(band.contains(value) for band in bands) == 1


@given(cuts, values, values, st.booleans())
def test_a_better_value_never_lands_in_a_worse_band(bounds, a, c, higher_better):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    assert domain.band_layout_problems(bands, kpi) == []
    worse, better = sorted([a, c]) if higher_better else sorted([a, c], reverse=True)
    worse_band = bands[domain.band_index(worse, bands)]
    better_band = bands[domain.band_index(better, bands)]
    assert better_band.credit_pct <= worse_band.credit_pct
    assert better_band.bonus_pct >= worse_band.bonus_pct
    assert not (better_band.opens_remediation and not worse_band.opens_remediation)


# EVALUATION
# ------------------------------------------------------------------------------


def test_the_point_value_decides_the_band_lower_bound_inclusive():
    assert domain.evaluate(CSAT, csat("0.88"), CSAT_BANDS).band.kind is BandKind.BONUS
    assert domain.evaluate(CSAT, csat("0.8799"), CSAT_BANDS).band.kind is BandKind.BASE
    assert domain.evaluate(CSAT, csat("0.749"), CSAT_BANDS).band.kind is BandKind.PENALTY


def test_too_small_a_sample_is_not_decided():
    result = domain.evaluate(CSAT, csat("0.70", n=12), CSAT_BANDS)
    assert result.decision is Decision.INSUFFICIENT
    assert result.decided_band is None
    assert domain.describe(result, "Social") == (
        "CSAT social 70.0% (n=12) would be in below 75% penalty, but penalty needs n≥30: "
        "insufficient data"
    )


def test_no_value_is_no_data():
    assert domain.evaluate(CSAT, None, CSAT_BANDS).decision is Decision.NO_DATA
    assert domain.evaluate(CSAT, KpiValue(Kpi.CSAT, None, 0), CSAT_BANDS).band is None


def test_an_interval_straddling_a_boundary_is_at_risk_but_the_point_decides():
    result = domain.evaluate(CSAT, csat("0.83", low="0.81", high="0.85"), CSAT_BANDS)
    assert result.band.kind is BandKind.BASE
    assert result.at_risk
    assert not domain.evaluate(CSAT, csat("0.85", low="0.83", high="0.87"), CSAT_BANDS).at_risk


# PROJECTION
# ------------------------------------------------------------------------------


def test_the_projection_keeps_the_point_and_shrinks_the_interval_by_the_share_known():
    so_far = csat("0.80", n=300, low="0.70", high="0.90")
    projected = domain.project(so_far, days_elapsed=10, days_in_period=30)
    assert projected.value == D("0.80")
    assert projected.sample == 900
    third = D(10) / D(30)
    assert projected.low == third * D("0.80") + (1 - third) * D("0.70")
    assert projected.high == third * D("0.80") + (1 - third) * D("0.90")
    assert domain.project(so_far, days_elapsed=30, days_in_period=30) == so_far


def test_heading_warns_of_penalty_and_remediation():
    projected = domain.evaluate(CSAT, csat("0.74"), CSAT_BANDS)
    assert domain.heading(projected) is domain.Heading.PENALTY
    assert domain.heading(domain.evaluate(CSAT, csat("0.80"), CSAT_BANDS)) is (
        domain.Heading.REMEDIATION
    )
    assert domain.heading(domain.evaluate(CSAT, csat("0.85"), CSAT_BANDS)) is domain.Heading.NONE


# MONEY
# ------------------------------------------------------------------------------


def test_money_rounds_half_up_to_the_currency_minor_unit():
    assert domain.round_money(D("0.125"), 2) == D("0.13")
    assert domain.round_money(D("0.124999"), 2) == D("0.12")
    assert domain.round_money(D("2.5"), 0) == D("3")
    assert domain.round_money(D("1.0005"), 3) == D("1.001")


PRICING = {
    "per hour": (domain.Pricing(domain.PricingModel.PER_HOUR, D("18.50")), D("9250.00")),
    "per FTE": (domain.Pricing(domain.PricingModel.PER_FTE, D("2400")), D("7200.00")),
    "per contact": (domain.Pricing(domain.PricingModel.PER_CONTACT, D("3.85")), D("4620.00")),
    "per resolved": (domain.Pricing(domain.PricingModel.PER_RESOLVED, D("5")), D("4500.00")),
    "outcome": (domain.Pricing(domain.PricingModel.OUTCOME, D("15000")), D("15000.00")),
    "hybrid": (
        domain.Pricing(
            domain.PricingModel.HYBRID, D("2.10"), domain.PricingModel.PER_CONTACT, D("0.60")
        ),
        D("3060.00"),
    ),
}


@pytest.mark.parametrize("model", list(PRICING))
def test_the_channel_invoice_follows_the_pricing_model(model):
    pricing, expected = PRICING[model]
    volumes = domain.Volumes(hours=D(500), fte=D(3), contacts=1200, resolved=900)
    invoice = domain.channel_invoice(pricing, volumes, currency="USD", minor_digits=2)
    assert invoice.amount == expected
    assert invoice.missing == ""


def test_an_hourly_invoice_without_hours_says_what_is_missing():
    pricing = domain.Pricing(domain.PricingModel.PER_HOUR, D("18.50"))
    invoice = domain.channel_invoice(
        pricing, domain.Volumes(contacts=10), currency="USD", minor_digits=2
    )
    assert invoice.amount == 0
    assert invoice.missing == "agent hours"


def test_the_loaded_rate_adds_the_components():
    assert domain.loaded_rate(D("20"), {"WFM": D(5), "QA": D("7.5")}) == D("22.5")


amounts = st.decimals(min_value=0, max_value=10_000_000, places=2)
pcts = st.decimals(min_value=0, max_value=30, places=2)


@given(
    st.lists(st.tuples(amounts, pcts, st.booleans()), min_size=1, max_size=6),
    pcts,
    pcts,
    st.sampled_from([0, 2, 3]),
)
def test_credits_never_exceed_the_cap_and_every_amount_is_rounded_once(
    channels, credit_cap, bonus_cap, digits
):
    invoices, items = {}, []
    for i, (amount, pct, is_credit) in enumerate(channels):
        name = f"c{i}"
        invoices[name] = domain.Invoice(domain.round_money(amount, digits), "")
        band = Band(
            BandKind.PENALTY if is_credit else BandKind.BONUS, None, None,
            credit_pct=pct if is_credit else D(0), bonus_pct=D(0) if is_credit else pct,
        )  # fmt: skip
        result = domain.BandResult(CSAT, D(80), 500, None, None, band, Decision.DECIDED)
        items.append(domain.LineInput(name, name, result))
    settled = domain.settle(
        invoices=invoices, items=items, credit_cap_pct=credit_cap, bonus_cap_pct=bonus_cap,
        currency="XTS", minor_digits=digits,
    )  # fmt: skip
    assert settled.credit_total <= settled.credit_cap
    assert settled.credit_total <= settled.credit_gross
    assert settled.bonus_total <= settled.bonus_cap
    quantum = D(1).scaleb(-digits)
    for amount in (settled.credit_total, settled.bonus_total, settled.net,
                   *(line.credit for line in settled.lines)):  # fmt: skip
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(quantum)
    assert settled.credit_gross == sum((line.credit for line in settled.lines), D(0))
    assert settled.net == settled.invoice_total - settled.credit_total + settled.bonus_total


def test_a_line_explains_itself():
    result = domain.evaluate(CSAT, csat("0.7918", n=1412), CSAT_BANDS)
    settled = domain.settle(
        invoices={"chat": domain.Invoice(D("46200.00"), "")},
        items=[domain.LineInput("chat", "Chat", result)],
        credit_cap_pct=D(10), bonus_cap_pct=D(5), currency="USD", minor_digits=2,
    )  # fmt: skip
    assert settled.lines[0].explanation == (
        "CSAT chat 79.2% (n=1,412) is in 75-82% remediation: plan opened, no credit"
    )


# REMEDIATION, EXIT, BAND DESIGN
# ------------------------------------------------------------------------------


def test_a_plan_closes_after_the_needed_run_at_sla():
    base, remediation = CSAT_BANDS[2], CSAT_BANDS[1]
    assert domain.plan_can_close([remediation, base, base], 2)
    assert not domain.plan_can_close([base, remediation, base], 2)
    assert not domain.plan_can_close([base, None], 2)
    assert not domain.plan_can_close([base], 2)


def test_the_exit_streak_counts_consecutive_breaches_despite_remediation():
    rule = domain.ExitRule(domain.Comparison.BELOW, D(80), 2, despite_remediation=True)
    P = domain.ExitPeriod
    assert domain.exit_streak(rule, [P(D(79), True), P(D(78), True)]) == 2
    assert domain.exit_streak(rule, [P(D(79), True), P(D(81), True), P(D(78), True)]) == 1
    assert domain.exit_streak(rule, [P(D(79), False), P(D(78), True)]) == 1
    assert domain.exit_streak(rule, [P(D(79), True), P(None, True)]) == 0
    lenient = domain.ExitRule(domain.Comparison.BELOW, D(80), 2, despite_remediation=False)
    assert domain.exit_streak(lenient, [P(D(79), False), P(D(78), False)]) == 2


def test_percentiles_interpolate_between_ranks():
    data = [D(v) for v in (10, 20, 30, 40, 50)]
    assert domain.percentile(data, D(50)) == D(30)
    assert domain.percentile(data, D(10)) == D(14)
    assert domain.percentile(data, D(100)) == D(50)


@given(
    st.lists(st.decimals(min_value=50, max_value=100, places=2), min_size=4, max_size=26),
    st.booleans(),
)
def test_suggested_bands_are_always_a_sound_layout(weekly, higher_better):
    kpi = CSAT if higher_better else ESCALATION
    assume(len(set(weekly)) > 1)
    bands = domain.suggest_bands(weekly, kpi)
    assert domain.band_layout_problems(bands, kpi) == []


def test_suggested_bands_sit_at_the_chosen_percentiles():
    weekly = [D(v) for v in range(80, 92)]  # 80..91
    bands = domain.suggest_bands(weekly, CSAT, template=CSAT_BANDS)
    assert [(x.kind, x.lower, x.upper) for x in bands] == [
        (BandKind.PENALTY, None, D("81.1")),
        (BandKind.REMEDIATION, D("81.1"), D("84.4")),
        (BandKind.BASE, D("84.4"), D("88.8")),
        (BandKind.BONUS, D("88.8"), None),
    ]
    assert bands[0].credit_pct == D(10)
