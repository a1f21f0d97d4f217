"""The engagement over REST: scope versions with their discipline and forecast, candidates
with their comparison figures, scores and red flags, engagement stages and their gates, and
cost per resolved contact; the refusals that write nothing, who sees what, and query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from core.scoping import Viewer
from engagements import domain, selectors, services
from engagements.models import (
    Candidate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeVersion,
    Selection,
)
from kpis.models import Interaction
from kpis.periods import Period, PeriodType
from partners.models import Membership, Partner, User
from partners.scoping import viewer_for_membership
from sla.evaluation import evaluate_contract_month, month_of
from tests.factories.api import error, token_for
from tests.factories.engagements import MIX, bid, line, make_scope
from tests.factories.sla import make_contract, month_snapshot

SCOPES = "/api/v1/scopes/"
CANDIDATES = "/api/v1/candidates/"
EVALUATIONS = "/api/v1/evaluations/"
STAGES = "/api/v1/engagement-stages/"
COSTS = "/api/v1/costs/"
WHAT_IF = "/api/v1/costs/what-if/"

# Selection criteria weights add up to 100 (engagements.domain.DEFAULT_CRITERIA).
KEYS = [c.key for c in domain.DEFAULT_CRITERIA]


def viewer_of(user: User) -> Viewer:
    return viewer_for_membership(Membership.objects.get(user=user))


def months_before(today: date, n: int) -> list[date]:
    """The first days of the n complete months before the current one, oldest first."""
    period, months = month_of(today), []
    for _ in range(n):
        period = period.previous()
        months.append(period.start)
    return months[::-1]


@pytest.fixture
def pm(buyer_pm) -> Viewer:
    return viewer_of(buyer_pm)


@pytest.fixture
def types(pm) -> dict[str, Any]:
    return {t.code: t for t in services.standard_types_ensure(viewer=pm)}


def scope_body(owner: dict[str, int], **overrides: Any) -> dict[str, Any]:
    return {
        **owner,
        "monthly_volume": 5000,
        "first_month": "2027-01-01",
        "lines": [{"channel": ch, "interaction_type": code, "contacts": n} for ch, code, n in MIX],
        "shifts": ["business_hours", "weekend"],
        "languages": "English, Spanish",
        "timezone": "Europe/Dublin",
        "currency": "eur",
        "governance_fte": "1.5",
        "governance_fte_cost": "8000",
        "months": [{"month": "2027-12-01", "contacts": 7000}],
        "baselines": [
            {"channel": "chat", "csat_pct": "88", "fcr_pct": "80", "cost_per_contact": "6.00"}
        ],
        "items": [
            {"kind": "escalation", "text": "Legal threats come back in-house"},
            {
                "kind": "compliance",
                "framework": "pci",
                "text": "No card numbers in chat",
                "evidence": ["https://wiki.example.com/pci"],
                "done": True,
            },
        ],
        "note": "Chat and email from January",
        **overrides,
    }


@pytest.fixture
def selection(pm) -> Selection:
    return services.selection_create(viewer=pm, name="Chat and email 2027", currency="USD")


def make_candidate(
    pm: Viewer,
    selection: Selection,
    name: str,
    rates: list[services.RateInput] | None = None,
    **fields: Any,
) -> Candidate:
    """A candidate quoting 18.00 an agent hour on chat and on email, 10 % WFM and 5 % QA on
    top, unless told otherwise."""
    values = {"wfm_pct": Decimal(10), "qa_pct": Decimal(5), **fields}
    quote = rates or [line("chat", "per_hour", "18"), line("email", "per_hour", "18")]
    return bid(pm, selection, name, quote, **values)


def score(user: User, candidate: Candidate, values: dict[str, int]) -> None:
    services.scores_save(
        viewer=viewer_of(user),
        candidate=candidate,
        scores=[services.ScoreInput(key, value) for key, value in values.items()],
    )


def candidate_body(selection: Selection, **overrides: Any) -> dict[str, Any]:
    return {
        "selection": selection.pk,
        "name": "Acme BPO",
        "delivery_model": "nearshore",
        "country": "Colombia",
        "operations_manager": "Ana Ops",
        "rates": [
            {"channel": "chat", "pricing_model": "per_hour", "rate": "18.00"},
            {"channel": "email", "pricing_model": "per_hour", "rate": "18.00"},
        ],
        "wfm_pct": "10",
        "qa_pct": "5",
        **overrides,
    }


def query_count(client: Any, url: str, expected: int, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 500, **(params or {})})
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == expected
    return len(ctx.captured_queries)


# SCOPES
# ------------------------------------------------------------------------------


def test_program_manager_saves_scope_versions_of_a_partner(api_login, buyer_pm, world, types):
    client = api_login(buyer_pm)
    response = client.post(SCOPES, scope_body({"partner": world.harbor.pk}), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["partner"], body["selection"], body["version"]) == (world.harbor.pk, None, 1)
    assert (body["currency"], body["timezone"], body["shifts"]) == (
        "EUR",
        "Europe/Dublin",
        ["business_hours", "weekend"],
    )
    assert {(li["channel"], li["interaction_type"], li["contacts"]) for li in body["lines"]} == set(
        MIX
    )
    assert body["months"] == [{"month": "2027-12-01", "contacts": 7000}]
    # In-house cost per resolved contact: 6.00 / 80 % FCR.
    baseline = body["baselines"][0]
    assert (baseline["cost_per_contact"], baseline["cost_per_resolved"]) == ("6.0000", "7.50")
    assert (body["governance_fte_cost"], body["governance_monthly"]) == ("8000.0000", "12000.0000")
    assert [(i["kind"], i["framework"], i["done"]) for i in body["items"]] == [
        ("compliance", "pci", True),
        ("escalation", "", False),
    ]
    assert body["created_by_name"] == buyer_pm.display_name
    # The next version is written beside the first, which stays as it was.
    again = client.post(
        SCOPES, scope_body({"partner": world.harbor.pk}, monthly_volume=5000), format="json"
    )
    assert again.json()["version"] == 2
    listed = client.get(SCOPES, {"partner": world.harbor.pk}).json()
    assert [s["version"] for s in listed["results"]] == [2, 1]
    detail = client.get(f"{SCOPES}{body['id']}/").json()
    assert detail["version"] == 1
    assert detail["items"][0]["evidence"] == ["https://wiki.example.com/pci"]


def test_program_manager_writes_a_selections_scope(api_login, buyer_pm, selection, types):
    client = api_login(buyer_pm)
    response = client.post(SCOPES, scope_body({"selection": selection.pk}), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["partner"], response.json()["selection"]) == (None, selection.pk)
    listed = client.get(SCOPES, {"selection": selection.pk}).json()["results"]
    assert [s["id"] for s in listed] == [response.json()["id"]]


def test_a_mix_not_adding_up_is_refused_with_the_services_message(
    api_login, buyer_pm, world, types
):
    lines = [{"channel": ch, "interaction_type": code, "contacts": n} for ch, code, n in MIX]
    lines[0]["contacts"] = 2400
    response = api_login(buyer_pm).post(
        SCOPES, scope_body({"partner": world.harbor.pk}, lines=lines), format="json"
    )
    assert response.status_code == 400
    problem = error(response)
    assert (problem["attr"], problem["code"]) == ("lines", "invalid_scope")
    assert problem["detail"] == (
        "The mix adds up to 4,900 contacts a month, not the 5,000 forecast: 100 missing."
    )
    assert not ScopeVersion.objects.exists()


@pytest.mark.parametrize(
    ("change", "attr", "words"),
    [
        ("unknown_type", "lines", "No interaction type 'warranty' in this account."),
        ("both_owners", "partner", "Name either the partner or the selection"),
        ("no_owner", "partner", "Name either the partner or the selection"),
        ("other_account", "partner", "No partner with id"),
        ("mid_month", "first_month", "The forecast starts on the first day of a month."),
        ("bad_zone", "timezone", "'Mars/Olympus' is not a time zone"),
        ("bad_currency", "currency", "'XXQ' is not an ISO 4217 currency code"),
        ("no_shift", "shifts", "Choose at least one shift"),
        ("two_baselines", "baselines", "Give one in-house baseline per channel."),
    ],
)
def test_a_scope_with_a_problem_is_refused_naming_it(
    api_login, buyer_pm, world, types, selection, change, attr, words
):
    owner = {"partner": world.harbor.pk}
    overrides: dict[str, Any] = {}
    if change == "unknown_type":
        lines = scope_body(owner)["lines"]
        lines[-1]["interaction_type"] = "warranty"
        overrides = {"lines": lines}
    elif change == "both_owners":
        owner = {"partner": world.harbor.pk, "selection": selection.pk}
    elif change == "no_owner":
        owner = {}
    elif change == "other_account":
        owner = {"partner": world.zanzibar.pk}
    elif change == "mid_month":
        overrides = {"first_month": "2027-01-15"}
    elif change == "bad_zone":
        overrides = {"timezone": "Mars/Olympus"}
    elif change == "bad_currency":
        overrides = {"currency": "XXQ"}
    elif change == "no_shift":
        overrides = {"shifts": []}
    elif change == "two_baselines":
        overrides = {"baselines": [{"channel": "chat"}, {"channel": "chat", "fcr_pct": "70"}]}
    response = api_login(buyer_pm).post(SCOPES, scope_body(owner, **overrides), format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert "Zanzibar" not in response.content.decode()
    assert not ScopeVersion.objects.exists()


def test_partner_side_sees_only_its_own_partners_scopes_without_the_buyers_costs(
    api_login, buyer_pm, partner_lead, pm, types, world, selection
):
    harbor = make_scope(pm, types, partner=world.harbor)
    pacific = make_scope(pm, types, partner=world.pacific)
    chosen_for = make_scope(pm, types, selection=selection)
    _, token = token_for(buyer_pm, partner=world.harbor)
    for client in (api_login(partner_lead), token):
        listed = client.get(SCOPES).json()["results"]
        assert [s["id"] for s in listed] == [harbor.pk]
        assert listed[0]["governance_fte_cost"] is None
        assert listed[0]["governance_monthly"] is None
        assert listed[0]["baselines"][0]["cost_per_contact"] is None
        assert listed[0]["baselines"][0]["cost_per_resolved"] is None
        assert listed[0]["baselines"][0]["fcr_pct"] == "80.00"
        for other in (pacific, chosen_for):
            assert client.get(f"{SCOPES}{other.pk}/").status_code == 404
        assert client.get(SCOPES, {"selection": selection.pk}).status_code == 400
        assert client.get(SCOPES, {"partner": world.pacific.pk}).status_code == 400
    # The buyer sees every scope of the account, with its costs.
    buyer = api_login(buyer_pm).get(SCOPES).json()
    assert buyer["count"] == 3
    assert {s["governance_fte_cost"] for s in buyer["results"]} == {"8000.0000"}


def test_partner_side_and_read_only_tokens_cannot_write_scopes(
    api_login, buyer_pm, partner_lead, world, types
):
    body = scope_body({"partner": world.harbor.pk})
    response = api_login(partner_lead).post(SCOPES, body, format="json")
    assert response.status_code == 403
    assert "Partner QA lead" in error(response)["detail"]
    _, read_only = token_for(buyer_pm, read_only=True)
    response = read_only.post(SCOPES, body, format="json")
    assert response.status_code == 403
    assert error(response)["detail"] == "This API token is read-only."
    assert not ScopeVersion.objects.exists()


def _opened(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def test_scope_discipline_counts_contacts_against_the_scope(
    api_login, buyer_pm, partner_lead, pm, types, world, today
):
    version = make_scope(pm, types, partner=world.harbor)  # UTC, business hours only
    tuesday = today - timedelta(days=today.weekday() - 1 + 7)
    saturday = tuesday + timedelta(days=4)
    contacts = [
        ("chat", "order-status", tuesday, 10),
        ("chat", "order-status", tuesday, 11),
        ("email", "billing", tuesday, 9),
        ("voice", "billing", tuesday, 10),  # no voice in the scope
        ("chat", "billing", tuesday, 10),  # billing is scoped on email only
        ("chat", "order-status", saturday, 10),  # weekends are not covered
    ]
    for n, (channel, code, day, hour) in enumerate(contacts):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel=channel,
            interaction_type=types[code], external_id=f"T-{n}", opened_at=_opened(day, hour),
        )  # fmt: skip
    url = f"{SCOPES}{version.pk}/discipline/"
    for client in (api_login(buyer_pm), api_login(partner_lead)):
        body = client.get(url, {"start": tuesday, "end": saturday}).json()
        assert (body["contacts"], body["in_scope"], body["share"]) == (6, 3, "0.500")
        assert body["healthy"] is False
        assert {
            (o["channel"], o["interaction_type"], o["reason"]) for o in body["out_of_scope"]
        } == {
            ("voice", "billing", "channel"),
            ("chat", "billing", "type"),
            ("chat", "order-status", "shift"),
        }
        assert {o["reason_text"] for o in body["out_of_scope"]} >= {"shift not covered"}
    # Without dates: the four weeks up to yesterday, which hold the same contacts.
    recent = api_login(buyer_pm).get(url).json()
    assert (recent["end"], recent["contacts"]) == ((today - timedelta(days=1)).isoformat(), 6)


@pytest.mark.parametrize(
    ("params", "attr", "words"),
    [
        ({"start": "2026-10-10", "end": "2026-10-01"}, "end", "is before the start"),
        ({"start": "2026-10-01"}, "end", "Give both start and end, or neither."),
        ({"end": "2026-10-01"}, "start", "Give both start and end, or neither."),
        ({"start": "yesterday", "end": "2026-10-01"}, "start", "Date has wrong format"),
        ({"start": "2025-01-01", "end": "2026-10-01"}, "end", "366 days at most, not 639"),
    ],
)
def test_bad_discipline_dates_are_refused(
    api_login, buyer_pm, pm, types, world, params, attr, words
):
    version = make_scope(pm, types, partner=world.harbor)
    response = api_login(buyer_pm).get(f"{SCOPES}{version.pk}/discipline/", params)
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]


def test_a_selections_scope_has_no_discipline_nor_actual_volume(
    api_login, buyer_pm, pm, types, selection
):
    version = make_scope(pm, types, selection=selection)
    for path in ("discipline", "forecast-vs-actual"):
        response = api_login(buyer_pm).get(f"{SCOPES}{version.pk}/{path}/")
        assert response.status_code == 400
        assert error(response)["code"] == "no_partner"
        assert "selection's scope" in error(response)["detail"]


def test_forecast_against_actual_volume(api_login, partner_lead, pm, types, world, today):
    version = make_scope(pm, types, partner=world.harbor)
    previous, last = months_before(today, 2)
    month_snapshot(world.harbor, "chat", last, contacts=3000)
    month_snapshot(world.harbor, "email", last, contacts=1500)
    month_snapshot(world.harbor, "chat", previous, contacts=3500)
    url = f"{SCOPES}{version.pk}/forecast-vs-actual/"
    body = api_login(partner_lead).get(url, {"months": 2}).json()
    assert [m["month"] for m in body["months"]] == [previous.isoformat(), last.isoformat()]
    newest = body["months"][1]
    assert (newest["forecast"], newest["actual"], newest["gap"]) == (5000, 4500, "-0.100")
    assert newest["forecast_by_channel"] == {"chat": 3700, "email": 1300}
    assert newest["actual_by_channel"] == {"chat": 3000, "email": 1500}
    assert body["actual_peak_to_trough"] == "1.29"
    assert (body["by_type"], body["by_type_month"]) == ([], None)
    assert len(api_login(partner_lead).get(url).json()["months"]) == 12
    response = api_login(partner_lead).get(url, {"months": 0})
    assert (response.status_code, error(response)["attr"]) == (400, "months")


def test_scope_list_queries_do_not_grow_with_scopes(api_login, buyer_pm, pm, types, world):
    make_scope(pm, types, partner=world.harbor)
    client = api_login(buyer_pm)
    few = query_count(client, SCOPES, 1)
    for partner in (world.harbor, world.pacific, world.harbor, world.pacific):
        make_scope(pm, types, partner=partner)
    assert query_count(client, SCOPES, 5) == few


# CANDIDATES
# ------------------------------------------------------------------------------


def test_program_manager_adds_and_changes_a_candidate(api_login, buyer_pm, selection, types):
    client = api_login(buyer_pm)
    response = client.post(CANDIDATES, candidate_body(selection), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    # Each line's loaded rate: 18 plus 10 % WFM and 5 % QA.
    assert [(r["channel"], r["rate"], r["loaded_rate"]) for r in body["rates"]] == [
        ("email", "18.0000", "20.7000"),
        ("chat", "18.0000", "20.7000"),
    ]
    assert body["loaded_pct"] == "15.00"
    assert (body["attrition_trend"], body["partner"], body["red_flags"]) == ("unknown", None, [])
    url = f"{CANDIDATES}{body['id']}/"
    # A change without `rates` keeps the card.
    response = client.patch(
        url, {"attrition_pct": "34.5", "attrition_trend": "falling"}, format="json"
    )
    assert response.status_code == 200, response.json()
    candidate = Candidate.objects.get(pk=body["id"])
    assert (candidate.attrition_pct, candidate.attrition_trend) == (Decimal("34.5"), "falling")
    assert candidate.rates.count() == 2
    # With `rates`, the card is replaced: voice per hour, chat by the contact with complaints
    # above the rest, a hybrid on email.
    rates = [
        {"channel": "voice", "pricing_model": "per_hour", "rate": "21.50"},
        {"channel": "chat", "pricing_model": "per_contact", "rate": "2.40", "currency": "usd"},
        {
            "channel": "chat",
            "interaction_type": types["complaint-return"].pk,
            "pricing_model": "per_contact",
            "rate": "3.90",
        },
        {
            "channel": "email",
            "pricing_model": "hybrid",
            "hybrid_base": "per_contact",
            "rate": "2.00",
            "resolution_bonus": "0.50",
        },
    ]
    response = client.patch(url, {"rates": rates}, format="json")
    assert response.status_code == 200, response.json()
    assert [
        (r["channel"], r["interaction_type_code"], r["pricing_model"], r["rate"], r["loaded_rate"],
         r["loaded_resolution_bonus"])
        for r in response.json()["rates"]
    ] == [
        ("voice", None, "per_hour", "21.5000", "24.7250", "0.0000"),
        ("email", None, "hybrid", "2.0000", "2.3000", "0.5750"),
        ("chat", None, "per_contact", "2.4000", "2.7600", "0.0000"),
        ("chat", "complaint-return", "per_contact", "3.9000", "4.4850", "0.0000"),
    ]  # fmt: skip
    other = services.selection_create(viewer=viewer_of(buyer_pm), name="Voice 2028")
    make_candidate(viewer_of(buyer_pm), other, "Beta Contact")
    listed = client.get(CANDIDATES, {"selection": selection.pk}).json()["results"]
    assert [c["name"] for c in listed] == ["Acme BPO"]


ONE_CHAT_LINE = {"channel": "chat", "pricing_model": "per_contact", "rate": "2.00"}


@pytest.mark.parametrize(
    ("overrides", "attr", "words"),
    [
        ({"name": "Taken"}, "name", "There already is a candidate named Taken."),
        (
            {"rates": [{**ONE_CHAT_LINE, "rate": "-1"}]},
            "rates",
            "Line 1 (chat): a rate cannot be negative.",
        ),
        ({"rates": [{**ONE_CHAT_LINE, "rate": "cheap"}]}, "rates.0.rate", "A valid number"),
        (
            {"rates": [ONE_CHAT_LINE, {**ONE_CHAT_LINE, "pricing_model": "per_hour"}]},
            "rates",
            "Line 2 (chat) prices the same contacts as line 1: one line per channel and "
            "interaction type.",
        ),
        (
            {"rates": [{**ONE_CHAT_LINE, "currency": "EUR"}]},
            "rates",
            "Line 1 (chat) is in EUR, the selection in USD",
        ),
        (
            {"rates": [{**ONE_CHAT_LINE, "pricing_model": "hybrid"}]},
            "rates",
            "Line 1 (chat): a hybrid price needs a base",
        ),
        ({"rates": [{**ONE_CHAT_LINE, "channel": "fax"}]}, "rates.0.channel", "not a valid"),
        ({"rates": []}, "rates.non_field_errors", "This list may not be empty."),
        ({"rates": None}, "rates", "Give the candidate's quote"),
        ({"selection": "globex"}, "selection", "No selection with id"),
        ({"wfm_pct": "140"}, "wfm_pct", "less than or equal to 100"),
    ],
)
def test_a_candidate_with_a_problem_is_refused_naming_it(
    api_login, buyer_pm, outsider_pm, pm, selection, overrides, attr, words
):
    make_candidate(pm, selection, "Taken")
    body = {**candidate_body(selection), **overrides}
    if overrides.get("selection") == "globex":
        globex = services.selection_create(viewer=viewer_of(outsider_pm), name="Globex pick")
        body["selection"] = globex.pk
    if "rates" in overrides and overrides["rates"] is None:
        del body["rates"]
    response = api_login(buyer_pm).post(CANDIDATES, body, format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert Candidate.objects.count() == 1


def test_a_refused_card_leaves_the_candidate_as_it_was(api_login, buyer_pm, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    response = api_login(buyer_pm).patch(
        f"{CANDIDATES}{acme.pk}/",
        {
            "country": "Peru",
            "rates": [ONE_CHAT_LINE, {**ONE_CHAT_LINE, "channel": "email", "rate": "-2"}],
        },
        format="json",
    )
    assert (response.status_code, error(response)["attr"]) == (400, "rates")
    assert error(response)["detail"] == "Line 2 (email): a rate cannot be negative."
    acme.refresh_from_db()
    assert acme.country == ""
    assert [(r.channel, r.rate) for r in acme.rates.all()] == [
        ("email", Decimal(18)),
        ("chat", Decimal(18)),
    ]


def test_a_candidate_stays_in_its_selection(api_login, buyer_pm, pm, selection):
    candidate = make_candidate(pm, selection, "Acme BPO")
    other = services.selection_create(viewer=pm, name="Voice 2028")
    response = api_login(buyer_pm).patch(
        f"{CANDIDATES}{candidate.pk}/", {"selection": other.pk}, format="json"
    )
    assert (response.status_code, error(response)["attr"]) == (400, "selection")
    candidate.refresh_from_db()
    assert candidate.selection == selection


def test_a_candidate_shows_its_comparison_figures(
    api_login, buyer_pm, buyer_reviewer, buyer_exec, pm, types, selection
):
    """The scope's month: chat 3,700 contacts (370 h, 2,775 resolved at 75 %), email 1,300
    (130 h, 975 resolved).
    Acme: 18.00 an hour on both, 15 % on top: 500 h × 18 = 9,000.00, loaded 10,350.00, for
    3,750 resolved: 2.76.
    Beta: chat 16.00 an hour, email 2.00 a contact, 35 % on top: chat 5,920.00, email
    2,600.00: 8,520.00, loaded 7,992.00 + 3,510.00 = 11,502.00: 3.07 a resolved contact.
    On chat per hour Beta's 16.00 loads to 21.60, 4.3 % above Acme's 20.70."""
    make_scope(pm, types, selection=selection)
    acme = make_candidate(pm, selection, "Acme BPO")
    beta = make_candidate(
        pm, selection, "Beta Contact",
        [line("chat", "per_hour", "16"), line("email", "per_contact", "2.00")],
        wfm_pct=Decimal(25), qa_pct=Decimal(10),
    )  # fmt: skip
    score(buyer_reviewer, acme, dict.fromkeys(KEYS, 4))
    score(buyer_pm, acme, {**dict.fromkeys(KEYS, 3), "floor_management": 5})
    score(buyer_exec, acme, {"domain_depth": 2})
    services.red_flag_add(viewer=pm, candidate=acme, kind="opaque_qa")
    body = api_login(buyer_pm).get(f"{CANDIDATES}{acme.pk}/").json()
    figures = body["comparison"]
    # Weighted scores: 4.00 and 3 + 20 × 2 / 100 = 3.40; their median 3.70.
    assert (figures["score"], figures["low"], figures["high"]) == ("3.70", "3.40", "4.00")
    assert (figures["evaluators_complete"], figures["evaluators"]) == (2, 3)
    assert figures["incomplete"] == [buyer_exec.display_name]
    assert {(s["evaluator"], s["score"]) for s in figures["evaluator_scores"]} == {
        (buyer_reviewer.display_name, "4.00"),
        (buyer_pm.display_name, "3.40"),
    }
    medians = {c["criterion"]: c["median"] for c in figures["criteria"]}
    assert (medians["floor_management"], medians["domain_depth"]) == ("4.50", "3.00")
    email, chat = figures["lines"]
    assert (email["channel"], email["pricing_model"], email["peers"]) == ("email", "per_hour", 1)
    assert (email["loaded_above_cheapest"], email["headline_rank"]) == (None, None)
    assert (chat["loaded_rate"], chat["loaded_above_cheapest"], chat["headline_rank"]) == (
        "20.7000",
        "0.0",
        2,
    )
    assert (chat["peers"], chat["dearer_loaded_than"]) == (2, [])
    projection = figures["projection"]
    assert figures["monthly_volume"] == 5000
    assert (projection["hours"], projection["resolved"]) == ("500.00", 3750)
    assert (projection["headline_cost"], projection["loaded_cost"]) == ("9000.0000", "10350.0000")
    assert projection["cost_per_resolved"] == "2.76"
    assert (projection["complete"], projection["not_quoted"]) == (True, [])
    assert [
        (c["channel"], c["contacts"], c["hours"], c["resolved"], c["headline_cost"],
         c["loaded_cost"])
        for c in projection["channels"]
    ] == [
        ("email", 1300, "130.00", 975, "2340.0000", "2691.0000"),
        ("chat", 3700, "370.00", 2775, "6660.0000", "7659.0000"),
    ]  # fmt: skip
    assert projection["channels"][0]["explanation"] == (
        "130 email agent hours × 18.00 USD = 2,340.00 USD"
    )
    assert [f["kind"] for f in body["red_flags"]] == ["opaque_qa"]
    beta_figures = api_login(buyer_pm).get(f"{CANDIDATES}{beta.pk}/").json()["comparison"]
    beta_chat = beta_figures["lines"][1]
    assert (beta_chat["loaded_rate"], beta_chat["loaded_above_cheapest"]) == ("21.6000", "4.3")
    assert (beta_chat["headline_rank"], beta_chat["dearer_loaded_than"]) == (1, ["Acme BPO"])
    beta_projection = beta_figures["projection"]
    assert (beta_projection["headline_cost"], beta_projection["loaded_cost"]) == (
        "8520.0000",
        "11502.0000",
    )
    assert beta_projection["cost_per_resolved"] == "3.07"
    assert (beta_figures["score"], beta_figures["evaluators_complete"]) == (None, 0)


def test_a_quote_that_leaves_a_channel_out_says_so(api_login, buyer_pm, pm, types, selection):
    """Chat only, 1.50 a contact: 3,700 × 1.50 = 5,550.00, loaded with 15 % 6,382.50, over
    the 2,775 chat resolutions: 2.30. Email is not quoted, not free."""
    make_scope(pm, types, selection=selection)
    gamma = make_candidate(pm, selection, "Gamma", [line("chat", "per_contact", "1.50")])
    projection = (
        api_login(buyer_pm).get(f"{CANDIDATES}{gamma.pk}/").json()["comparison"]["projection"]
    )
    assert (projection["complete"], projection["not_quoted"]) == (False, ["email"])
    assert (projection["headline_cost"], projection["loaded_cost"]) == ("5550.0000", "6382.5000")
    assert projection["cost_per_resolved"] == "2.30"
    email = projection["channels"][0]
    assert (email["channel"], email["quoted"], email["headline_cost"], email["explanation"]) == (
        "email",
        False,
        None,
        None,
    )
    assert (email["contacts"], email["resolved"]) == (1300, 975)


def test_choosing_a_candidate_makes_it_a_partner_once(
    api_login, buyer_pm, pm, types, selection, today
):
    make_scope(pm, types, selection=selection)
    acme = make_candidate(pm, selection, "Acme BPO")
    beta = make_candidate(pm, selection, "Beta Contact")
    client = api_login(buyer_pm)
    response = client.post(f"{CANDIDATES}{acme.pk}/choose/")
    assert response.status_code == 200, response.json()
    partner = Partner.objects.get(name="Acme BPO")
    assert response.json()["partner"] == partner.pk
    assert ScopeVersion.objects.get(selection=selection).partner == partner
    assert EngagementStage.objects.get(partner=partner).kind == "selection"
    partners = Partner.objects.count()
    for candidate in (beta, acme):
        response = client.post(f"{CANDIDATES}{candidate.pk}/choose/")
        assert response.status_code == 400
        assert error(response)["code"] == "already_chosen"
        assert "This selection already chose Acme BPO" in error(response)["detail"]
    assert Partner.objects.count() == partners
    beta.refresh_from_db()
    assert beta.partner is None


def test_choosing_before_the_scope_is_written_is_refused(api_login, buyer_pm, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    response = api_login(buyer_pm).post(f"{CANDIDATES}{acme.pk}/choose/")
    assert (response.status_code, error(response)["code"]) == (400, "scope_missing")
    assert not Partner.objects.filter(name="Acme BPO").exists()


def test_buyer_side_people_raise_red_flags(api_login, buyer_pm, buyer_reviewer, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    url = f"{CANDIDATES}{acme.pk}/red-flags/"
    response = api_login(buyer_reviewer).post(
        url, {"kind": "no_attrition_figure", "note": "Would not say"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind_label"] == "No attrition figure"
    assert response.json()["raised_by_name"] == buyer_reviewer.display_name
    response = api_login(buyer_pm).post(url, {"kind": "other"}, format="json")
    assert (response.status_code, error(response)["attr"]) == (400, "note")
    assert error(response)["detail"] == "Say what the red flag is."
    # A token is nobody in particular: it cannot raise one.
    _, token = token_for(buyer_pm)
    response = token.post(url, {"kind": "opaque_qa"}, format="json")
    assert (response.status_code, error(response)["code"]) == (400, "permission_denied")
    assert list(CandidateRedFlag.objects.values_list("kind", flat=True)) == ["no_attrition_figure"]
    # Only program managers add candidates or choose one.
    response = api_login(buyer_reviewer).post(
        CANDIDATES, candidate_body(selection, name="Gamma"), format="json"
    )
    assert response.status_code == 403


def test_candidate_list_queries_do_not_grow_with_candidates_or_lines(
    api_login, buyer_pm, pm, selection
):
    services.red_flag_add(viewer=pm, candidate=make_candidate(pm, selection, "C0"), kind="other",
                          note="Late")  # fmt: skip
    client = api_login(buyer_pm)
    few = query_count(client, CANDIDATES, 1)
    for n in range(1, 6):
        candidate = make_candidate(
            pm, selection, f"C{n}",
            [line("voice", "per_hour", "20"), line("chat", "per_contact", "2"),
             line("email", "per_resolved", f"3.{n}")],
        )  # fmt: skip
        services.red_flag_add(viewer=pm, candidate=candidate, kind="opaque_qa")
    assert query_count(client, CANDIDATES, 6) == few


# EVALUATIONS
# ------------------------------------------------------------------------------


def test_a_signed_in_buyer_scores_a_candidate(api_login, buyer_pm, buyer_reviewer, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    scores = [{"criterion": key, "score": 4, "evidence": ""} for key in KEYS]
    scores[0] = {"criterion": "floor_management", "score": 5, "evidence": "1:12 team leads"}
    response = api_login(buyer_reviewer).post(
        EVALUATIONS, {"candidate": acme.pk, "scores": scores}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["candidate"], body["written"], len(body["scores"])) == (acme.pk, 9, 9)
    first = body["scores"][0]
    assert (first["criterion"], first["score"], first["evidence"]) == (
        "floor_management",
        5,
        "1:12 team leads",
    )
    assert first["evaluator"] == "reviewer@northwind.test"
    assert first["criterion_name"] == "Floor-management maturity"
    # A null score takes an earlier one back.
    response = api_login(buyer_reviewer).post(
        EVALUATIONS,
        {"candidate": acme.pk, "scores": [{"criterion": "tooling_fit", "score": None}]},
        format="json",
    )
    assert (response.json()["written"], len(response.json()["scores"])) == (0, 8)
    score(buyer_pm, acme, {"floor_management": 3})
    client = api_login(buyer_pm)
    assert client.get(EVALUATIONS, {"candidate": acme.pk}).json()["count"] == 9
    assert client.get(EVALUATIONS, {"selection": selection.pk}).json()["count"] == 9
    mine = client.get(EVALUATIONS, {"evaluator": "PM@northwind.test"}).json()["results"]
    assert [(s["criterion"], s["score"]) for s in mine] == [("floor_management", 3)]
    by_criterion = client.get(EVALUATIONS, {"criterion": "floor_management"}).json()
    assert sorted(s["score"] for s in by_criterion["results"]) == [3, 5]


@pytest.mark.parametrize("bad", [0, 6])
def test_a_score_outside_one_to_five_is_refused_naming_the_criterion(
    api_login, buyer_reviewer, pm, selection, bad
):
    acme = make_candidate(pm, selection, "Acme BPO")
    scores = [
        {"criterion": "domain_depth", "score": 4},
        {"criterion": "qa_process", "score": bad},
    ]
    response = api_login(buyer_reviewer).post(
        EVALUATIONS, {"candidate": acme.pk, "scores": scores}, format="json"
    )
    assert response.status_code == 400
    problem = error(response)
    assert (problem["attr"], problem["code"]) == ("scores", "invalid_score")
    assert problem["detail"] == f"QA process: A score is a whole number from 1 to 5, not {bad}."
    assert not CandidateScore.objects.exists()


def test_bad_score_references_are_refused(api_login, buyer_reviewer, outsider_pm, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    client = api_login(buyer_reviewer)
    response = client.post(
        EVALUATIONS,
        {"candidate": acme.pk, "scores": [{"criterion": "charisma", "score": 3}]},
        format="json",
    )
    assert error(response)["detail"] == "No criterion 'charisma' in this selection."
    globex = services.selection_create(viewer=viewer_of(outsider_pm), name="Globex pick")
    theirs = make_candidate(viewer_of(outsider_pm), globex, "Zeta")
    response = client.post(
        EVALUATIONS,
        {"candidate": theirs.pk, "scores": [{"criterion": "qa_process", "score": 3}]},
        format="json",
    )
    assert (response.status_code, error(response)["attr"]) == (400, "candidate")
    response = client.post(EVALUATIONS, {"candidate": acme.pk, "scores": []}, format="json")
    assert response.status_code == 400
    assert error(response)["attr"].startswith("scores")
    assert not CandidateScore.objects.exists()


def test_an_api_token_cannot_score(buyer_pm, pm, selection):
    acme = make_candidate(pm, selection, "Acme BPO")
    _, token = token_for(buyer_pm)
    response = token.post(
        EVALUATIONS,
        {"candidate": acme.pk, "scores": [{"criterion": "qa_process", "score": 3}]},
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["code"] == "permission_denied"
    assert error(response)["detail"] == (
        "Candidates are scored by the buyer's people, each signed in as themselves."
    )
    assert not CandidateScore.objects.exists()


def test_evaluation_list_queries_do_not_grow_with_scores(
    api_login, buyer_pm, buyer_reviewer, pm, selection
):
    score(buyer_reviewer, make_candidate(pm, selection, "C0"), {"qa_process": 4})
    client = api_login(buyer_pm)
    few = query_count(client, EVALUATIONS, 1)
    for n in range(1, 4):
        candidate = make_candidate(pm, selection, f"C{n}")
        score(buyer_reviewer, candidate, dict.fromkeys(KEYS, 3))
        score(buyer_pm, candidate, {"qa_process": 5})
    assert query_count(client, EVALUATIONS, 31) == few


# BUYER-ONLY DATA
# ------------------------------------------------------------------------------


def test_partner_side_cannot_see_candidates_scores_or_costs(
    api_login, buyer_pm, buyer_reviewer, partner_lead, pm, selection, world
):
    acme = make_candidate(pm, selection, "Acme BPO")
    score(buyer_reviewer, acme, {"qa_process": 4})
    evaluation = CandidateScore.objects.get()
    _, token = token_for(buyer_pm, partner=world.harbor)
    urls = [
        (CANDIDATES, {}, "Candidates are the buyer's own"),
        (f"{CANDIDATES}{acme.pk}/", {}, "Candidates are the buyer's own"),
        (EVALUATIONS, {}, "Candidates and their scores are the buyer's own"),
        (f"{EVALUATIONS}{evaluation.pk}/", {}, "Candidates and their scores"),
        (COSTS, {"partner": world.harbor.pk}, "Costs are the buyer's own"),
        (WHAT_IF, {"partner": world.harbor.pk}, "Costs are the buyer's own"),
    ]
    for client in (api_login(partner_lead), token):
        for url, params, words in urls:
            response = client.get(url, params)
            assert response.status_code == 403, url
            assert words in error(response)["detail"]
            assert "Acme" not in response.content.decode()
        response = client.post(
            f"{CANDIDATES}{acme.pk}/red-flags/", {"kind": "opaque_qa"}, format="json"
        )
        assert response.status_code == 403
    assert not CandidateRedFlag.objects.exists()


def test_read_only_token_reads_but_never_writes(buyer_pm, pm, types, selection, world):
    make_scope(pm, types, selection=selection)
    acme = make_candidate(pm, selection, "Acme BPO")
    _, client = token_for(buyer_pm, read_only=True)
    for url in (SCOPES, CANDIDATES, EVALUATIONS, STAGES, f"{CANDIDATES}{acme.pk}/"):
        assert client.get(url).status_code == 200, url
    assert client.get(COSTS, {"partner": world.harbor.pk}).status_code == 200
    writes = [
        ("post", SCOPES, scope_body({"partner": world.harbor.pk})),
        ("post", CANDIDATES, candidate_body(selection, name="Gamma")),
        ("patch", f"{CANDIDATES}{acme.pk}/", {"country": "Peru"}),
        ("post", f"{CANDIDATES}{acme.pk}/choose/", {}),
        ("post", f"{CANDIDATES}{acme.pk}/red-flags/", {"kind": "opaque_qa"}),
        ("post", EVALUATIONS, {"candidate": acme.pk, "scores": [{"criterion": "qa_process",
                                                                 "score": 3}]}),
        ("post", STAGES, {"partner": world.harbor.pk, "kind": "pilot"}),
    ]  # fmt: skip
    for method, url, body in writes:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert error(response)["detail"] == "This API token is read-only."
    assert ScopeVersion.objects.count() == 1
    assert list(Candidate.objects.values_list("name", "country", "partner")) == [
        ("Acme BPO", "", None)
    ]
    assert not CandidateRedFlag.objects.exists()
    assert not CandidateScore.objects.exists()
    assert not EngagementStage.objects.exists()


# ENGAGEMENT STAGES
# ------------------------------------------------------------------------------


def pilot_body(world: Any, started_on: date, **overrides: Any) -> dict[str, Any]:
    return {
        "partner": world.harbor.pk,
        "kind": "pilot",
        "description": "Order status on chat, business hours",
        "started_on": started_on.isoformat(),
        "channels": ["chat"],
        "interaction_types": ["order-status"],
        "shifts": ["business_hours"],
        "ramp_weeks": 8,
        **overrides,
    }


def expansion_body(world: Any, started_on: date, **overrides: Any) -> dict[str, Any]:
    return {
        "partner": world.harbor.pk,
        "kind": "expansion",
        "expansion": "interaction_type",
        "started_on": started_on.isoformat(),
        "interaction_types": ["product-question"],
        **overrides,
    }


def test_a_red_gate_needs_a_reason_to_expand(api_login, buyer_pm, world, types, days_ago):
    client = api_login(buyer_pm)
    response = client.post(STAGES, pilot_body(world, days_ago(100)), format="json")
    assert response.status_code == 201, response.json()
    pilot = response.json()
    assert (pilot["kind"], pilot["title"], pilot["gate_green"]) == ("pilot", "Pilot", None)
    assert (pilot["interaction_types"], pilot["ramp_flag"]) == (["order-status"], "")
    # No SLA results nor calibration yet: the gate is red, and says why.
    response = client.post(STAGES, expansion_body(world, days_ago(10)), format="json")
    assert response.status_code == 400
    problem = error(response)
    assert (problem["code"], problem["attr"]) == ("gate_red", "override_reason")
    assert problem["detail"].startswith("The gate is red: ")
    assert "no governed KPI was decided" in problem["detail"]
    assert "No calibration alignment measured yet." in problem["detail"]
    assert EngagementStage.objects.count() == 1
    response = client.post(
        STAGES,
        expansion_body(world, days_ago(10), override_reason="Peak season: board decision"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    step = response.json()
    assert (step["gate_green"], step["approved_despite_red"]) == (False, True)
    assert step["title"] == "Expansion: another interaction type"
    assert "No calibration alignment measured yet." in step["gate_reasons"]
    assert step["override_reason"] == "Peak season: board decision"
    assert step["approved_by_label"] == buyer_pm.display_name
    stages = client.get(STAGES, {"partner": world.harbor.pk}).json()["results"]
    assert [(s["kind"], s["ended_on"]) for s in stages] == [
        ("pilot", days_ago(10).isoformat()),
        ("expansion", None),
    ]


def test_moving_back_needs_a_reason(api_login, buyer_pm, world, types, days_ago):
    client = api_login(buyer_pm)
    client.post(STAGES, pilot_body(world, days_ago(100)), format="json")
    client.post(STAGES, {"partner": world.harbor.pk, "kind": "steady_state",
                         "started_on": days_ago(20).isoformat()}, format="json")  # fmt: skip
    response = client.post(STAGES, pilot_body(world, days_ago(5)), format="json")
    assert response.status_code == 400
    problem = error(response)
    assert (problem["code"], problem["attr"]) == ("stage_backwards", "back_reason")
    assert problem["detail"] == "Moving back from steady state to pilot needs a reason."
    assert EngagementStage.objects.count() == 2
    response = client.post(
        STAGES, pilot_body(world, days_ago(5), back_reason="Quality collapsed"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["back_reason"] == "Quality collapsed"


def test_a_green_gate_is_computed_with_the_steps_settings(
    api_login, buyer_pm, world, types, days_ago, monkeypatch
):
    asked: dict[str, Any] = {}

    def green(viewer, partner, today, *, months, threshold_pct):
        asked.update(partner=partner, today=today, months=months, threshold_pct=threshold_pct)
        return domain.gate(
            [domain.GateMonth(f"Month {n}", True) for n in range(months)],
            months_needed=months,
            alignment=Decimal("0.9"),
            alignment_threshold=threshold_pct / 100,
        )

    monkeypatch.setattr(selectors, "gate_for", green)
    client = api_login(buyer_pm)
    client.post(STAGES, pilot_body(world, days_ago(100)), format="json")
    body = expansion_body(
        world,
        days_ago(1),
        expansion="brand_sensitive",
        interaction_types=["complaint-return"],
        ramp_weeks=6,
        gate_months=3,
        alignment_threshold_pct="88.5",
    )
    response = client.post(STAGES, body, format="json")
    assert response.status_code == 201, response.json()
    step = response.json()
    assert asked == {
        "partner": world.harbor,
        "today": clock.today(),
        "months": 3,
        "threshold_pct": Decimal("88.50"),
    }
    assert (step["gate_green"], step["gate_reasons"], step["gate_alignment"]) == (
        True,
        [],
        "0.9000",
    )
    assert (step["gate_months"], step["alignment_threshold_pct"]) == (3, "88.50")
    assert "unrealistic" in step["ramp_flag"]


@pytest.mark.parametrize(
    ("overrides", "attr", "words"),
    [
        ({"interaction_types": ["warranty"]}, "interaction_types", "No interaction type"),
        ({"kind": "launch"}, "kind", "is not a valid choice"),
        ({"gate_months": 0}, "gate_months", "greater than or equal to 1"),
        ({"channels": ["chat", "email"]}, "non_field_errors", "A pilot runs on a tight scope"),
        ({"partner": "zanzibar"}, "partner", "No partner with id"),
    ],
)
def test_a_stage_with_a_problem_is_refused(
    api_login, buyer_pm, world, types, today, overrides, attr, words
):
    if overrides.get("partner") == "zanzibar":
        overrides = {"partner": world.zanzibar.pk}
    response = api_login(buyer_pm).post(STAGES, pilot_body(world, today, **overrides),
                                        format="json")  # fmt: skip
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert not EngagementStage.objects.exists()


def test_partner_side_sees_only_its_own_stages_and_cannot_start_one(
    api_login, buyer_pm, partner_lead, pm, world, types, days_ago
):
    for partner in (world.harbor, world.pacific):
        services.stage_start(viewer=pm, partner=partner, data=services.StageInput(
            kind="pilot", started_on=days_ago(50)))  # fmt: skip
    pacific_stage = EngagementStage.objects.get(partner=world.pacific)
    _, token = token_for(buyer_pm, partner=world.harbor)
    for client in (api_login(partner_lead), token):
        listed = client.get(STAGES).json()["results"]
        assert [s["partner"] for s in listed] == [world.harbor.pk]
        assert client.get(f"{STAGES}{pacific_stage.pk}/").status_code == 404
        response = client.post(STAGES, pilot_body(world, days_ago(1)), format="json")
        assert response.status_code == 403
    assert EngagementStage.objects.count() == 2


def test_stage_list_queries_do_not_grow_with_stages(api_login, buyer_pm, pm, world, types, today):
    def start(partner: Partner, kind: str, days: int, codes: list[str], **extra: Any) -> None:
        services.stage_start(
            viewer=pm,
            partner=partner,
            data=services.StageInput(
                kind=kind,
                started_on=today - timedelta(days=days),
                interaction_types=[types[c] for c in codes],
                **extra,
            ),
            gate=domain.gate([], months_needed=1, alignment=None, alignment_threshold=Decimal(1)),
        )

    start(world.harbor, "pilot", 100, ["order-status"])
    client = api_login(buyer_pm)
    few = query_count(client, STAGES, 1)
    start(world.harbor, "expansion", 50, ["billing", "escalation"], expansion="interaction_type",
          override_reason="Board decision")  # fmt: skip
    start(world.pacific, "pilot", 90, ["billing"])
    start(world.pacific, "steady_state", 10, [])
    assert query_count(client, STAGES, 4) == few


# COSTS
# ------------------------------------------------------------------------------


@pytest.fixture
def contract(world, today):
    """Harbor at 4.00 a contact, loaded with 10 % WFM, running from two years back."""
    return make_contract(
        world.harbor,
        start_date=date(today.year - 2, 1, 1),
        end_date=date(today.year + 1, 12, 31),
        wfm_pct=Decimal(10),
    )


def settle(contract: Any, month: date, *, contacts: int = 1000, resolved: int = 800) -> None:
    month_snapshot(contract.partner, "chat", month, contacts=contacts, fcr_yes=resolved)
    evaluate_contract_month(contract, month, clock.today())


def test_cost_per_resolved_contact_per_month_and_channel(
    api_login, buyer_pm, pm, types, world, contract, today
):
    make_scope(pm, types, partner=world.harbor)
    last = months_before(today, 1)[0]
    settle(contract, last)
    body = api_login(buyer_pm).get(COSTS, {"partner": world.harbor.pk, "months": 3}).json()
    assert body["partner"] == world.harbor.pk
    assert body["currency"] == "USD"
    assert body["months"] == [m.isoformat() for m in months_before(today, 3)]
    assert body["governance_monthly"] == "12000.0000"
    # 1,000 contacts at 4.00 = 4,000, loaded 4,400, plus the 1.5 × 8,000 governance:
    # 16,400 for 800 resolved contacts.
    assert body["rows"] == [
        {
            "month": last.isoformat(),
            "channel": "chat",
            "headline": "4000.0000",
            "loaded": "4400.0000",
            "governance": "12000.0000",
            "total": "16400.0000",
            "resolved": 800,
            "cost_per_resolved": "20.50",
        }
    ]
    assert body["totals"][0]["cost_per_resolved"] == "20.50"
    assert body["in_house"] == [{"channel": "chat", "cost_per_resolved": "7.50"}]
    assert body["in_house_overall"] == "7.50"


@pytest.mark.parametrize(
    ("params", "status", "attr", "words"),
    [
        ({}, 400, "partner", "This field is required."),
        ({"partner": "harbor"}, 400, "partner", "A valid integer is required."),
        ({"partner": 999_999}, 404, None, "No partner with id 999999 in your account."),
        ({"partner": "zanzibar"}, 404, None, "in your account."),
        ({"partner": "own", "months": 0}, 400, "months", "greater than or equal to 1"),
        ({"partner": "own", "months": 25}, 400, "months", "less than or equal to 24"),
    ],
)
def test_bad_cost_queries_are_refused(api_login, buyer_pm, world, params, status, attr, words):
    params = {**params}
    if params.get("partner") == "zanzibar":
        params["partner"] = world.zanzibar.pk
    if params.get("partner") == "own":
        params["partner"] = world.harbor.pk
    response = api_login(buyer_pm).get(COSTS, params)
    assert response.status_code == status
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert "Zanzibar" not in response.content.decode()
    if "months" not in params:
        assert api_login(buyer_pm).get(WHAT_IF, params).status_code == status


def test_what_if_prices_the_last_quarter_under_each_model(
    api_login, buyer_pm, pm, types, world, contract, today
):
    client = api_login(buyer_pm)
    empty = client.get(WHAT_IF, {"partner": world.harbor.pk}).json()
    assert (empty["rows"], empty["quarter"]) == ([], None)
    assert "Nothing to price" in empty["note"]
    make_scope(pm, types, partner=world.harbor)
    quarter = Period.containing(PeriodType.QUARTER, today).previous()
    settle(contract, quarter.start)
    body = client.get(WHAT_IF, {"partner": world.harbor.pk}).json()
    assert body["quarter"] == {
        "label": quarter.label,
        "start": quarter.start.isoformat(),
        "end": quarter.end.isoformat(),
    }
    assert (body["currency"], body["actual_cost"], body["note"]) == ("USD", "4000.0000", "")
    assert body["planned_cost"] == "20000.0000"  # 5,000 forecast contacts × 4.00
    assert (body["actual"]["contacts"], body["actual"]["resolved"]) == (1000, 800)
    # The forecast of the one settled month: 5,000, resolved at the baseline's 80 % FCR.
    assert (body["expected"]["contacts"], body["expected"]["resolved"]) == (5000, 4000)
    assert body["expected_fcr_pct"] == "80.0"
    rows = {row["model"]: row for row in body["rows"]}
    assert list(rows) == ["per_hour", "per_fte", "per_contact", "per_resolved", "hybrid"]
    # The rate card's 4.00 a contact prices the forecast at 20,000.00; per contact keeps its
    # rate, so the 1,000 actual contacts cost what was invoiced.
    assert (rows["per_contact"]["amount"], rows["per_contact"]["current"]) == ("4000.0000", True)
    assert rows["per_contact"]["difference"] == "0.0000"
    assert (rows["per_hour"]["amount"], rows["per_hour"]["rate_text"]) == (
        None,
        "no volume to price on",
    )


def test_cost_queries_do_not_grow_with_months(api_login, buyer_pm, pm, types, world, contract,
                                              today):  # fmt: skip
    make_scope(pm, types, partner=world.harbor)
    months = months_before(today, 4)
    settle(contract, months[-1])
    client = api_login(buyer_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(COSTS, {"partner": world.harbor.pk, "months": 4})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for month in months[:-1]:
        settle(contract, month)
    assert count() == few
    assert len(client.get(COSTS, {"partner": world.harbor.pk, "months": 4}).json()["rows"]) == 4
