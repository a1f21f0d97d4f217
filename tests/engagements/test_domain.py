"""Engagement rules without a database: the scope mix and its forecast, shifts and scope
discipline, selection scorecards and loaded rates, stages, gates and ramps, and cost per
resolved contact with the pricing what-if."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagements import domain
from engagements.domain import (
    Expansion,
    GateMonth,
    MixLine,
    OutOfScopeReason,
    Sheet,
    Shift,
    StageKind,
    WorkGroup,
)
from sla.domain import Pricing, PricingModel, RateLine, TypeVolume, Volumes

D = Decimal
CHANNELS = ("voice", "chat", "email", "social")
TYPES = tuple(t.code for t in domain.STANDARD_MIX)
KEYS = [c.key for c in domain.DEFAULT_CRITERIA]


def sheet(evaluator: str, default: int, **scores: int) -> Sheet:
    """A complete sheet on the default criteria: `default` everywhere but `scores`."""
    return Sheet(evaluator, {key: scores.get(key, default) for key in KEYS})


# SHARES
# ------------------------------------------------------------------------------


def test_share_rounds_to_a_thousandth_and_has_no_whole_without_one():
    assert domain.share(2, 3) == D("0.667")
    assert domain.share(1, 8) == D("0.125")
    assert domain.share(0, 5) == D("0.000")
    assert domain.share(3, 0) is None
    assert domain.share(3, -1) is None


# SCOPE MIX
# ------------------------------------------------------------------------------


def test_the_standard_mix_is_the_domains_5000_ticket_month():
    assert sum(t.contacts for t in domain.STANDARD_MIX) == 5000
    assert [t.code for t in domain.STANDARD_MIX if t.routine] == ["order-status"]
    assert {t.code for t in domain.STANDARD_MIX if t.brand_sensitive} == {
        "complaint-return",
        "escalation",
    }


def test_a_mix_that_adds_up_has_no_problem():
    lines = [MixLine("chat", t.code, t.contacts) for t in domain.STANDARD_MIX]
    assert domain.mix_problems(lines, 5000) == []


def test_a_mix_100_short_says_100_missing():
    lines = [MixLine("chat", "order-status", 2400), MixLine("email", "billing", 2500)]
    assert domain.mix_problems(lines, 5000) == [
        "The mix adds up to 4,900 contacts a month, not the 5,000 forecast: 100 missing."
    ]


def test_a_mix_100_over_says_100_too_many():
    lines = [MixLine("chat", "order-status", 2600), MixLine("email", "billing", 2500)]
    (problem,) = domain.mix_problems(lines, 5000)
    assert problem.endswith("5,100 contacts a month, not the 5,000 forecast: 100 too many.")


def test_a_line_twice_in_the_mix_is_named():
    lines = [MixLine("chat", "billing", 100), MixLine("chat", "billing", 100)]
    assert domain.mix_problems(lines, 200) == ["chat / billing appears twice in the mix."]


def test_negative_contacts_are_named():
    lines = [MixLine("chat", "billing", -10), MixLine("voice", "billing", 110)]
    assert domain.mix_problems(lines, 100) == ["chat / billing: contacts cannot be negative."]


def test_an_empty_mix_and_no_forecast_are_both_refused():
    assert domain.mix_problems([], 0) == [
        "The monthly volume forecast must be a positive number of contacts.",
        "A scope needs at least one channel and interaction type in its mix.",
    ]


def test_a_month_forecast_spreads_the_months_total_like_the_mix():
    lines = [
        MixLine("chat", "order-status", 2500),
        MixLine("chat", "billing", 300),
        MixLine("voice", "product-question", 2200),
    ]
    # A November of 8,500: 8,500 × 2,500 / 5,000 = 4,250; × 300 / 5,000 = 510; × 2,200 = 3,740.
    assert domain.month_forecast(lines, 5000, 8500) == {
        ("chat", "order-status"): 4250,
        ("chat", "billing"): 510,
        ("voice", "product-question"): 3740,
    }


def test_a_month_forecast_gives_the_remainder_to_the_largest_fractions():
    lines = [MixLine("chat", "a", 1), MixLine("chat", "b", 1), MixLine("chat", "c", 1)]
    # 10 / 3 = 3.33 each: one of them takes the 10th contact (the first by key on a tie).
    assert domain.month_forecast(lines, 3, 10) == {
        ("chat", "a"): 4,
        ("chat", "b"): 3,
        ("chat", "c"): 3,
    }
    with pytest.raises(ValueError, match="positive monthly total"):
        domain.month_forecast(lines, 0, 10)


@given(
    contacts=st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=12),
    month_total=st.integers(min_value=0, max_value=500_000),
)
def test_month_forecast_parts_always_add_up_to_the_month_total(contacts, month_total):
    if sum(contacts) == 0:
        contacts[0] = 1
    lines = [MixLine(CHANNELS[n % 4], f"type-{n}", c) for n, c in enumerate(contacts)]
    parts = domain.month_forecast(lines, sum(contacts), month_total)
    assert sum(parts.values()) == month_total
    assert all(v >= 0 for v in parts.values())
    for line in lines:  # each part is its exact share, rounded down or up
        exact = D(line.contacts) * month_total / sum(contacts)
        assert abs(parts[(line.channel, line.type_code)] - exact) < 1


def test_peak_to_trough():
    # A November/December peak of 8,500 over a February trough of 4,000: 2.125 → 2.13.
    assert domain.peak_to_trough([4000, 5000, 8500, 6000]) == D("2.13")
    assert domain.peak_to_trough([5000, 5000]) == D("1.00")
    assert domain.peak_to_trough([5000]) is None
    assert domain.peak_to_trough([]) is None
    assert domain.peak_to_trough([5000, 0]) is None  # a month without volume has no ratio


@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=24))
def test_peak_to_trough_is_never_below_one(volumes):
    ratio = domain.peak_to_trough(volumes)
    assert ratio is not None
    assert ratio >= 1


# SHIFTS AND SCOPE DISCIPLINE
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "hour", "shift"),
    [
        (1, 8, Shift.BUSINESS_HOURS),
        (5, 17, Shift.BUSINESS_HOURS),
        (1, 7, Shift.AFTER_HOURS),
        (3, 18, Shift.AFTER_HOURS),
        (5, 23, Shift.AFTER_HOURS),
        (1, 0, Shift.AFTER_HOURS),
        (6, 10, Shift.WEEKEND),
        (7, 3, Shift.WEEKEND),
    ],
)
def test_shift_of(weekday, hour, shift):
    assert domain.shift_of(weekday, hour) is shift


@given(st.integers(min_value=1, max_value=7), st.integers(min_value=0, max_value=23))
def test_every_hour_of_every_weekday_falls_in_exactly_one_shift(weekday, hour):
    shift = domain.shift_of(weekday, hour)
    named = [s for s in Shift if s is not Shift.ALL_DAY and domain.covers([s], shift)]
    assert named == [shift]
    assert domain.covers([Shift.ALL_DAY], shift)
    assert (shift is Shift.WEEKEND) == (weekday >= 6)
    assert (shift is Shift.BUSINESS_HOURS) == (weekday <= 5 and 8 <= hour < 18)


@pytest.mark.parametrize(("weekday", "hour"), [(0, 10), (8, 10), (1, -1), (1, 24)])
def test_shift_of_refuses_impossible_times(weekday, hour):
    with pytest.raises(ValueError, match="ISO weekday"):
        domain.shift_of(weekday, hour)


def test_covers():
    assert domain.covers([Shift.BUSINESS_HOURS, Shift.WEEKEND], Shift.WEEKEND)
    assert not domain.covers([Shift.BUSINESS_HOURS], Shift.AFTER_HOURS)
    assert domain.covers([Shift.ALL_DAY], Shift.AFTER_HOURS)
    assert not domain.covers([], Shift.BUSINESS_HOURS)


def test_scope_discipline_names_each_reason_largest_first():
    lines = [("chat", "order-status"), ("chat", "product-question")]
    groups = [
        WorkGroup("chat", "order-status", 1, 10, 10),  # Monday 10:00: in scope
        WorkGroup("chat", "product-question", 2, 9, 5),  # Tuesday 09:00: in scope
        WorkGroup("chat", "order-status", 6, 10, 3),  # Saturday: shift not covered
        WorkGroup("chat", "order-status", 7, 11, 1),  # Sunday: the same group
        WorkGroup("chat", "billing", 1, 10, 2),  # billing is not in the chat mix
        WorkGroup("voice", "order-status", 1, 10, 5),  # no voice in the scope
    ]
    found = domain.scope_discipline(groups, lines, [Shift.BUSINESS_HOURS])
    assert (found.contacts, found.in_scope) == (26, 15)
    assert found.share == D("0.577")  # 15 / 26
    assert found.healthy is False
    assert [
        (o.channel, o.type_code, o.shift, o.reason, o.contacts) for o in found.out_of_scope
    ] == [
        ("voice", "order-status", Shift.BUSINESS_HOURS, OutOfScopeReason.CHANNEL, 5),
        ("chat", "order-status", Shift.WEEKEND, OutOfScopeReason.SHIFT, 4),
        ("chat", "billing", Shift.BUSINESS_HOURS, OutOfScopeReason.TYPE, 2),
    ]
    assert domain.REASON_TEXT[OutOfScopeReason.SHIFT] == "shift not covered"


def test_scope_discipline_of_nothing_is_unknown_and_95_percent_is_healthy():
    empty = domain.scope_discipline([], [("chat", "billing")], [Shift.ALL_DAY])
    assert (empty.contacts, empty.share, empty.healthy) == (0, None, None)
    groups = [WorkGroup("chat", "billing", 1, 10, 95), WorkGroup("chat", "billing", 6, 10, 5)]
    edge = domain.scope_discipline(groups, [("chat", "billing")], [Shift.BUSINESS_HOURS])
    assert edge.share == D("0.950")
    assert edge.healthy is True


work_groups = st.builds(
    WorkGroup,
    channel=st.sampled_from(CHANNELS),
    type_code=st.sampled_from(TYPES),
    iso_weekday=st.integers(min_value=1, max_value=7),
    hour=st.integers(min_value=0, max_value=23),
    contacts=st.integers(min_value=0, max_value=500),
)


@given(
    groups=st.lists(work_groups, max_size=40),
    lines=st.sets(st.tuples(st.sampled_from(CHANNELS), st.sampled_from(TYPES)), max_size=8),
    shifts=st.sets(st.sampled_from(list(Shift)), max_size=3),
)
def test_in_scope_plus_out_of_scope_is_every_contact(groups, lines, shifts):
    found = domain.scope_discipline(groups, lines, shifts)
    assert found.contacts == sum(g.contacts for g in groups)
    assert found.in_scope + sum(o.contacts for o in found.out_of_scope) == found.contacts
    listed = [o.contacts for o in found.out_of_scope]
    assert listed == sorted(listed, reverse=True)


# SELECTION: SCORES
# ------------------------------------------------------------------------------


def test_floor_management_weighs_most_of_the_default_criteria():
    weights = {c.key: c.weight for c in domain.DEFAULT_CRITERIA}
    assert max(weights, key=weights.__getitem__) == "floor_management"
    assert sum(weights.values()) == D(100)
    assert len(weights) == 9


@pytest.mark.parametrize(("score", "ok"), [(0, False), (1, True), (3, True), (5, True), (6, False)])
def test_score_problem(score, ok):
    problem = domain.score_problem(score)
    assert (problem is None) is ok
    if not ok:
        assert problem == f"A score is a whole number from 1 to 5, not {score}."


def test_weighted_score_needs_a_positive_total_weight():
    criteria = [domain.Criterion("a", "A", D(0))]
    with pytest.raises(ValueError, match="positive total weight"):
        domain.weighted_score(criteria, {"a": 3})


def test_hand_worked_weighted_median_against_the_mean():
    """Three evaluators on the nine default criteria (weights 20, 15, 12, 10, 10, 9, 8, 8, 8;
    total 100):

    - the program manager scores floor management 4 and everything else 3:
      (20 × 4 + 80 × 3) / 100 = (80 + 240) / 100 = 3.20
    - the QA reviewer scores floor management 3, domain depth 4, everything else 2:
      (20 × 3 + 15 × 4 + 65 × 2) / 100 = (60 + 60 + 130) / 100 = 2.50
    - the executive, an enthusiast, scores every criterion 5: 5.00

    The median of 2.50, 3.20 and 5.00 is 3.20. The mean would be 10.70 / 3 = 3.5667 → 3.57:
    the enthusiast alone would lift the candidate by 0.37 points; the median ignores him.
    Per criterion, the median of (4, 3, 5) is 4 for floor management and of (3, 4, 5) is 4
    for domain depth; of (3, 2, 5) it is 3 everywhere else.
    """
    criteria = domain.DEFAULT_CRITERIA
    result = domain.candidate_result(
        criteria,
        [
            sheet("pm", 3, floor_management=4),
            sheet("reviewer", 2, floor_management=3, domain_depth=4),
            sheet("executive", 5),
        ],
    )
    assert result.evaluator_scores == {
        "pm": D("3.20"),
        "reviewer": D("2.50"),
        "executive": D("5.00"),
    }
    assert result.score == D("3.20")
    mean = sum(result.evaluator_scores.values(), D(0)) / 3
    assert mean.quantize(D("0.01")) == D("3.57")
    assert (result.low, result.high) == (D("2.50"), D("5.00"))
    assert result.criterion_medians["floor_management"] == D(4)
    assert result.criterion_medians["domain_depth"] == D(4)
    assert result.criterion_medians["qa_process"] == D(3)
    assert result.incomplete == ()


def test_two_criteria_hand_worked_example():
    # Floor management weighs 3, domain depth 1. Sheets (4, 2): (12 + 2) / 4 = 3.50;
    # (3, 4): (9 + 4) / 4 = 3.25; (5, 5): 5.00. Median 3.50; mean 11.75 / 3 = 3.92.
    criteria = [
        domain.Criterion("floor", "Floor", D(3)),
        domain.Criterion("domain", "Domain", D(1)),
    ]
    result = domain.candidate_result(
        criteria,
        [
            Sheet("a", {"floor": 4, "domain": 2}),
            Sheet("b", {"floor": 3, "domain": 4}),
            Sheet("c", {"floor": 5, "domain": 5}),
        ],
    )
    assert result.score == D("3.50")
    assert (sum(result.evaluator_scores.values()) / 3).quantize(D("0.01")) == D("3.92")


def test_an_incomplete_sheet_counts_per_criterion_but_not_in_the_score():
    criteria = domain.DEFAULT_CRITERIA
    partial = Sheet("late", {"floor_management": 1})
    empty = Sheet("absent", {})
    result = domain.candidate_result(
        criteria, [sheet("pm", 4), sheet("reviewer", 2), partial, empty]
    )
    assert result.incomplete == ("late",)
    assert set(result.evaluator_scores) == {"pm", "reviewer"}
    assert result.score == D("3.00")  # the median of 4.00 and 2.00
    assert result.criterion_medians["floor_management"] == D(2)  # median of 4, 2, 1
    assert result.criterion_medians["qa_process"] == D(3)  # median of 4, 2


def test_a_candidate_nobody_scored_has_no_score():
    result = domain.candidate_result(domain.DEFAULT_CRITERIA, [])
    assert result.score is None
    assert result.low is None
    assert result.high is None
    assert all(v is None for v in result.criterion_medians.values())


sheets = st.lists(
    st.lists(st.integers(min_value=1, max_value=5), min_size=len(KEYS), max_size=len(KEYS)),
    min_size=1,
    max_size=7,
)


@given(sheets)
def test_the_score_lies_between_the_lowest_and_highest_evaluator(all_scores):
    result = domain.candidate_result(
        domain.DEFAULT_CRITERIA,
        [Sheet(f"e{n}", dict(zip(KEYS, s, strict=True))) for n, s in enumerate(all_scores)],
    )
    assert result.low <= result.score <= result.high


@given(
    others=st.lists(
        st.lists(st.integers(min_value=1, max_value=5), min_size=len(KEYS), max_size=len(KEYS)),
        min_size=2,
        max_size=6,
    ),
    extreme=st.sampled_from([1, 5]),
)
def test_one_extreme_evaluator_cannot_move_the_median_past_the_others(others, extreme):
    """With three evaluators or more, an enthusiast (all 5s) or a sceptic (all 1s) moves the
    median at most to the edge of what the others scored."""
    criteria = domain.DEFAULT_CRITERIA
    rest = [Sheet(f"e{n}", dict(zip(KEYS, s, strict=True))) for n, s in enumerate(others)]
    without = domain.candidate_result(criteria, rest)
    result = domain.candidate_result(criteria, [*rest, sheet("extreme", extreme)])
    assert without.low <= result.score <= without.high


# SELECTION: LOADED RATES AND QUOTES
# ------------------------------------------------------------------------------

# Candidate A: 14.00/h headline with WFM 6 %, QA 4 %, team leads 8 %, training 4 % and
# technology 6 % on top (28 %): 14.00 × 1.28 = 17.92/h.
A_COMPONENTS = {"WFM": D(6), "QA": D(4), "Team leads": D(8), "Training": D(4), "Technology": D(6)}
# Candidate B: 16.00/h with WFM 4 %, QA 3 %, team leads 3 % (10 %): 16.00 × 1.10 = 17.60/h.
B_COMPONENTS = {"WFM": D(4), "QA": D(3), "Team leads": D(3)}
ASSUMPTIONS = domain.Assumptions(
    fcr=D("0.75"), handle_minutes=D(6), productive_hours_per_fte=D(120)
)
LABELS = {"voice": "voice", "email": "email", "chat": "chat", "social": "social"}


def rate_line(
    channel: str, model: PricingModel, rate: str, code: str = "", **more: object
) -> RateLine:
    return RateLine(channel, Pricing(model, D(rate), **more), code, code.replace("-", " "))  # type: ignore[arg-type]


def quote(*lines: RateLine, **components: Decimal) -> domain.Quote:
    return domain.Quote(tuple(lines), components)


def project(q: domain.Quote, forecast: dict[tuple[str, str], int]) -> domain.Projection:
    volumes = domain.forecast_volumes(forecast, ASSUMPTIONS)
    return domain.project_quote(q, volumes, channel_labels=LABELS, currency="USD", minor_digits=2)


def test_hand_worked_loaded_rates_and_projection_on_one_channel():
    """A's headline is 2.00/h cheaper, but loaded it costs 17.92 / 17.60 - 1 = 1.82 % → 1.8 %
    more than B.

    5,000 chat contacts a month at 6 handled minutes = 30,000 minutes = 500 hours (4.17 FTE
    at 120 productive hours); at 75 % FCR, 3,750 resolved contacts.
    A: 500 × 14.00 = 7,000.00 headline; × 1.28 = 8,960.00 loaded; / 3,750 = 2.389 → 2.39.
    B: 500 × 16.00 = 8,000.00 headline; × 1.10 = 8,800.00 loaded; / 3,750 = 2.347 → 2.35.
    """
    a = domain.Quote((rate_line("chat", PricingModel.PER_HOUR, "14.00"),), A_COMPONENTS)
    b = domain.Quote((rate_line("chat", PricingModel.PER_HOUR, "16.00"),), B_COMPONENTS)
    assert a.loaded_pct == D(28)
    assert (a.loaded(D("14.00")), b.loaded(D("16.00"))) == (D("17.92"), D("17.60"))
    ranks = domain.rank_lines({"A": a, "B": b})
    assert ranks == {
        "A": (domain.LineRank(2, D("1.8"), 1, ("B",)),),
        "B": (domain.LineRank(2, D("0.0"), 2, ()),),
    }
    forecast = {("chat", "order-status"): 5000}
    pa, pb = project(a, forecast), project(b, forecast)
    assert pa.volumes == Volumes(hours=D("500.00"), fte=D("4.17"), contacts=5000, resolved=3750)
    assert (pa.headline_cost, pa.loaded_cost, pa.cost_per_resolved) == (
        D("7000.00"),
        D("8960.00"),
        D("2.39"),
    )
    assert (pb.headline_cost, pb.loaded_cost, pb.cost_per_resolved) == (
        D("8000.00"),
        D("8800.00"),
        D("2.35"),
    )
    assert pa.complete
    assert pa.channels[0].invoice.explanation == "500 chat agent hours × 14.00 USD = 7,000.00 USD"


# The scope's month: voice 1,000 order status and 500 complaints; chat 2,500 order status and
# 1,000 complaints. At 6 minutes, 120 productive hours an FTE and 75 % FCR:
# voice 1,500 contacts, 150.00 h, 1.25 FTE, 1,125 resolved;
# chat 3,500 contacts, 350.00 h, 2.92 FTE, 2,625 resolved (order status 1,875, complaints 750).
TWO_CHANNELS = {
    ("voice", "order-status"): 1000,
    ("voice", "complaint-return"): 500,
    ("chat", "order-status"): 2500,
    ("chat", "complaint-return"): 1000,
}


def test_the_scopes_month_per_channel_and_type():
    volumes = domain.forecast_volumes(TWO_CHANNELS, ASSUMPTIONS)
    assert list(volumes) == ["voice", "chat"]
    voice, chat = volumes["voice"], volumes["chat"]
    assert (voice.contacts, voice.hours, voice.fte, voice.resolved) == (
        1500, D("150.00"), D("1.25"), 1125,
    )  # fmt: skip
    assert (chat.contacts, chat.hours, chat.fte, chat.resolved) == (
        3500, D("350.00"), D("2.92"), 2625,
    )  # fmt: skip
    assert chat.by_type == {
        "order-status": TypeVolume(2500, 1875),
        "complaint-return": TypeVolume(1000, 750),
    }


def test_hand_worked_two_channel_quotes_with_different_models():
    """A: voice 20.00 an agent hour; chat 2.50 a contact, complaints 4.00; 10 % on top.
      voice 150 h × 20.00 = 3,000.00, loaded 3,300.00;
      chat 1,000 complaints × 4.00 = 4,000.00 + 2,500 other × 2.50 = 6,250.00 = 10,250.00,
      loaded 11,275.00; in all 13,250.00 headline, 14,575.00 loaded, / 3,750 resolved = 3.89.
    C: voice 18.00 an agent hour, chat 2.40 a contact; 25 % on top.
      voice 150 × 18.00 = 2,700.00, loaded 3,375.00; chat 3,500 × 2.40 = 8,400.00, loaded
      10,500.00; in all 11,100.00 and 13,875.00, / 3,750 = 3.70.
    C's voice headline (18.00) is below A's (20.00), but loaded it is 22.50 against 22.00:
    2.3 % above; its chat line 3.00 loaded against A's 2.75: 9.1 % above."""
    a = quote(
        rate_line("voice", PricingModel.PER_HOUR, "20.00"),
        rate_line("chat", PricingModel.PER_CONTACT, "2.50"),
        rate_line("chat", PricingModel.PER_CONTACT, "4.00", "complaint-return"),
        QA=D(10),
    )
    c = quote(
        rate_line("voice", PricingModel.PER_HOUR, "18.00"),
        rate_line("chat", PricingModel.PER_CONTACT, "2.40"),
        QA=D(15),
        WFM=D(10),
    )
    pa, pc = project(a, TWO_CHANNELS), project(c, TWO_CHANNELS)
    voice, chat = pa.channels
    assert (voice.headline, voice.loaded) == (D("3000.00"), D("3300.00"))
    assert (chat.headline, chat.loaded) == (D("10250.00"), D("11275.00"))
    assert [part.text for part in chat.invoice.parts] == [
        "1,000 chat complaint return contacts × 4.00 USD = 4,000.00 USD",
        "2,500 other chat contacts × 2.50 USD = 6,250.00 USD",
    ]
    assert (pa.headline_cost, pa.loaded_cost, pa.cost_per_resolved) == (
        D("13250.00"), D("14575.00"), D("3.89"),
    )  # fmt: skip
    assert (pc.headline_cost, pc.loaded_cost, pc.cost_per_resolved) == (
        D("11100.00"), D("13875.00"), D("3.70"),
    )  # fmt: skip
    ranks = domain.rank_lines({"A": a, "C": c})
    assert ranks["C"] == (
        domain.LineRank(2, D("2.3"), 1, ("A",)),  # voice: cheaper headline, dearer loaded
        domain.LineRank(2, D("9.1"), 1, ("A",)),  # chat, every contact
    )
    assert ranks["A"] == (
        domain.LineRank(2, D("0.0"), 2, ()),
        domain.LineRank(2, D("0.0"), 2, ()),
        domain.LineRank(1),  # complaints: nobody else prices them on a line of their own
    )


