"""Partner selection pages: the comparison of candidates, each evaluator's own sheet, red
flags and choosing the partner; who may do what, and that a refused write leaves nothing
behind."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scoping import Viewer
from engagements import domain, services
from engagements.models import (
    Candidate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeVersion,
    Selection,
    SelectionCriterion,
    SelectionStatus,
)
from partners.models import InteractionType, Membership, Partner, User
from partners.scoping import viewer_for_membership
from sla.models import Contract
from tests.factories.engagements import bid, line

CRITERIA = [c.key for c in domain.DEFAULT_CRITERIA]


def text(response) -> str:
    return html.unescape(response.content.decode())


def selected(page: str, name: str) -> str:
    """The value of the option selected in the select named `name` ("" for none)."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def viewer_of(user: User) -> Viewer:
    return viewer_for_membership(Membership.objects.get(user=user))


def write_scope(selection: Selection, pm: User, monthly_volume: int = 10000) -> ScopeVersion:
    viewer = viewer_of(pm)
    kind, _ = InteractionType.objects.get_or_create(
        account=selection.account, code="billing", defaults={"name": "Billing"}
    )
    data = services.ScopeInput(
        monthly_volume=monthly_volume,
        first_month=date(2026, 1, 1),
        shifts=["business_hours"],
        lines=[services.LineInput("chat", kind, monthly_volume)],
    )
    return services.scope_save(viewer=viewer, data=data, selection=selection)


Row = tuple[str, str, str, str, str, str]  # channel, type id, model, rate, hybrid base, bonus


def rate_post(rows: list[Row], initial: int = 0) -> dict[str, object]:
    """The quote's formset as the page posts it."""
    data: dict[str, object] = {
        "rates-TOTAL_FORMS": str(len(rows)),
        "rates-INITIAL_FORMS": str(initial),
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "40",
    }
    fields = ("channel", "interaction_type", "pricing_model", "rate", "hybrid_base",
              "resolution_bonus")  # fmt: skip
    for n, row in enumerate(rows):
        data.update({f"rates-{n}-{name}": value for name, value in zip(fields, row, strict=True)})
    return data


def candidate_post(
    name: str, rates: list[Row] | None = None, initial: int = 0, **overrides: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "name": name,
        "delivery_model": "offshore",
        "country": "Philippines",
        "operations_manager": "Maria Santos",
        **rate_post(rates or [("chat", "", "per_hour", "18.00", "", "")], initial),
        "wfm_pct": "",
        "qa_pct": "",
        "team_leads_pct": "",
        "training_pct": "",
        "technology_pct": "",
        "facilities_pct": "",
        "shrinkage_pct": "",
        "attrition_pct": "35",
        "attrition_trend": "stable",
        "notes": "",
    }
    data.update(overrides)
    return data


def sheet(score: int | str, evidence: str = "", **per_key: object) -> dict[str, object]:
    """A score sheet's POST: every criterion at `score`, except those given by key."""
    data: dict[str, object] = {}
    for key in CRITERIA:
        data[f"score_{key}"] = per_key.get(key, score)
        data[f"evidence_{key}"] = evidence
    return data


def make_selection(pm: User, name: str = "Chat 2026") -> Selection:
    return services.selection_create(viewer=viewer_of(pm), name=name)


def make_candidate(
    selection: Selection,
    pm: User,
    name: str,
    rates: list[services.RateInput] | None = None,
    **fields: object,
) -> Candidate:
    values: dict[str, object] = {
        "operations_manager": "Ana Ops",
        "attrition_pct": Decimal(30),
        "attrition_trend": "stable",
    }
    values.update(fields)
    return bid(viewer_of(pm), selection, name, rates, **values)


def score_all(candidate: Candidate, user: User, score: int) -> None:
    services.scores_save(
        viewer=viewer_of(user),
        candidate=candidate,
        scores=[services.ScoreInput(key, score, "seen on the floor") for key in CRITERIA],
    )


@pytest.fixture
def selection(buyer_pm) -> Selection:
    return make_selection(buyer_pm)


@pytest.fixture
def scoped(selection, buyer_pm) -> Selection:
    write_scope(selection, buyer_pm)
    return selection


# THE FLOW
# ------------------------------------------------------------------------------


