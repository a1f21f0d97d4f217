"""SLA rules without a database: band layouts, evaluation, projection and money."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kpis.domain import Direction, Kpi, KpiValue
from sla import domain
from sla.domain import Band, BandKind, Decision

D = Decimal
CSAT = domain.governable("csat")
AHT = domain.governable("aht")
ESCALATION = domain.governable("escalation")
NPS = domain.governable("nps")
CSAT_BANDS = list(domain.TEMPLATES["csat"].bands)
AHT_BANDS = list(domain.TEMPLATES["aht-guardrail"].bands)  # base 600 s or less, review above
HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


def csat(value: str, n: int = 1000, low: str | None = None, high: str | None = None) -> KpiValue:
    return KpiValue(Kpi.CSAT, D(value), n, D(low) if low else None, D(high) if high else None)


def aht(value: str, n: int = 1000, low: str | None = None, high: str | None = None) -> KpiValue:
    return KpiValue(Kpi.AHT, D(value), n, D(low) if low else None, D(high) if high else None)


def evaluate(kpi, value, bands, min_sample=30) -> domain.BandResult:
    return domain.evaluate(kpi, value, bands, min_sample=min_sample)


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
        "Gap between 'remediation' (75% to below 80%) and 'base' (82% and above): values from "
        "80% to below 82% fall in no band.",
    ),
    "overlap": (
        [b("penalty", None, "75"), b("remediation", "75", "84"), b("base", "82", None)],
        "Bands 'remediation' (75% to below 84%) and 'base' (82% and above) overlap: values "
        "from 82% to below 84% fall in both.",
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


# A lower-is-better KPI: each band holds its upper bound, and the messages say so.
REJECTED_LOWER = {
    "gap": (
        [b("base", None, "480"), b("custom", "500", None, opens_remediation=True, label="review")],
        "Gap between 'base' (480 s or less) and 'review' (above 500 s): values above 480 s up "
        "to 500 s fall in no band.",
    ),
    "overlap": (
        [b("base", None, "500"), b("custom", "480", None, opens_remediation=True, label="review")],
        "Bands 'base' (500 s or less) and 'review' (above 480 s) overlap: values above 480 s "
        "up to 500 s fall in both.",
    ),
    "lowest band has a lower bound": (
        [b("base", "60", "480"), b("custom", "480", None, opens_remediation=True, label="review")],
        "Values of 60 s or less fall in no band: leave the lower bound of the lowest band "
        "('base') empty.",
    ),
    "highest band has an upper bound": (
        [b("base", None, "480"), b("custom", "480", "900", opens_remediation=True, label="review")],
        "Values above 900 s fall in no band: leave the upper bound of the highest band "
        "('review') empty.",
    ),
    "better value opens a review": (
        [b("custom", None, "480", opens_remediation=True, label="review"), b("base", "480", None)],
        "Band 'review' (480 s or less) is for lower, better AHT values than 'base' (above "
        "480 s) but carries a remediation plan",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED_LOWER))
def test_a_rejected_lower_is_better_layout_names_its_problem_in_its_own_words(case):
    bands, message = REJECTED_LOWER[case]
    problems = domain.band_layout_problems(bands, AHT)
    assert any(message in p for p in problems), problems


def test_the_minimum_sample_is_at_least_one_observation():
    assert domain.min_sample_problems(1) == []
    assert domain.min_sample_problems(0) == [
        "Minimum sample: 0 is not a number of observations; a decision needs at least 1."
    ]


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
# Values as KPI data gives them: a cut itself, or any share 0..1 however many its decimals.
data_values = st.one_of(
    values,
    st.fractions(min_value=0, max_value=1, max_denominator=100_000).map(
        lambda f: D(f.numerator) * 100 / D(f.denominator)
    ),
)


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


@given(cuts, st.one_of(values, cuts.map(lambda c: c[0])), st.booleans())
def test_every_value_falls_in_exactly_one_band_in_both_directions(bounds, value, higher_better):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    assert domain.band_layout_problems(bands, kpi) == []
    assert sum(band.contains(value, kpi.direction) for band in bands) == 1


@given(cuts, st.booleans(), st.data())
def test_a_shared_bound_belongs_to_the_band_with_the_better_values(bounds, higher_better, data):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    i = data.draw(st.integers(min_value=0, max_value=len(bounds) - 1))
    below, above = bands[i], bands[i + 1]  # they share bounds[i]
    holder = above if higher_better else below
    assert bands[domain.band_index(bounds[i], bands, kpi.direction)] == holder


@given(cuts, values, values, st.booleans())
def test_a_better_value_never_lands_in_a_worse_band(bounds, a, c, higher_better):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    assert domain.band_layout_problems(bands, kpi) == []
    worse, better = sorted([a, c]) if higher_better else sorted([a, c], reverse=True)
    worse_band = bands[domain.band_index(worse, bands, kpi.direction)]
    better_band = bands[domain.band_index(better, bands, kpi.direction)]
    assert better_band.credit_pct <= worse_band.credit_pct
    assert better_band.bonus_pct >= worse_band.bonus_pct
    assert not (better_band.opens_remediation and not worse_band.opens_remediation)


# EVALUATION
# ------------------------------------------------------------------------------


def test_exactly_on_a_bound_a_higher_is_better_value_is_in_the_band_above():
    # "88% and above" is bonus, "82% to below 88%" base.
    assert evaluate(CSAT, csat("0.88"), CSAT_BANDS).band.kind is BandKind.BONUS
    assert evaluate(CSAT, csat("0.8799"), CSAT_BANDS).band.kind is BandKind.BASE
    assert evaluate(CSAT, csat("0.82"), CSAT_BANDS).band.kind is BandKind.BASE
    assert evaluate(CSAT, csat("0.75"), CSAT_BANDS).band.kind is BandKind.REMEDIATION
    assert evaluate(CSAT, csat("0.749"), CSAT_BANDS).band.kind is BandKind.PENALTY


def test_exactly_on_a_bound_a_lower_is_better_value_is_in_the_band_below():
    # "600 s or less" is base, "above 600 s" opens a review: exactly 600 s opens none.
    assert evaluate(AHT, aht("600"), AHT_BANDS).band.kind is BandKind.BASE
    assert evaluate(AHT, aht("600.01"), AHT_BANDS).band.name == "review"
    escalation = list(domain.TEMPLATES["escalation"].bands)  # 10% or less, above 10% up to 15%
    value = KpiValue(Kpi.ESCALATION, D("0.10"), 1000)
    assert evaluate(ESCALATION, value, escalation).band.kind is BandKind.BASE
    value = KpiValue(Kpi.ESCALATION, D("0.15"), 1000)
    assert evaluate(ESCALATION, value, escalation).band.kind is BandKind.REMEDIATION


def test_bounds_read_in_contract_language_in_both_directions():
    assert [domain.bounds_text(x, CSAT) for x in CSAT_BANDS] == [
        "below 75%", "75% to below 82%", "82% to below 88%", "88% and above",
    ]  # fmt: skip
    review = [b("base", None, "300"), b("remediation", "300", "480"), b("penalty", "480", None)]
    assert [domain.bounds_text(x, AHT) for x in review] == [
        "300 s or less", "above 300 s up to 480 s", "above 480 s",
    ]  # fmt: skip
    assert domain.bounds_text(b("base", None, None), CSAT) == "any value"
    assert domain.TEMPLATES["csat"].label == (
        "CSAT: bonus 88% and above, base 82% to below 88%, remediation 75% to below 82%, "
        "penalty below 75%"
    )


def test_too_small_a_sample_is_not_decided():
    result = evaluate(CSAT, csat("0.70", n=12), CSAT_BANDS)
    assert result.decision is Decision.INSUFFICIENT
    assert result.decided_band is None
    assert domain.describe(result, "Social") == (
        "CSAT social 70.0% (n=12) would be in penalty (below 75%), but a decision needs "
        "n≥30: insufficient data"
    )


def test_one_minimum_sample_decides_every_band_of_the_kpi():
    # 150 answers: too few for a KPI decided from 200, whichever band the value is in.
    for value in ("0.70", "0.78", "0.85", "0.90"):
        result = evaluate(CSAT, csat(value, n=150), CSAT_BANDS, min_sample=200)
        assert result.decision is Decision.INSUFFICIENT, value
        assert evaluate(CSAT, csat(value, n=200), CSAT_BANDS, min_sample=200).decided_band
    result = evaluate(CSAT, csat("0.90", n=150), CSAT_BANDS, min_sample=200)
    assert "but a decision needs n≥200" in domain.describe(result, "Chat")


def test_no_value_is_no_data():
    assert evaluate(CSAT, None, CSAT_BANDS).decision is Decision.NO_DATA
    assert evaluate(CSAT, KpiValue(Kpi.CSAT, None, 0), CSAT_BANDS).band is None


# AT RISK: only towards a graver band, only when decided
# ------------------------------------------------------------------------------


def test_an_interval_reaching_a_graver_band_is_at_risk_but_the_point_decides():
    # Base 83 %, interval down to 81 %: remediation would open a plan.
    result = evaluate(CSAT, csat("0.83", low="0.81", high="0.85"), CSAT_BANDS)
    assert result.band.kind is BandKind.BASE
    assert result.risk.kind is BandKind.REMEDIATION
    assert result.at_risk
    assert domain.describe(result, "Chat") == (
        "CSAT chat 83.0% (n=1,000) is in base (82% to below 88%) (at risk: its interval "
        "reaches remediation, 75% to below 82%)"
    )
    # Remediation 76 %, interval down to 74 %: the penalty's credit is graver still.
    result = evaluate(CSAT, csat("0.76", low="0.74", high="0.78"), CSAT_BANDS)
    assert result.risk.kind is BandKind.PENALTY
    assert not evaluate(CSAT, csat("0.85", low="0.83", high="0.87"), CSAT_BANDS).at_risk


def test_an_interval_reaching_only_a_better_band_is_not_at_risk():
    # Penalty 74 %, interval up to 76 %: remediation is no risk, it is better.
    assert not evaluate(CSAT, csat("0.74", low="0.72", high="0.76"), CSAT_BANDS).at_risk
    # Base 87 %, interval up to 89 %: the bonus band is better, not a risk.
    assert not evaluate(CSAT, csat("0.87", low="0.86", high="0.89"), CSAT_BANDS).at_risk
    # Lower is better: AHT 590 s in base, interval 570-610 s reaches the review above 600 s.
    assert evaluate(AHT, aht("590", low="570", high="610"), AHT_BANDS).risk.name == "review"
    # AHT 610 s under review, interval down to 590 s: base is better, no risk.
    assert not evaluate(AHT, aht("610", low="590", high="630"), AHT_BANDS).at_risk


def test_a_band_with_no_graver_consequence_is_no_risk():
    # Bonus 89 %, interval reaching base: base takes no credit and opens no plan.
    bands = [b("remediation", None, "80", opens_remediation=True), b("base", "80", "88"),
             b("bonus", "88", None, bonus_pct=D(5))]  # fmt: skip
    assert not evaluate(CSAT, csat("0.89", low="0.87", high="0.91"), bands).at_risk
    # Two remediation bands side by side: reaching the other adds nothing.
    bands = [b("penalty", None, "70", credit_pct=D(5), opens_remediation=True),
             b("remediation", "70", "75", opens_remediation=True),
             b("custom", "75", "80", opens_remediation=True, label="watch"),
             b("base", "80", None)]  # fmt: skip
    assert not evaluate(CSAT, csat("0.77", low="0.74", high="0.79"), bands).at_risk
    assert evaluate(CSAT, csat("0.77", low="0.69", high="0.79"), bands).risk.kind is (
        BandKind.PENALTY
    )


def test_a_line_without_enough_data_is_never_at_risk():
    result = evaluate(CSAT, csat("0.83", n=20, low="0.65", high="0.95"), CSAT_BANDS)
    assert result.decision is Decision.INSUFFICIENT
    assert not result.at_risk
    assert "at risk" not in domain.describe(result, "Chat")
    assert not evaluate(CSAT, None, CSAT_BANDS).at_risk


def meets(band: Band, low: Decimal, high: Decimal, higher_better: bool) -> bool:
    """Whether `[low, high]` and the band share a value: `[lower, upper)` when higher is
    better, `(lower, upper]` when lower is."""
    lower, upper = band.lower, band.upper
    if higher_better:
        return (lower is None or high >= lower) and (upper is None or low < upper)
    return (lower is None or high > lower) and (upper is None or low <= upper)


@given(cuts, values, values, values, st.booleans())
def test_at_risk_means_the_interval_reaches_a_band_with_a_graver_consequence(
    bounds, point, x, y, higher_better
):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    low, high = sorted([x, y])
    value = KpiValue(Kpi.CSAT, point / 100, 500, low / 100, high / 100)
    result = evaluate(kpi, value, bands)
    reached = [band for band in bands if meets(band, low, high, higher_better)]
    assert result.at_risk == any(domain.graver(band, result.band) for band in reached)
    if result.at_risk:
        assert result.risk in reached
        assert domain.graver(result.risk, result.band)


# EXPLANATIONS NEVER CONTRADICT THEIR BAND
# ------------------------------------------------------------------------------


def test_a_value_rounding_onto_a_bound_shows_the_precision_that_decides():
    result = evaluate(CSAT, csat("0.81996"), CSAT_BANDS)
    assert result.band.kind is BandKind.REMEDIATION
    assert str(domain.shown_value(CSAT, result.value, result.band)) == "81.996%, below 82%"
    assert domain.describe(result, "Chat") == (
        "CSAT chat 81.996%, below 82% (n=1,000) is in remediation (75% to below 82%): "
        "remediation plan opens"
    )
    # 82.04 % rounds to 82.0 %, which is in base too: the usual precision is enough.
    assert str(domain.shown_value(CSAT, D("82.04"), CSAT_BANDS[2])) == "82.0%"
    assert str(domain.shown_value(CSAT, D("74.96"), CSAT_BANDS[0])) == "74.96%, below 75%"


def test_a_lower_is_better_value_just_above_a_bound_is_not_shown_on_it():
    result = evaluate(AHT, aht("600.4"), AHT_BANDS)
    assert result.band.name == "review"
    assert str(domain.shown_value(AHT, result.value, result.band)) == "600.4 s, above 600 s"
    assert domain.describe(result, "Voice", guardrail=True) == (
        "AHT voice 600.4 s, above 600 s (n=1,000) is in review (above 600 s): review opens"
    )
    # 599.6 s shows as 600 s, which is base too: exactly the bound base holds.
    assert str(domain.shown_value(AHT, D("599.6"), AHT_BANDS[0])) == "600 s"


def test_a_value_needing_more_decimals_than_is_sensible_is_rounded_into_its_band():
    shown = domain.shown_value(CSAT, D("81.99999999"), CSAT_BANDS[1])
    assert str(shown) == "81.9999%, below 82%"
    shown = domain.shown_value(AHT, D("600.000001"), AHT_BANDS[1])
    assert str(shown) == "600.001 s, above 600 s"


NUMBER = re.compile(r"[+-]?[\d,]+(?:\.\d+)?")


def read_back(text: str) -> Decimal:
    return D(NUMBER.search(text).group().replace(",", ""))


@given(cuts, data_values, st.sampled_from([CSAT, ESCALATION, AHT, NPS]))
def test_an_explanations_number_read_back_is_in_the_band_of_its_value(bounds, value, kpi):
    bands = layout(bounds, kpi.direction is HIGHER)
    band = bands[domain.band_index(value, bands, kpi.direction)]
    shown = domain.shown_value(kpi, value, band)
    assert band.contains(read_back(shown.number), kpi.direction), (value, str(shown))
    assert band.contains(read_back(str(shown)), kpi.direction)
    if shown.against:  # the bound named is one of the band's own
        assert read_back(shown.against) in (band.lower, band.upper)


@given(cuts, data_values, st.booleans())
def test_a_settlement_line_explanation_reads_back_into_its_band(bounds, value, higher_better):
    kpi = CSAT if higher_better else ESCALATION
    bands = layout(bounds, higher_better)
    result = evaluate(kpi, KpiValue(Kpi.CSAT, value / 100, 500), bands)
    line = domain.settle(
        invoices={"chat": domain.Invoice(D("1000.00"), "")},
        items=[domain.LineInput("chat", "Chat", result)],
        credit_cap_pct=D(10), bonus_cap_pct=D(5), currency="USD", minor_digits=2,
    ).lines[0]  # fmt: skip
    number = line.explanation.removeprefix(f"{kpi.label} chat ")
    assert result.band.contains(read_back(number), kpi.direction), line.explanation
    assert result.band.contains(read_back(line.value_text), kpi.direction)


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
    projected = evaluate(CSAT, csat("0.74"), CSAT_BANDS)
    assert domain.heading(projected) is domain.Heading.PENALTY
    assert domain.heading(evaluate(CSAT, csat("0.80"), CSAT_BANDS)) is domain.Heading.REMEDIATION
    assert domain.heading(evaluate(CSAT, csat("0.85"), CSAT_BANDS)) is domain.Heading.NONE


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
    result = evaluate(CSAT, csat("0.7918", n=1412), CSAT_BANDS)
    settled = domain.settle(
        invoices={"chat": domain.Invoice(D("46200.00"), "")},
        items=[domain.LineInput("chat", "Chat", result)],
        credit_cap_pct=D(10), bonus_cap_pct=D(5), currency="USD", minor_digits=2,
    )  # fmt: skip
    assert settled.lines[0].explanation == (
        "CSAT chat 79.2% (n=1,412) is in remediation (75% to below 82%): plan opened, no credit"
    )
    assert settled.lines[0].value_text == "79.2%"


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