def test_a_channel_without_a_line_is_not_quoted_and_the_totals_say_so():
    """B prices chat per resolved contact (3.60, 20 % on top) and quotes no voice: chat
    2,625 × 3.60 = 9,450.00, loaded 11,340.00; per resolved 11,340.00 / 2,625 = 4.32 (the
    quoted channel's resolutions only); voice is not quoted, not 0."""
    b = quote(rate_line("chat", PricingModel.PER_RESOLVED, "3.60"), WFM=D(20))
    projection = project(b, TWO_CHANNELS)
    voice, chat = projection.channels
    assert (voice.quoted, voice.headline, voice.loaded, voice.invoice) == (False, None, None, None)
    assert (chat.headline, chat.loaded) == (D("9450.00"), D("11340.00"))
    assert projection.not_quoted == ("voice",)
    assert not projection.complete
    assert (projection.headline_cost, projection.loaded_cost) == (D("9450.00"), D("11340.00"))
    assert (projection.resolved, projection.cost_per_resolved) == (2625, D("4.32"))
    assert projection.volumes.contacts == 5000  # the scope's month, whatever is quoted


def test_lines_for_channels_outside_the_scope_price_nothing():
    q = quote(
        rate_line("chat", PricingModel.PER_CONTACT, "2.00"),
        rate_line("social", PricingModel.OUTCOME, "5000"),
    )
    projection = project(q, {("chat", "billing"): 100})
    assert [c.channel for c in projection.channels] == ["chat"]
    assert projection.headline_cost == D("200.00")