def test_a_program_manager_runs_a_selection_through_the_pages_to_a_partner(
    world, buyer_pm, buyer_reviewer, login
) -> None:
    pm = login(buyer_pm)
    reviewer = login(buyer_reviewer)

    # given: a selection started on its page, with a scope and three candidates
    assert "New selection" in text(pm.get(reverse("engagements:selection-list")))
    response = pm.post(
        reverse("engagements:selection-create"),
        {
            "name": "Chat outsourcing 2026",
            "currency": "usd",
            "assumed_fcr_pct": "80",
            "handle_minutes": "6",
            "productive_hours_per_fte": "120",
        },
    )
    selection = Selection.objects.get(name="Chat outsourcing 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:selection-detail", args=[selection.pk])
    assert selection.currency == "USD"
    assert selection.criteria.count() == len(domain.DEFAULT_CRITERIA)
    write_scope(selection, buyer_pm, monthly_volume=10000)

    add = reverse("engagements:candidate-create", args=[selection.pk])
    form = text(pm.get(add))
    assert 'id="rate-row-template"' in form
    assert 'name="rates-0-pricing_model"' in form
    # Alpha: the cheaper headline, but 25 % of components land its loaded rate at 22.50.
    assert pm.post(
        add,
        candidate_post(
            "Alpha BPO", [("chat", "", "per_hour", "18.00", "", "")], wfm_pct="5", qa_pct="5",
            team_leads_pct="10", training_pct="5",
        ),
    ).status_code == 302  # fmt: skip
    # Bravo: a dearer headline, transparent: 20.00 + 5 % = 21.00 loaded.
    assert pm.post(add, candidate_post("Bravo Care", [("chat", "", "per_hour", "20.00", "", "")], qa_pct="5")).status_code == 302  # fmt: skip  # noqa: E501
    # Charlie: per contact, and no attrition figure; a blank extra row is left out.
    assert pm.post(
        add,
        candidate_post(
            "Charlie Contact",
            [("chat", "", "per_contact", "2.10", "", ""), ("", "", "", "", "", "")],
            attrition_pct="", attrition_trend="unknown", operations_manager="",
        ),
    ).status_code == 302  # fmt: skip
    alpha, bravo, charlie = Candidate.objects.filter(selection=selection).order_by("name")
    assert alpha.components["Team leads"] == Decimal(10)
    assert charlie.attrition_pct is None
    assert [(r.channel, r.pricing_model, r.rate) for r in charlie.rates.all()] == [
        ("chat", "per_contact", Decimal("2.10"))
    ]

    # when: the PM and the QA reviewer score Alpha, each on their own sheet
    response = pm.post(reverse("engagements:candidate-score", args=[alpha.pk]), sheet(5, "strong"))
    assert response.status_code == 302
    assert "Saved your scores of Alpha BPO: 9 of 9 criteria scored." in messages_of(response)
    response = reviewer.post(
        reverse("engagements:candidate-score", args=[alpha.pk]), sheet(3, "average")
    )
    assert response.status_code == 302
    assert CandidateScore.objects.filter(candidate=alpha).count() == 2 * len(CRITERIA)

    # then: the comparison shows the median of the two weighted scores, and the spread
    comparison = pm.get(reverse("engagements:selection-detail", args=[selection.pk]))
    page = text(comparison)
    assert "4.00" in page  # median of 5.00 and 3.00
    assert "spread 3.00–5.00" in page
    assert "Chat outsourcing 2026" in page
    assert buyer_pm.display_name in page
    assert buyer_reviewer.display_name in page
    # Chat per agent hour compares Alpha with Bravo; Charlie's chat per contact stands alone.
    assert "Chat · per agent hour" in page
    assert "Chat · per contact" in page
    assert "22.50 USD/h" in page
    assert "21.00 USD/h" in page
    assert "+7.1% above the cheapest loaded rate" in page  # 22.50 is 7.1 % above 21.00
    assert "no other quote on this channel and model" in page  # Charlie
    # The cheaper headline that costs more loaded is called out.
    assert "A cheaper headline that costs more loaded than Bravo Care." in page
    # Projected for 10,000 chat contacts: 1,000 hours; 8,000 resolved at the assumed 80 % FCR.
    assert "1,000 chat agent hours × 18.00 USD = 18,000.00 USD" in page
    assert "22,500.00 USD" in page  # Alpha loaded monthly
    assert "2.81 USD" in page  # 22,500 / 8,000 resolved
    assert "not-quoted" not in page  # every quote prices chat, the scope's one channel
    assert "No attrition figure" in page
    assert "not named" in page
    assert 'data-plotly="selection-scores"' in page
    # The chart: Alpha's median as a bar with its spread, each evaluator as a point.
    median, evaluators = comparison.context["charts"]["selection-scores"]["data"]
    at = median["x"].index("Alpha BPO")
    assert median["y"][at] == 4.0
    assert (median["error_y"]["arrayminus"][at], median["error_y"]["array"][at]) == (1.0, 1.0)
    assert evaluators["mode"] == "markers"
    points = zip(evaluators["x"], evaluators["y"], strict=True)
    assert sorted(y for x, y in points if x == "Alpha BPO") == [3.0, 5.0]
    assert "/static/vendor/plotly.min.js" in page
    assert not re.search(r"""src=["']https?://""", page)  # nothing from a CDN

    # when: the PM chooses Alpha
    response = pm.post(reverse("engagements:candidate-choose", args=[alpha.pk]))

    # then: Alpha is a partner with the selection's scope and a selection stage
    partner = Partner.objects.get(account=world.account, name="Alpha BPO")
    assert response.status_code == 302
    assert response["Location"] == reverse("home:partner-detail", args=[partner.pk])
    [message] = messages_of(response)
    assert f"{reverse('sla:contract-create')}?from_candidate={alpha.pk}" in message
    assert reverse("engagements:stage-create", args=[partner.pk]) in message
    assert ScopeVersion.objects.get(selection=selection).partner == partner
    stage = EngagementStage.objects.get(partner=partner)
    assert stage.kind == "selection"
    selection.refresh_from_db()
    alpha.refresh_from_db()
    assert selection.status == SelectionStatus.CHOSEN
    assert alpha.partner == partner

    # and the comparison is read-only, with the chosen partner linked
    page = text(pm.get(reverse("engagements:selection-detail", args=[selection.pk])))
    assert "Partner chosen" in page
    assert reverse("home:partner-detail", args=[partner.pk]) in page
    assert reverse("engagements:candidate-choose", args=[bravo.pk]) not in page
    assert reverse("engagements:candidate-create", args=[selection.pk]) not in page
    assert "Add a red flag" not in page
    listing = text(pm.get(reverse("engagements:selection-list")))
    assert "Partner chosen" in listing
    assert reverse("home:partner-detail", args=[partner.pk]) in listing


