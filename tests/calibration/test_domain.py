"""QA scoring and alignment statistics against a hand-computed example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calibration import domain
from calibration.domain import NA, Answer, Criterion, Scale, ScoreError

D = Decimal
RUBRIC = [
    Criterion("greeting", "Greeting", D(1), Scale.YES_NO),
    Criterion("accuracy", "Accuracy", D(4), Scale.ONE_TO_FIVE),
    Criterion("empathy", "Empathy", D(2), Scale.ONE_TO_FIVE, na_allowed=True),
    Criterion("compliance", "Compliance", D(3), Scale.YES_NO, critical=True),
]


def sheet(greeting, accuracy, empathy, compliance) -> dict[str, Answer]:
    values = dict(greeting=greeting, accuracy=accuracy, empathy=empathy, compliance=compliance)
    return {k: NA if v is None else Answer(D(v)) for k, v in values.items()}


# Interaction 1: buyer 1 + 3 + 1 + 3 = 8 of 10 points; partner 1 + 4 + N/A + 3 = 8 of 8.
# Interaction 2: the buyer fails compliance (critical): 0; partner 0 + 1 + 1.5 + 3 = 5.5 of 10.
BUYER = [sheet(1, 4, 3, 1), sheet(0, 2, 4, 0)]
PARTNER = [sheet(1, 5, None, 1), sheet(0, 2, 4, 1)]


def test_interaction_scores():
    assert domain.interaction_score(RUBRIC, BUYER[0]).score == D(80)
    assert domain.interaction_score(RUBRIC, PARTNER[0]).score == D(100)
    failed = domain.interaction_score(RUBRIC, BUYER[1])
    assert failed.score == 0
    assert failed.explanation == "0: critical criterion missed (Compliance)"
    assert domain.interaction_score(RUBRIC, PARTNER[1]).score == D(55)


def test_alignment_matches_the_hand_computed_example():
    first = domain.align(RUBRIC, [BUYER[0]], [PARTNER[0]])
    agreements = {c.key: c.agreement for c in first.criteria}
    # greeting equal; accuracy 1 - |4 - 3| / 4; empathy N/A on one side only; compliance equal
    assert agreements == {"greeting": 1, "accuracy": D("0.75"), "empathy": 0, "compliance": 1}
    assert first.agreement == D("0.7")  # (1·1 + 4·0.75 + 2·0 + 3·1) / 10
    assert first.gap == D(20)
    assert first.beyond_tolerance
    assert {c.key: c.bias for c in first.criteria}["accuracy"] == D(1)  # the partner is lenient

    second = domain.align(RUBRIC, [BUYER[1]], [PARTNER[1]])
    assert second.agreement == D("0.7")  # (1 + 4 + 2 + 3·0) / 10: compliance 3 points apart
    assert second.gap == D(55)

    session = domain.session_alignment(
        RUBRIC,
        [([BUYER[0]], [PARTNER[0]]), ([BUYER[1]], [PARTNER[1]])],
        reviewer_sheets=[BUYER, PARTNER],
    )
    assert session.agreement == D("0.7")
    assert session.bias == D("37.5")
    assert session.beyond_tolerance == 2
    assert session.by_criterion["accuracy"] == (D("0.875"), D("0.5"))
    # Yes/no units (nominal): B 1,1,0,0 and P 1,1,0,1: Do = 2/8, De = 2·3·5 / (8·7),
    # alpha = 1 - 0.25 / 0.535714 = 0.533333.
    assert session.alpha_by_scale[Scale.YES_NO] == D("0.533333")


def test_equal_totals_through_different_criteria_are_not_aligned():
    rubric = [
        Criterion("a", "A", D(5), Scale.YES_NO),
        Criterion("b", "B", D(5), Scale.YES_NO),
    ]
    buyer = {"a": Answer(D(1)), "b": Answer(D(0))}
    partner = {"a": Answer(D(0)), "b": Answer(D(1))}
    item = domain.align(rubric, [buyer], [partner])
    assert item.gap == 0
    assert item.agreement == 0


def test_sides_are_the_mean_of_their_reviewers():
    item = domain.align(RUBRIC, [BUYER[0], sheet(1, 2, 3, 1)], [PARTNER[0]])
    accuracy = next(c for c in item.criteria if c.key == "accuracy")
    assert accuracy.buyer == D(2)  # (3 + 1) / 2 points


def test_the_debrief_starts_with_the_largest_disagreement():
    item = domain.align(RUBRIC, [BUYER[1]], [PARTNER[1]])
    ordered = [c.key for c, _ in domain.disagreements(RUBRIC, item)]
    assert ordered[0] == "compliance"


def test_a_reviewer_is_set_against_the_other_sides_mean():
    """The partner's two reviewers: the hand-computed PARTNER sheets and a second that agrees
    with the buyer on the first interaction. The buyer's reviewer against them: interaction
    1 scores 80 against a mean of (100 + 80) / 2 = 90, interaction 2 scores 0 against
    (55 + 0) / 2 = 27.5: a bias of (−10 − 27.5) / 2 = −18.75 points."""
    second_partner = [BUYER[0], sheet(0, 2, 4, 0)]
    pairs = [
        (BUYER[0], [PARTNER[0], second_partner[0]]),
        (BUYER[1], [PARTNER[1], second_partner[1]]),
    ]
    agreement, bias = domain.reviewer_alignment(RUBRIC, pairs)
    assert bias == D("-18.75")
    assert agreement is not None
    assert D("0.7") < agreement < 1
    assert domain.reviewer_alignment(RUBRIC, []) == (None, None)


@given(
    st.lists(st.sampled_from([1, 2, 3, 4, 5]), min_size=3, max_size=3),
    st.lists(st.sampled_from([1, 2, 3, 4, 5]), min_size=3, max_size=3),
)
def test_two_reviewers_agree_alike_and_their_biases_mirror(own, other):
    rubric = [Criterion(str(i), f"C{i}", D(i + 1), Scale.ONE_TO_FIVE) for i in range(3)]
    a = {str(i): Answer(D(v)) for i, v in enumerate(own)}
    b = {str(i): Answer(D(v)) for i, v in enumerate(other)}
    a_agreement, a_bias = domain.reviewer_alignment(rubric, [(a, [b])])
    b_agreement, b_bias = domain.reviewer_alignment(rubric, [(b, [a])])
    assert a_agreement == b_agreement
    assert a_bias == -b_bias


@pytest.mark.parametrize(
    ("criterion", "answer", "message"),
    [
        (RUBRIC[1], Answer(D(6)), "'Accuracy': 6 is outside its scale (1-5)."),
        (RUBRIC[1], Answer(D("2.5")), "'Accuracy': 2.5 is not a whole step of its scale."),
        (RUBRIC[1], NA, "'Accuracy' must be scored: N/A is not allowed on it."),
        (RUBRIC[0], Answer(D(-1)), "'Greeting': -1 is outside its scale (yes / no)."),
    ],
)
def test_answers_outside_the_rubric_are_refused(criterion, answer, message):
    with pytest.raises(ScoreError) as raised:
        domain.check_answer(criterion, answer)
    assert str(raised.value) == message


def test_rubric_problems_are_named():
    bad = [
        Criterion("x", "Tone", D(0), Scale.ONE_TO_FIVE),
        Criterion("y", "Security", D(2), Scale.ONE_TO_FIVE, critical=True),
        Criterion("z", "tone", D(1), Scale.YES_NO, critical=True, na_allowed=True),
    ]
    assert domain.rubric_problems(bad) == [
        "'Tone': the weight (its maximum points) must be above 0.",
        "'Security': a critical criterion is scored yes / no.",
        "'tone': a critical criterion always applies (no N/A).",
        "Two criteria are called 'tone'.",
    ]
    assert domain.rubric_problems([]) == ["A rubric needs at least one criterion."]


@given(st.lists(st.sampled_from([1, 2, 3, 4, 5]), min_size=3, max_size=3))
def test_an_interaction_agrees_fully_with_itself(values):
    rubric = [Criterion(str(i), f"C{i}", D(i + 1), Scale.ONE_TO_FIVE) for i in range(3)]
    answers = {str(i): Answer(D(v)) for i, v in enumerate(values)}
    item = domain.align(rubric, [answers], [answers])
    assert item.agreement == 1
    assert item.gap == 0
    assert 0 <= domain.interaction_score(rubric, answers).score <= 100


def test_the_default_cadence_is_weekly_then_fortnightly_then_monthly():
    dates = domain.due_dates(date(2026, 1, 5), date(2026, 9, 30))
    assert dates[:2] == [date(2026, 1, 12), date(2026, 1, 19)]
    assert dates[11] == date(2026, 3, 30)  # week 12
    assert dates[12] == date(2026, 4, 13)  # then every two weeks
    assert dates[18] == date(2026, 7, 6)  # week 26
    assert dates[19:] == [date(2026, 8, 6), date(2026, 9, 6)]  # then monthly
    assert domain.due_dates(date(2026, 1, 31), date(2026, 4, 30), domain.Cadence.MONTHLY) == [
        date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28),
    ]  # fmt: skip


def test_adherence_counts_sessions_held_on_time():
    due = [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)]
    held = [date(2026, 1, 12), date(2026, 1, 25), None]
    assert domain.adherence(due, held) == D(1) / D(3)


def test_the_draw_is_stratified_deterministic_and_includes_a_low_csat_contact():
    candidates = [
        domain.Candidate(i, "chat" if i % 3 else "voice", "billing" if i % 2 else "orders",
                         1 if i == 17 else 5)
        for i in range(40)
    ]  # fmt: skip
    drawn = domain.draw(candidates, 8, seed=7)
    assert len(drawn) == len(set(drawn)) == 8
    assert 17 in drawn
    assert drawn == domain.draw(candidates, 8, seed=7)
    strata = {(c.channel, c.interaction_type) for c in candidates if c.key in drawn}
    assert len(strata) == 4