def test_fee_fte_and_hybrid_lines_are_priced_on_the_projected_month():
    """5,000 chat contacts → 500 h → 4.17 FTE; 3,750 resolved.
    Per FTE 3,000.00: 4.17 × 3,000.00 = 12,510.00. Outcome: the 9,000.00 fee.
    Hybrid 1.50 a contact + 0.80 a resolved contact: 7,500.00 + 3,000.00 = 10,500.00."""
    forecast = {("chat", "billing"): 5000}
    assert project(quote(rate_line("chat", PricingModel.PER_FTE, "3000")), forecast).headline_cost == D("12510.00")  # fmt: skip  # noqa: E501
    assert project(quote(rate_line("chat", PricingModel.OUTCOME, "9000")), forecast).headline_cost == D("9000.00")  # fmt: skip  # noqa: E501
    hybrid = rate_line(
        "chat", PricingModel.HYBRID, "1.50", hybrid_base=PricingModel.PER_CONTACT,
        resolution_bonus=D("0.80"),
    )  # fmt: skip
    assert project(quote(hybrid), forecast).headline_cost == D("10500.00")


def test_hybrid_lines_are_not_ranked_on_one_of_their_two_rates():
    def hybrid(base: str, bonus: str) -> domain.Quote:
        return quote(
            rate_line(
                "chat", PricingModel.HYBRID, base, hybrid_base=PricingModel.PER_CONTACT,
                resolution_bonus=D(bonus),
            )
        )  # fmt: skip

    ranks = domain.rank_lines({"A": hybrid("1.00", "2.00"), "B": hybrid("2.00", "0.10")})
    assert ranks == {"A": (domain.LineRank(2),), "B": (domain.LineRank(2),)}