@pytest.fixture
def two_channels(selection, buyer_pm):
    """The scope's month: voice 1,000 order status and 500 complaints; chat 2,500 and 1,000
    (6 minutes a contact, 120 h an FTE, 75 % FCR: voice 150 h, 1,125 resolved; chat 350 h,
    2,625 resolved)."""
    kinds = {
        code: InteractionType.objects.get_or_create(
            account=selection.account, code=code, defaults={"name": name}
        )[0]
        for code, name in (("order-status", "Order status"), ("complaint-return", "Complaint"))
    }
    services.scope_save(
        viewer=viewer_of(buyer_pm),
        selection=selection,
        data=services.ScopeInput(
            monthly_volume=5000,
            first_month=date(2027, 1, 1),
            shifts=["24_7"],
            lines=[
                services.LineInput("voice", kinds["order-status"], 1000),
                services.LineInput("voice", kinds["complaint-return"], 500),
                services.LineInput("chat", kinds["order-status"], 2500),
                services.LineInput("chat", kinds["complaint-return"], 1000),
            ],
        ),
    )
    return selection, kinds


def test_the_comparison_prices_each_channel_with_each_quotes_lines(
    two_channels, buyer_pm, login
) -> None:
    selection, kinds = two_channels
    make_candidate(
        selection, buyer_pm, "Alpha",
        [
            line("voice", "per_hour", "20.00"),
            line("chat", "per_contact", "2.50"),
            line("chat", "per_contact", "4.00", kind=kinds["complaint-return"]),
        ],
        qa_pct=Decimal(10),
    )  # fmt: skip
    make_candidate(
        selection, buyer_pm, "Charlie",
        [line("voice", "per_hour", "18.00"), line("chat", "per_contact", "2.40")],
        qa_pct=Decimal(15), wfm_pct=Decimal(10),
    )  # fmt: skip
    make_candidate(
        selection, buyer_pm, "Bravo", [line("chat", "per_resolved", "2.60")], wfm_pct=Decimal(20)
    )

    page = text(login(buyer_pm).get(reverse("engagements:selection-detail", args=[selection.pk])))

    # Each line beside the others on its channel and model, headline and loaded.
    for shown in (
        "Voice · per agent hour",
        "Chat · per contact",
        "Chat · Complaint · per contact",
        "Chat · per resolved contact",
        "20.00 USD/h",  # Alpha's voice headline
        "22.00 USD/h",  # loaded with 10 %
        "22.50 USD/h",  # Charlie's 18.00 loaded with 25 %
        "+2.3% above the cheapest loaded rate",  # Charlie's voice line
        "+9.1% above the cheapest loaded rate",  # Charlie's chat line: 3.00 against 2.75
        "A cheaper headline that costs more loaded than Alpha.",
    ):
        assert shown in page, shown
    # Each channel of the scope priced with the quote's lines, loaded, and what was counted.
    for shown in (
        "1,500 contacts, 150 agent hours, 1.25 FTE, 1,125 resolved",
        "150 voice agent hours × 20.00 USD = 3,000.00 USD",
        "1,000 chat complaint contacts × 4.00 USD = 4,000.00 USD + 2,500 other chat contacts "
        "× 2.50 USD = 6,250.00 USD",
        "11,275.00 USD",  # Alpha's chat, loaded
        "14,575.00 USD",  # Alpha's month, loaded
        "3.89 USD",  # per resolved: 14,575.00 / 3,750
        "13,875.00 USD",  # Charlie's month, loaded
        "3.70 USD",  # Charlie's per resolved: the lowest of the complete quotes
        "2,625 resolved chat contacts × 2.60 USD = 6,825.00 USD",  # Bravo's chat
        "incomplete: voice not quoted",
        "(quoted channels only)",
    ):
        assert shown in page, shown
    assert page.count('class="badge overdue not-quoted"') == 1  # Bravo's voice
    # Bravo's chat alone costs 3.12 a resolved contact (8,190.00 / 2,625), below Charlie's
    # 3.70, but it prices only part of the scope: the lowest is Charlie's.
    assert '3.12 USD <small class="muted">(quoted channels only)</small></td>' in page
    assert '3.70 USD <span class="badge lowest">lowest</span>' in page
    assert page.count('class="badge lowest"') == 1