def test_only_like_for_like_lines_are_peers():
    """Chat per contact, chat per hour and chat complaints per contact are three groups."""
    ranks = domain.rank_lines(
        {
            "A": quote(rate_line("chat", PricingModel.PER_CONTACT, "2.00")),
            "B": quote(rate_line("chat", PricingModel.PER_HOUR, "15.00")),
            "C": quote(
                rate_line("chat", PricingModel.PER_CONTACT, "2.20"),
                rate_line("chat", PricingModel.PER_CONTACT, "4.00", "complaint-return"),
            ),
        }
    )
    assert ranks["A"] == (domain.LineRank(2, D("0.0"), 1, ()),)
    assert ranks["B"] == (domain.LineRank(1),)
    assert ranks["C"] == (domain.LineRank(2, D("10.0"), 2, ()), domain.LineRank(1))


@given(
    rates=st.lists(
        st.tuples(
            st.decimals(min_value=D("0.01"), max_value=D(100), places=2),
            st.decimals(min_value=D(0), max_value=D(60), places=1),
        ),
        min_size=2,
        max_size=6,
    )
)
def test_the_cheapest_loaded_peer_is_zero_above_and_traps_name_cheaper_loaded_peers(
    rates,
):
    quotes = {
        f"Q{n}": quote(rate_line("voice", PricingModel.PER_HOUR, str(rate)), WFM=pct)
        for n, (rate, pct) in enumerate(rates)
    }
    ranks = domain.rank_lines(quotes)
    loaded = {name: q.loaded(q.lines[0].pricing.rate) for name, q in quotes.items()}
    cheapest = min(loaded.values())
    for name, (rank,) in ranks.items():
        assert rank.peers == len(rates)
        assert rank.above_cheapest >= 0
        if loaded[name] == cheapest:
            assert rank.above_cheapest == 0
        for other in rank.dearer_loaded_than:
            assert loaded[other] < loaded[name]
            assert quotes[other].lines[0].pricing.rate > quotes[name].lines[0].pricing.rate


def test_projected_volumes_round_resolutions_half_up():
    # 1,001 contacts at 75 %: 750.75 → 751 resolved; 1,001 × 4.5 min / 60 = 75.075 → 75.08 h.
    volumes = domain.projected_volumes(1001, domain.Assumptions(D("0.75"), D("4.5"), D(150)))
    assert volumes == Volumes(hours=D("75.08"), fte=D("0.50"), contacts=1001, resolved=751)


def test_a_projection_without_resolutions_has_no_cost_per_resolved():
    none_resolved = domain.Assumptions(D(0), D(6), D(120))
    q = quote(rate_line("chat", PricingModel.PER_HOUR, "14.00"))
    volumes = domain.forecast_volumes({("chat", "billing"): 100}, none_resolved)
    projection = domain.project_quote(
        q, volumes, channel_labels=LABELS, currency="USD", minor_digits=2
    )
    assert projection.volumes.resolved == 0
    assert projection.cost_per_resolved is None


@given(
    parts=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=5),
    fcr=st.decimals(min_value=D(0), max_value=D(1), places=2),
)
def test_resolutions_per_type_add_up_to_the_channels(parts, fcr):
    forecast = {("chat", f"t{n}"): n_contacts for n, n_contacts in enumerate(parts)}
    volumes = domain.forecast_volumes(forecast, domain.Assumptions(fcr, D(6), D(120)))
    if sum(parts) == 0:
        assert volumes == {}
        return
    chat = volumes["chat"]
    assert sum(t.resolved for t in chat.by_type.values()) == chat.resolved
    assert sum(t.contacts for t in chat.by_type.values()) == chat.contacts == sum(parts)