def test_one_enthusiast_cannot_carry_a_candidate(
    scoped, buyer_pm, buyer_reviewer, buyer_exec, login
) -> None:
    # given: the PM scores 5 everywhere, two colleagues 2
    candidate = make_candidate(scoped, buyer_pm, "Delta Support")
    score_all(candidate, buyer_pm, 5)
    score_all(candidate, buyer_reviewer, 2)
    score_all(candidate, buyer_exec, 2)

    # when
    page = text(login(buyer_exec).get(reverse("engagements:selection-detail", args=[scoped.pk])))

    # then: the score is the median, 2.00, with the enthusiast in the spread
    assert "<strong>2.00</strong>" in page
    assert "spread 2.00–5.00" in page
    assert f"{buyer_pm.display_name}: 5.00" in page


def test_an_incomplete_sheet_is_named_and_does_not_count(
    scoped, buyer_pm, buyer_reviewer, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Echo")
    score_all(candidate, buyer_pm, 4)
    login(buyer_reviewer).post(
        reverse("engagements:candidate-score", args=[candidate.pk]),
        sheet("", floor_management=1),
    )
    page = text(login(buyer_pm).get(reverse("engagements:selection-detail", args=[scoped.pk])))
    assert f"incomplete: {buyer_reviewer.display_name}" in page
    assert "<strong>4.00</strong>" in page


# SCORE SHEETS
# ------------------------------------------------------------------------------


def test_a_score_of_7_is_refused_with_the_services_message_and_nothing_is_saved(
    scoped, buyer_pm, buyer_reviewer, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Foxtrot")
    url = reverse("engagements:candidate-score", args=[candidate.pk])

    response = login(buyer_reviewer).post(url, sheet(4, "fine", floor_management=7))

    assert response.status_code == 200
    assert "Floor-management maturity: A score is a whole number from 1 to 5, not 7." in text(
        response
    )
    assert not CandidateScore.objects.filter(candidate=candidate).exists()


def test_a_score_that_is_not_a_number_is_refused(scoped, buyer_pm, login) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Golf")
    response = login(buyer_pm).post(
        reverse("engagements:candidate-score", args=[candidate.pk]), sheet(3, qa_process="high")
    )
    assert response.status_code == 200
    assert "Enter a whole number." in text(response)
    assert not CandidateScore.objects.exists()


def test_evidence_without_a_score_is_refused(scoped, buyer_pm, login) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Hotel")
    data = sheet(3)
    data["score_tooling_fit"] = ""
    data["evidence_tooling_fit"] = "Runs its own ticketing tool"
    response = login(buyer_pm).post(
        reverse("engagements:candidate-score", args=[candidate.pk]), data
    )
    assert response.status_code == 200
    assert "Give a score with this evidence" in text(response)
    assert not CandidateScore.objects.exists()


def test_the_score_sheet_shows_only_the_evaluators_own_scores(
    scoped, buyer_pm, buyer_reviewer, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "India")
    services.scores_save(
        viewer=viewer_of(buyer_reviewer),
        candidate=candidate,
        scores=[services.ScoreInput("qa_process", 2, "Reviewer-only evidence")],
    )
    services.scores_save(
        viewer=viewer_of(buyer_pm),
        candidate=candidate,
        scores=[services.ScoreInput("qa_process", 5, "PM evidence")],
    )
    url = reverse("engagements:candidate-score", args=[candidate.pk])

    pm_page = text(login(buyer_pm).get(url))
    reviewer_page = text(login(buyer_reviewer).get(url))

    assert "PM evidence" in pm_page
    assert "Reviewer-only evidence" not in pm_page
    assert 'name="score_qa_process" value="5"' in pm_page.replace(" checked", "")
    assert "Reviewer-only evidence" in reviewer_page
    assert "PM evidence" not in reviewer_page


def test_clearing_a_score_removes_it(scoped, buyer_pm, login) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Juliet")
    score_all(candidate, buyer_pm, 4)
    response = login(buyer_pm).post(
        reverse("engagements:candidate-score", args=[candidate.pk]),
        sheet(4, reporting_transparency=""),
    )
    assert response.status_code == 302
    assert CandidateScore.objects.filter(candidate=candidate).count() == len(CRITERIA) - 1


# RED FLAGS
# ------------------------------------------------------------------------------


def test_a_red_flag_raised_by_a_reviewer_shows_on_the_comparison(
    scoped, buyer_pm, buyer_reviewer, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Kilo")
    reviewer = login(buyer_reviewer)

    response = reviewer.post(
        reverse("engagements:red-flag-add", args=[candidate.pk]),
        {"kind": "no_shared_dashboards", "note": "Would only send monthly PDFs"},
    )

    assert response.status_code == 302
    flag = CandidateRedFlag.objects.get(candidate=candidate)
    assert flag.raised_by == buyer_reviewer
    page = text(reviewer.get(reverse("engagements:selection-detail", args=[scoped.pk])))
    assert domain.RED_FLAG_LABELS[domain.RedFlag.NO_SHARED_DASHBOARDS] in page
    assert "Would only send monthly PDFs" in page
    assert f"raised by {buyer_reviewer.display_name}" in page
    # Only a program manager removes it.
    assert reverse("engagements:red-flag-delete", args=[flag.pk]) not in page
    delete = reverse("engagements:red-flag-delete", args=[flag.pk])
    assert reviewer.post(delete).status_code == 403
    assert login(buyer_pm).post(delete).status_code == 302
    assert not CandidateRedFlag.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"kind": "other", "note": ""}, "Say what the red flag is."),
        ({"kind": "rude", "note": "x"}, "'rude' is not a red flag Keel knows."),
    ],
)
def test_a_red_flag_without_what_it_needs_is_refused(
    scoped, buyer_pm, login, data, expected
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Lima")
    response = login(buyer_pm).post(reverse("engagements:red-flag-add", args=[candidate.pk]), data)
    assert response.status_code == 302
    assert any(expected in m for m in messages_of(response))
    assert not CandidateRedFlag.objects.exists()


# CHOOSING
# ------------------------------------------------------------------------------


def test_the_chosen_partners_contract_starts_from_its_quote(
    two_channels, buyer_pm, login, today
) -> None:
    selection, kinds = two_channels
    alpha = make_candidate(
        selection, buyer_pm, "Alpha",
        [
            line("voice", "per_hour", "20.00"),
            line("chat", "per_contact", "2.50"),
            line("chat", "per_contact", "4", kind=kinds["complaint-return"]),
        ],
        qa_pct=Decimal(10), wfm_pct=Decimal("2.5"),
    )  # fmt: skip
    partner = services.candidate_choose(viewer=viewer_of(buyer_pm), candidate=alpha, today=today)
    pm = login(buyer_pm)
    start = f"{reverse('sla:contract-create')}?from_candidate={alpha.pk}"
    comparison = text(pm.get(reverse("engagements:selection-detail", args=[selection.pk])))
    assert f'href="{start}"' in comparison

    # when: the program manager follows the link
    response = pm.get(start)

    # then: the form holds the partner, the currency, the components and the quote's lines
    page = text(response)
    assert "Started from Alpha's quote in Chat 2026" in page
    assert f'<option value="{partner.pk}" selected>' in page
    assert 'name="name" value="Alpha master services agreement"' in page
    assert 'name="qa_pct" value="10.00"' in page
    assert 'name="wfm_pct" value="2.50"' in page
    assert 'name="rates-INITIAL_FORMS" value="3"' in page
    rows = [
        (
            selected(page, f"rates-{n}-channel"),
            selected(page, f"rates-{n}-interaction_type"),
            selected(page, f"rates-{n}-pricing_model"),
            re.search(rf'name="rates-{n}-rate" value="([^"]*)"', page).group(1),
        )
        for n in range(3)
    ]
    assert rows == [
        ("voice", "", "per_hour", "20"),
        ("chat", "", "per_contact", "2.5"),
        ("chat", str(kinds["complaint-return"].pk), "per_contact", "4"),
    ]

    # and saved with its dates, the contract prices what the quote priced
    data = {
        "partner": partner.pk, "name": "Alpha MSA", "start_date": "2027-01-01",
        "end_date": "2027-12-31", "currency": "USD", "notice_days": "60", "qa_pct": "10",
        "wfm_pct": "2.5", "credit_cap_pct": "10", "bonus_cap_pct": "5",
        **{k: v for k, v in rate_post(
            [
                ("voice", "", "per_hour", "20", "", ""),
                ("chat", "", "per_contact", "2.5", "", ""),
                ("chat", str(kinds["complaint-return"].pk), "per_contact", "4", "", ""),
            ],
            initial=3,
        ).items()},
    }  # fmt: skip
    response = pm.post(start, data)
    assert response.status_code == 302
    contract = Contract.objects.get(partner=partner)
    assert [
        (r.channel, r.interaction_type_id, r.pricing_model, r.rate) for r in contract.rates.all()
    ] == [
        ("voice", None, "per_hour", Decimal(20)),
        ("chat", None, "per_contact", Decimal("2.5")),
        ("chat", kinds["complaint-return"].pk, "per_contact", Decimal(4)),
    ]


def test_a_contract_from_an_unknown_or_unchosen_candidate_is_a_404(scoped, buyer_pm, login) -> None:
    """A contract is a partner's: only a chosen candidate has one to start."""
    unchosen = make_candidate(scoped, buyer_pm, "Zulu")
    pm = login(buyer_pm)
    for value in ("999999", "abc", "", str(unchosen.pk)):
        response = pm.get(reverse("sla:contract-create"), {"from_candidate": value})
        assert response.status_code == 404, value


def test_only_program_managers_start_a_contract_from_a_quote(
    scoped, buyer_pm, buyer_reviewer, partner_lead, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Yankee")
    for user in (buyer_reviewer, partner_lead):
        response = login(user).get(reverse("sla:contract-create"), {"from_candidate": candidate.pk})
        assert response.status_code == 403
        assert b"Yankee" not in response.content


def test_choosing_twice_is_refused_and_changes_nothing(world, scoped, buyer_pm, login) -> None:
    first = make_candidate(scoped, buyer_pm, "Mike")
    second = make_candidate(scoped, buyer_pm, "November")
    pm = login(buyer_pm)
    assert pm.post(reverse("engagements:candidate-choose", args=[first.pk])).status_code == 302
    partners = Partner.objects.count()
    stages = EngagementStage.objects.count()

    for candidate in (first, second):
        response = pm.post(reverse("engagements:candidate-choose", args=[candidate.pk]))

        assert response.status_code == 302
        assert response["Location"] == reverse("engagements:selection-detail", args=[scoped.pk])
        assert any("already chose Mike" in m for m in messages_of(response))
    assert Partner.objects.count() == partners
    assert EngagementStage.objects.count() == stages
    second.refresh_from_db()
    assert second.partner is None


def test_choosing_before_the_scope_is_written_is_refused(selection, buyer_pm, login) -> None:
    candidate = make_candidate(selection, buyer_pm, "Oscar")
    pm = login(buyer_pm)
    page = text(pm.get(reverse("engagements:selection-detail", args=[selection.pk])))
    assert "No scope of work yet" in page
    assert reverse("engagements:selection-scope-edit", args=[selection.pk]) in page

    response = pm.post(reverse("engagements:candidate-choose", args=[candidate.pk]))

    assert any("Write the scope of work before choosing" in m for m in messages_of(response))
    assert not Partner.objects.filter(name="Oscar").exists()
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.OPEN


def test_choosing_a_candidate_named_like_an_existing_partner_is_refused(
    world, scoped, buyer_pm, login
) -> None:
    candidate = make_candidate(scoped, buyer_pm, world.harbor.name)
    response = login(buyer_pm).post(reverse("engagements:candidate-choose", args=[candidate.pk]))
    assert any(
        "There already is a partner named Harbor Support" in m for m in messages_of(response)
    )
    assert Partner.objects.filter(name=world.harbor.name).count() == 1
    assert ScopeVersion.objects.get(selection=scoped).partner is None


def test_a_chosen_selection_is_read_only(scoped, buyer_pm, buyer_reviewer, login, today) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Papa")
    services.candidate_choose(viewer=viewer_of(buyer_pm), candidate=candidate, today=today)
    pm = login(buyer_pm)

    for name, pk in (
        ("engagements:selection-update", scoped.pk),
        ("engagements:candidate-create", scoped.pk),
        ("engagements:candidate-update", candidate.pk),
    ):
        response = pm.get(reverse(name, args=[pk]))
        assert response.status_code == 302, name
        assert "read-only" in messages_of(response)[0]

    response = login(buyer_reviewer).post(
        reverse("engagements:candidate-score", args=[candidate.pk]), sheet(4)
    )
    assert response.status_code == 200
    assert "has already chosen its partner" in text(response)
    assert not CandidateScore.objects.exists()
    response = pm.post(
        reverse("engagements:candidate-update", args=[candidate.pk]), candidate_post("Papa 2")
    )
    assert "has already chosen its partner" in text(response)
    assert Candidate.objects.get(pk=candidate.pk).name == "Papa"


# SELECTIONS AND CANDIDATES
# ------------------------------------------------------------------------------


def test_weights_and_assumptions_are_saved_together_or_not_at_all(
    selection, buyer_pm, login
) -> None:
    url = reverse("engagements:selection-update", args=[selection.pk])
    data: dict[str, object] = {
        "name": "Renamed",
        "currency": "EUR",
        "assumed_fcr_pct": "70",
        "handle_minutes": "7.5",
        "productive_hours_per_fte": "130",
        **{f"weight_{key}": "0" for key in CRITERIA},
    }
    pm = login(buyer_pm)

    # when: every weight is zero, the valid name change goes too
    response = pm.post(url, data)

    assert response.status_code == 200
    assert "At least one criterion needs a positive weight." in text(response)
    selection.refresh_from_db()
    assert selection.name == "Chat 2026"
    assert "Edit Chat 2026" in text(response)

    # when: the weights are fine
    data.update({f"weight_{key}": "10" for key in CRITERIA}, weight_floor_management="40")
    response = pm.post(url, data)

    assert response.status_code == 302
    selection.refresh_from_db()
    assert (selection.name, selection.currency, selection.handle_minutes) == (
        "Renamed",
        "EUR",
        Decimal("7.5"),
    )
    weights = dict(
        SelectionCriterion.objects.filter(selection=selection).values_list("key", "weight")
    )
    assert weights["floor_management"] == Decimal(40)
    assert weights["qa_process"] == Decimal(10)


def test_a_negative_weight_or_an_unknown_currency_is_refused(selection, buyer_pm, login) -> None:
    url = reverse("engagements:selection-update", args=[selection.pk])
    base: dict[str, object] = {
        "name": "Chat 2026",
        "currency": "USD",
        "assumed_fcr_pct": "75",
        "handle_minutes": "6",
        "productive_hours_per_fte": "120",
        **{f"weight_{key}": "10" for key in CRITERIA},
    }
    pm = login(buyer_pm)
    response = pm.post(url, {**base, "weight_tooling_fit": "-1"})
    assert "Ensure this value is greater than or equal to 0." in text(response)
    response = pm.post(url, {**base, "currency": "ZZZ"})
    assert "'ZZZ' is not an ISO 4217 currency code" in text(response)
    assert SelectionCriterion.objects.get(selection=selection, key="tooling_fit").weight == Decimal(
        8
    )


def test_a_candidate_name_used_twice_is_refused_on_the_field(scoped, buyer_pm, login) -> None:
    make_candidate(scoped, buyer_pm, "Quebec")
    response = login(buyer_pm).post(
        reverse("engagements:candidate-create", args=[scoped.pk]), candidate_post("Quebec")
    )
    assert response.status_code == 200
    assert "There already is a candidate named Quebec." in text(response)
    assert Candidate.objects.filter(name="Quebec").count() == 1


def test_a_negative_rate_is_refused_naming_its_line(scoped, buyer_pm, login) -> None:
    response = login(buyer_pm).post(
        reverse("engagements:candidate-create", args=[scoped.pk]),
        candidate_post(
            "Romeo",
            [("voice", "", "per_hour", "20", "", ""), ("chat", "", "per_contact", "-3", "", "")],
        ),
    )
    assert response.status_code == 200
    assert "Line 2 (chat): a rate cannot be negative." in text(response)
    assert not Candidate.objects.exists()


def test_a_quote_line_that_is_not_a_number_is_refused_on_its_row(scoped, buyer_pm, login) -> None:
    response = login(buyer_pm).post(
        reverse("engagements:candidate-create", args=[scoped.pk]),
        candidate_post("Romeo", [("chat", "", "per_contact", "cheap", "", "")]),
    )
    assert response.status_code == 200
    assert "Rate: Enter a number." in text(response)
    assert not Candidate.objects.exists()


def test_a_quote_without_lines_is_refused(scoped, buyer_pm, login) -> None:
    response = login(buyer_pm).post(
        reverse("engagements:candidate-create", args=[scoped.pk]),
        candidate_post("Romeo", [("", "", "", "", "", "")]),
    )
    assert response.status_code == 200
    assert "Give the candidate's quote at least one rate line" in text(response)
    assert not Candidate.objects.exists()


def test_editing_a_candidate_shows_and_replaces_its_quote(scoped, buyer_pm, login) -> None:
    complaints = InteractionType.objects.create(
        account=scoped.account, code="complaint-return", name="Complaint / return"
    )
    candidate = make_candidate(
        scoped, buyer_pm, "Whiskey",
        [line("chat", "per_contact", "2.50"), line("chat", "per_contact", "4", kind=complaints)],
    )  # fmt: skip
    pm = login(buyer_pm)
    url = reverse("engagements:candidate-update", args=[candidate.pk])
    form = text(pm.get(url))
    assert 'name="rates-0-rate" value="2.5"' in form
    assert 'name="rates-1-rate" value="4"' in form
    assert 'name="rates-INITIAL_FORMS" value="2"' in form
    # when: the complaints line is removed and voice is added
    data = candidate_post(
        "Whiskey",
        [
            ("chat", "", "per_contact", "2.50", "", ""),
            ("chat", str(complaints.pk), "per_contact", "4", "", ""),
            ("voice", "", "hybrid", "15", "per_hour", "0.40"),
        ],
        initial=2,
    )
    data["rates-1-DELETE"] = "on"
    response = pm.post(url, data)
    assert response.status_code == 302
    assert [
        (r.channel, r.interaction_type_id, r.pricing_model, r.rate, r.hybrid_base,
         r.resolution_bonus)
        for r in candidate.rates.all()
    ] == [
        ("voice", None, "hybrid", Decimal(15), "per_hour", Decimal("0.40")),
        ("chat", None, "per_contact", Decimal("2.50"), "", Decimal(0)),
    ]  # fmt: skip


def test_a_refused_quote_changes_nothing_of_the_candidate(scoped, buyer_pm, login) -> None:
    candidate = make_candidate(scoped, buyer_pm, "Xray", [line("chat", "per_contact", "2.50")])
    response = login(buyer_pm).post(
        reverse("engagements:candidate-update", args=[candidate.pk]),
        candidate_post(
            "Xray renamed",
            [("chat", "", "per_contact", "2.50", "", ""), ("chat", "", "per_hour", "9", "", "")],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert "Line 2 (chat) prices the same contacts as line 1" in text(response)
    candidate.refresh_from_db()
    assert candidate.name == "Xray"
    assert [(r.pricing_model, r.rate) for r in candidate.rates.all()] == [
        ("per_contact", Decimal("2.50"))
    ]


def test_a_refused_candidate_edit_keeps_the_saved_name_in_the_heading(
    scoped, buyer_pm, login
) -> None:
    make_candidate(scoped, buyer_pm, "Sierra")
    tango = make_candidate(scoped, buyer_pm, "Tango")
    response = login(buyer_pm).post(
        reverse("engagements:candidate-update", args=[tango.pk]), candidate_post("Sierra")
    )
    page = text(response)
    assert "Edit Tango" in page
    assert "There already is a candidate named Sierra." in page


# WHO MAY DO WHAT
# ------------------------------------------------------------------------------


@pytest.fixture
def flagged(scoped, buyer_pm):
    candidate = make_candidate(scoped, buyer_pm, "Uniform")
    flag = services.red_flag_add(viewer=viewer_of(buyer_pm), candidate=candidate, kind="opaque_qa")
    return scoped, candidate, flag


def _all_urls(selection: Selection, candidate: Candidate, flag: CandidateRedFlag):
    return [
        ("get", reverse("engagements:selection-list")),
        ("get", reverse("engagements:selection-create")),
        ("get", reverse("engagements:selection-detail", args=[selection.pk])),
        ("get", reverse("engagements:selection-update", args=[selection.pk])),
        ("get", reverse("engagements:candidate-create", args=[selection.pk])),
        ("get", reverse("engagements:candidate-update", args=[candidate.pk])),
        ("get", reverse("engagements:candidate-score", args=[candidate.pk])),
        ("post", reverse("engagements:red-flag-add", args=[candidate.pk])),
        ("post", reverse("engagements:red-flag-delete", args=[flag.pk])),
        ("post", reverse("engagements:candidate-choose", args=[candidate.pk])),
    ]


@pytest.mark.parametrize("persona", ["partner_lead", "partner_viewer"])
def test_partner_users_get_403_everywhere(flagged, persona, request, login) -> None:
    client = login(request.getfixturevalue(persona))
    for method, url in _all_urls(*flagged):
        assert getattr(client, method)(url).status_code == 403, url
    assert CandidateRedFlag.objects.count() == 1
    assert not Partner.objects.filter(name="Uniform").exists()


def test_qa_reviewers_and_executives_read_and_score_but_do_not_manage(
    flagged, buyer_reviewer, buyer_exec, login
) -> None:
    selection, candidate, flag = flagged
    for user in (buyer_reviewer, buyer_exec):
        client = login(user)
        page = text(client.get(reverse("engagements:selection-detail", args=[selection.pk])))
        assert "Score this candidate" in page
        assert "Add a red flag" in page
        assert "Add a candidate" not in page
        assert reverse("engagements:candidate-choose", args=[candidate.pk]) not in page
        for method, url in _all_urls(selection, candidate, flag):
            status = getattr(client, method)(url).status_code
            if "/edit/" in url or "/new/" in url or "choose" in url or "delete" in url:
                assert status == 403, url
            else:
                assert status in {200, 302}, url
    assert not Partner.objects.filter(name="Uniform").exists()


def test_another_accounts_selection_is_a_404(flagged, outsider_pm, login) -> None:
    client = login(outsider_pm)
    for method, url in _all_urls(*flagged)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert "Chat 2026" not in text(client.get(reverse("engagements:selection-list")))
    assert CandidateRedFlag.objects.count() == 1


# QUERY COUNTS
# ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_does_not_query_per_selection(world, buyer_pm, login, today) -> None:
    client = login(buyer_pm)
    url = reverse("engagements:selection-list")
    first = make_selection(buyer_pm, "One")
    write_scope(first, buyer_pm)
    services.candidate_choose(
        viewer=viewer_of(buyer_pm),
        candidate=make_candidate(first, buyer_pm, "Chosen One"),
        today=today,
    )
    one = _queries(client, url)

    for n in range(6):
        selection = make_selection(buyer_pm, f"More {n}")
        write_scope(selection, buyer_pm)
        make_candidate(selection, buyer_pm, f"Other {n}")
        services.candidate_choose(
            viewer=viewer_of(buyer_pm),
            candidate=make_candidate(selection, buyer_pm, f"Winner {n}"),
            today=today,
        )

    assert _queries(client, url) == one


def test_the_comparison_does_not_query_per_candidate_line_evaluator_or_criterion(
    scoped, buyer_pm, buyer_reviewer, buyer_exec, login
) -> None:
    client = login(buyer_pm)
    url = reverse("engagements:selection-detail", args=[scoped.pk])
    first = make_candidate(scoped, buyer_pm, "Victor")
    score_all(first, buyer_pm, 3)
    services.red_flag_add(viewer=viewer_of(buyer_pm), candidate=first, kind="opaque_qa")
    one = _queries(client, url)

    billing = InteractionType.objects.get(account=scoped.account, code="billing")
    for n, model in enumerate(("per_hour", "per_fte", "per_contact", "per_resolved")):
        candidate = make_candidate(
            scoped, buyer_pm, f"Whiskey {n}",
            [
                line("voice", model, "15"),
                line("chat", "per_contact", f"2.{n}"),
                line("chat", "per_resolved", "3", kind=billing),
                line("email", "hybrid", "2", hybrid_base="per_contact", resolution_bonus=1),
            ],
        )  # fmt: skip
        for user in (buyer_pm, buyer_reviewer, buyer_exec):
            score_all(candidate, user, 2 + n % 3)
            services.red_flag_add(
                viewer=viewer_of(user), candidate=candidate, kind="other", note=f"flag {n}"
            )

    assert _queries(client, url) == one