def test_overhead_above():
    assert domain.overhead_above(D("17.60"), D("17.60")) == D("0.0")
    assert domain.overhead_above(D(20), D(16)) == D("25.0")
    assert domain.overhead_above(D(5), D(0)) is None


def test_every_red_flag_has_a_label():
    assert set(domain.RED_FLAG_LABELS) == set(domain.RedFlag)


# STAGES
# ------------------------------------------------------------------------------


def test_next_planned_follows_the_default_sequence():
    done: list[tuple[StageKind, Expansion | None]] = []
    order = []
    while (step := domain.next_planned(done)) is not None:
        order.append((step.kind, step.expansion, step.first_week, step.last_week))
        done.append((step.kind, step.expansion))
    assert order == [
        (StageKind.PILOT, None, 1, 12),
        (StageKind.EXPANSION, Expansion.INTERACTION_TYPE, 13, 20),
        (StageKind.EXPANSION, Expansion.CHANNEL, 21, 32),
        (StageKind.EXPANSION, Expansion.SHIFTS, 33, 48),
        (StageKind.EXPANSION, Expansion.BRAND_SENSITIVE, 53, 64),
    ]


def test_next_planned_is_the_first_step_not_taken_whatever_the_order():
    channel_first = [(StageKind.EXPANSION, Expansion.CHANNEL)]
    assert domain.next_planned(channel_first).kind is StageKind.PILOT
    taken = [(StageKind.PILOT, None), (StageKind.EXPANSION, Expansion.CHANNEL)]
    assert domain.next_planned(taken).expansion is Expansion.INTERACTION_TYPE


def test_moving_forward_needs_no_reason():
    assert domain.move_problem(None, StageKind.PILOT, "") is None
    assert domain.move_problem(StageKind.SELECTION, StageKind.PILOT, "") is None
    assert domain.move_problem(StageKind.EXPANSION, StageKind.EXPANSION, "") is None
    assert domain.move_problem(StageKind.PILOT, StageKind.EXIT, "") is None


def test_moving_back_needs_a_reason():
    problem = domain.move_problem(StageKind.EXPANSION, StageKind.PILOT, "  ")
    assert problem == "Moving back from expansion to pilot needs a reason."
    assert domain.move_problem(StageKind.STEADY_STATE, StageKind.EXPANSION, "") == (
        "Moving back from steady state to expansion needs a reason."
    )
    assert domain.move_problem(StageKind.EXPANSION, StageKind.PILOT, "Quality collapsed") is None


def test_leaving_an_exit_needs_a_reason():
    assert domain.move_problem(StageKind.EXIT, StageKind.EXIT, "") == (
        "The engagement has exited: resuming it needs a reason."
    )
    assert domain.move_problem(StageKind.EXIT, StageKind.PILOT, "") is not None
    assert domain.move_problem(StageKind.EXIT, StageKind.PILOT, "New contract signed") is None


def test_pilot_length_note():
    assert domain.pilot_length_note(45) == (
        "The pilot ran 45 days: shorter than the 60-90 days a pilot needs."
    )
    assert domain.pilot_length_note(60) is None
    assert domain.pilot_length_note(90) is None
    assert domain.pilot_length_note(120) == (
        "The pilot ran 120 days: longer than the usual 60-90 days."
    )


# GATES
# ------------------------------------------------------------------------------

GREEN_MONTHS = (GateMonth("October 2026", True), GateMonth("September 2026", True))


ALIGNED = D("0.90")


def two_month_gate(months, alignment=ALIGNED) -> domain.Gate:
    return domain.gate(months, months_needed=2, alignment=alignment, alignment_threshold=D("0.85"))


def test_a_gate_is_green_at_sla_with_calibration_aligned():
    found = two_month_gate((*GREEN_MONTHS, GateMonth("August 2026", False, ("CSAT chat",))))
    assert found.green
    assert found.sla_ok
    assert found.alignment_ok
    assert found.reasons == ()
    assert [m.label for m in found.months] == ["October 2026", "September 2026"]  # 2 needed


def test_a_gate_is_green_exactly_at_the_threshold():
    assert two_month_gate(GREEN_MONTHS, D("0.85")).green


def test_a_month_below_base_turns_the_gate_red():
    found = two_month_gate(
        (GateMonth("October 2026", False, ("CSAT chat", "FCR voice")), GREEN_MONTHS[1])
    )
    assert not found.green
    assert not found.sla_ok
    assert found.reasons == ("October 2026: below base on CSAT chat, FCR voice.",)


def test_a_month_nothing_decided_turns_the_gate_red():
    found = two_month_gate((GREEN_MONTHS[0], GateMonth("September 2026", None)))
    assert found.reasons == ("September 2026: no governed KPI was decided.",)
    assert not found.sla_ok


def test_too_few_months_turn_the_gate_red():
    found = two_month_gate(GREEN_MONTHS[:1])
    assert found.reasons == ("Only 1 complete month of SLA results; the gate needs 2.",)
    none = domain.gate([], months_needed=3, alignment=D("0.9"), alignment_threshold=D("0.85"))
    assert none.reasons == ("Only 0 complete months of SLA results; the gate needs 3.",)


def test_alignment_missing_or_low_turns_the_gate_red():
    assert two_month_gate(GREEN_MONTHS, None).reasons == ("No calibration alignment measured yet.",)
    low = two_month_gate(GREEN_MONTHS, D("0.712"))
    assert low.sla_ok
    assert not low.alignment_ok
    assert low.reasons == ("Calibration agreement 71.2% is below the 85.0% threshold.",)


def test_a_gate_looks_at_one_month_or_more():
    with pytest.raises(ValueError, match="one month or more"):
        domain.gate([], months_needed=0, alignment=None, alignment_threshold=D("0.85"))


# RAMPS
# ------------------------------------------------------------------------------


def test_six_weeks_on_product_questions_is_flagged():
    flag = domain.ramp_flag(6, routine_only=False, brand_sensitive=False)
    assert flag == (
        "A 6-week ramp is unrealistic beyond status checks: plan at least 8 weeks to full volume."
    )


def test_six_weeks_on_status_checks_only_is_not_flagged():
    assert domain.ramp_flag(6, routine_only=True, brand_sensitive=False) is None


def test_twelve_weeks_on_brand_sensitive_work_is_flagged():
    flag = domain.ramp_flag(12, routine_only=False, brand_sensitive=True)
    assert flag == (
        "A 12-week ramp on brand-sensitive work is unrealistic: plan 4-6 months to parity."
    )
    assert domain.ramp_flag(17, routine_only=False, brand_sensitive=True) is None
    assert domain.ramp_flag(8, routine_only=False, brand_sensitive=False) is None


def test_a_ramp_cannot_be_negative():
    with pytest.raises(ValueError, match="negative"):
        domain.ramp_flag(-1, routine_only=True, brand_sensitive=False)


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


def test_loaded_cost_rounds_to_the_minor_unit():
    assert domain.loaded_cost(D("7000.00"), D(28), 2) == D("8960.00")
    assert domain.loaded_cost(D("1000.005"), D(0), 2) == D("1000.01")
    assert domain.loaded_cost(D("10001"), D("12.5"), 0) == D("11251")  # JPY: no minor unit


def test_split_by_gives_the_rounding_to_the_last_key():
    # 14,250.00 by contacts 1,000 / 2,000 / 3,000: 2,375.00, 4,750.00 and 7,125.00.
    assert domain.split_by(D("14250.00"), {"chat": 2000, "email": 1000, "voice": 3000}, 2) == {
        "chat": D("4750.00"),
        "email": D("2375.00"),
        "voice": D("7125.00"),
    }
    # 100.00 in three equal parts: 33.33, 33.33 and the last 33.34.
    assert domain.split_by(D("100.00"), {"a": 1, "b": 1, "c": 1}, 2) == {
        "a": D("33.33"),
        "b": D("33.33"),
        "c": D("33.34"),
    }


def test_split_by_without_weights_splits_evenly_and_without_keys_gives_nothing():
    assert domain.split_by(D("10.00"), {"a": 0, "b": 0}, 2) == {"a": D("5.00"), "b": D("5.00")}
    assert domain.split_by(D("10.00"), {}, 2) == {}


@given(
    amount=st.decimals(min_value=0, max_value=10**7, places=2),
    weights=st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 10**6), min_size=1),
)
def test_split_by_parts_add_up_exactly(amount, weights):
    parts = domain.split_by(amount, weights, 2)
    assert set(parts) == set(weights)
    assert sum(parts.values(), D(0)) == amount


def test_month_cost():
    # 8,960.00 loaded + 14,250.00 governance = 23,210.00 over 3,750 resolved: 6.189 → 6.19.
    cost = domain.MonthCost(D("7000.00"), D("8960.00"), D("14250.00"), 3750)
    assert cost.total == D("23210.00")
    assert cost.per_resolved == D("6.19")
    assert domain.MonthCost(D(1), D(1), D(0), 0).per_resolved is None


def test_in_house_per_resolved():
    # 7.50 per contact at 75 % FCR: 7.50 × 100 / 75 = 10.00 per resolved contact.
    assert domain.in_house_per_resolved(D("7.50"), D(75)) == D("10.00")
    # 8.00 at 77.5 %: 10.3226 → 10.32.
    assert domain.in_house_per_resolved(D("8.00"), D("77.5")) == D("10.32")
    assert domain.in_house_per_resolved(D("8.00"), D(0)) is None


# WHAT-IF PRICING
# ------------------------------------------------------------------------------

EXPECTED = Volumes(hours=D("500.00"), fte=D("4.17"), contacts=5000, resolved=3750)


@pytest.mark.parametrize("model", domain.WHAT_IF_MODELS)
def test_pricing_the_expected_volumes_gives_back_the_cost(model):
    pricing = domain.equivalent_pricing(model, D("8960.00"), EXPECTED)
    assert pricing is not None
    amount = domain.price(pricing, EXPECTED, currency="USD", minor_digits=2)
    assert abs(amount - D("8960.00")) <= D("0.01")


def test_equivalent_rates():
    # 8,960.00 over 500 hours: 17.92/h; over 5,000 contacts 1.792; over 3,750 resolved 2.3893.
    assert domain.equivalent_pricing(PricingModel.PER_HOUR, D("8960.00"), EXPECTED).rate == D(
        "17.92"
    )
    assert domain.equivalent_pricing(PricingModel.PER_CONTACT, D("8960.00"), EXPECTED).rate == D(
        "1.792"
    )
    per_resolved = domain.equivalent_pricing(PricingModel.PER_RESOLVED, D("8960.00"), EXPECTED)
    assert per_resolved.rate.quantize(D("0.0001")) == D("2.3893")


def test_the_hybrid_what_if_puts_80_percent_on_contacts_and_20_on_resolutions():
    pricing = domain.equivalent_pricing(PricingModel.HYBRID, D("8960.00"), EXPECTED)
    assert pricing.model is PricingModel.HYBRID
    assert pricing.hybrid_base is PricingModel.PER_CONTACT
    # 8,960.00 × 0.8 / 5,000 = 1.4336 per contact; 8,960.00 × 0.2 / 3,750 = 0.4779 per resolved.
    assert pricing.rate == D("1.4336")
    assert pricing.resolution_bonus.quantize(D("0.0001")) == D("0.4779")
    assert pricing.rate * 5000 == D("7168.0000")  # 80 %
    assert (pricing.resolution_bonus * 3750).quantize(D("0.01")) == D("1792.00")  # 20 %


def test_a_what_if_prices_what_actually_happened():
    # Priced per resolved contact, a partner resolving 3,500 instead of 3,750 costs
    # 3,500 × 2.38933 = 8,362.67: less, as it resolved less.
    pricing = domain.equivalent_pricing(PricingModel.PER_RESOLVED, D("8960.00"), EXPECTED)
    actual = Volumes(hours=D("500.00"), fte=D("4.17"), contacts=5000, resolved=3500)
    assert domain.price(pricing, actual, currency="USD", minor_digits=2) == D("8362.67")


def test_a_what_if_without_the_volume_it_bills_on_has_no_price():
    no_hours = Volumes(hours=None, fte=None, contacts=5000, resolved=0)
    assert domain.equivalent_pricing(PricingModel.PER_HOUR, D(100), no_hours) is None
    assert domain.equivalent_pricing(PricingModel.PER_FTE, D(100), no_hours) is None
    assert domain.equivalent_pricing(PricingModel.PER_RESOLVED, D(100), no_hours) is None
    assert domain.equivalent_pricing(PricingModel.HYBRID, D(100), no_hours) is None
    assert domain.equivalent_pricing(PricingModel.OUTCOME, D(100), EXPECTED) is None
    # Priced per hour, a month whose hours were never entered has no amount.
    per_hour = Pricing(PricingModel.PER_HOUR, D("17.92"))
    assert domain.price(per_hour, no_hours, currency="USD", minor_digits=2) is None


@given(
    cost=st.decimals(min_value=1, max_value=10**6, places=2),
    contacts=st.integers(min_value=1, max_value=200_000),
    fcr=st.integers(min_value=1, max_value=100),
    hours=st.decimals(min_value=1, max_value=10**5, places=2),
    model=st.sampled_from(domain.WHAT_IF_MODELS),
)
def test_the_price_round_trip_holds_within_a_cent(cost, contacts, fcr, hours, model):
    resolved = max(1, contacts * fcr // 100)
    expected = Volumes(
        hours=hours,
        fte=(hours / 120).quantize(D("0.01")) or D("0.01"),
        contacts=contacts,
        resolved=resolved,
    )
    pricing = domain.equivalent_pricing(model, cost, expected)
    amount = domain.price(pricing, expected, currency="USD", minor_digits=2)
    assert abs(amount - cost) <= D("0.01")
