"""KPI data over REST: bulk imports, scorecards, snapshots and the contacts behind them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from core import clock
from kpis.models import AggregateReport, ImportBatch, ImportStatus, Interaction, KpiSnapshot
from partners.models import InteractionType, Membership
from partners.scoping import viewer_for_membership
from partners.services import api_token_create
from tests.factories.partners import AgentFactory

BULK = "/api/v1/imports/interactions/"


@pytest.fixture
def setup(world):
    InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    return AgentFactory(partner=world.harbor, team=world.harbor_team, external_id="901")


def token_client(user, **kwargs) -> APIClient:
    viewer = viewer_for_membership(Membership.objects.get(user=user))
    _, key = api_token_create(
        viewer=viewer, name="Helpdesk sync", **{"partner": None, "read_only": False, **kwargs}
    )
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


def row(n: int = 1, **values):
    opened = (clock.now() - timedelta(days=2)).isoformat()
    return {
        "external_id": f"API-{n}",
        "agent_id": "901",
        "channel": "chat",
        "interaction_type": "billing",
        "opened_at": opened,
        "csat": 5,
        "resolved_first_contact": True,
        **values,
    }


def post(client, body):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(BULK, body, format="json")


def test_bulk_import_creates_then_updates_and_recomputes(buyer_pm, world, setup):
    client = token_client(buyer_pm)
    response = post(client, {"partner": world.harbor.pk, "rows": [row(1), row(2, csat=2)]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["rows_created"], body["rows_updated"], body["source"]) == (
        "succeeded",
        2,
        0,
        "api",
    )
    assert body["created_by_label"] == "API token “Helpdesk sync”"
    response = post(client, {"partner": world.harbor.pk, "rows": [row(1, csat=1)]})
    assert (response.json()["rows_created"], response.json()["rows_updated"]) == (0, 1)
    assert Interaction.objects.count() == 2
    month = KpiSnapshot.objects.get(agent=None, period_type="day", channel="chat")
    assert (month.csat_n, month.csat_positive) == (2, 0)


def test_bulk_import_with_a_bad_row_returns_every_problem_and_writes_nothing(
    buyer_pm, world, setup
):
    response = post(
        token_client(buyer_pm),
        {
            "partner": world.harbor.pk,
            "rows": [row(1), row(2, csat=6), row(3, channel="fax", agent_id="x")],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {(e["attr"], e["detail"]) for e in body["errors"]} == {
        ("rows.1.csat", "row 2, field csat: '6' is outside 1-5"),
        (
            "rows.2.channel",
            "row 3, field channel: 'fax' is not a channel; use voice, email, chat or social",
        ),
    }
    assert Interaction.objects.count() == 0
    assert ImportBatch.objects.get(pk=body["import"]).status == ImportStatus.REJECTED


def test_bulk_import_accepts_json_types_and_names_missing_fields(buyer_pm, world, setup):
    response = post(
        token_client(buyer_pm),
        {
            "partner": world.harbor.pk,
            "rows": [{**row(1), "handle_seconds": 300.0, "sla_met": False}, {"csat": 4}],
        },
    )
    assert response.status_code == 400
    attrs = {e["attr"] for e in response.json()["errors"]}
    assert attrs == {
        "rows.1.agent_id",
        "rows.1.channel",
        "rows.1.interaction_type",
        "rows.1.external_id",
        "rows.1.opened_at",
    }


@pytest.mark.parametrize(
    ("body", "attr", "words"),
    [
        ({"rows": []}, "rows", "Send at least one row."),
        ({"rows": [{}] * 10_001}, "rows", "At most 10,000 rows fit in one call"),
        ({"rows": "nope"}, "rows", "Expected a list"),
        ({"rows": [row()], "timezone": "Mars/Olympus"}, "timezone", "is not a time zone"),
        ({"rows": [row()], "unknown_agents": "adopt"}, "unknown_agents", "is not a valid choice"),
    ],
)
def test_bulk_import_refuses_bad_requests_naming_the_field(
    buyer_pm, world, setup, body, attr, words
):
    response = post(token_client(buyer_pm), {"partner": world.harbor.pk, **body})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == attr
    assert words in error["detail"]
    assert not ImportBatch.objects.exists()


def test_read_only_token_cannot_import(buyer_pm, world, setup):
    response = post(
        token_client(buyer_pm, read_only=True), {"partner": world.harbor.pk, "rows": [row()]}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "This API token is read-only."


def test_partner_token_cannot_import_for_another_partner(buyer_pm, world, setup):
    client = token_client(buyer_pm, partner=world.harbor)
    response = post(client, {"partner": world.pacific.pk, "rows": [row()]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "partner"
    # and must name its own partner: "several partners" is for buyers
    response = post(client, {"rows": [row()]})
    assert response.status_code == 400
    assert "You import data for Harbor Support only" in response.json()["errors"][0]["detail"]


def test_partner_viewer_cannot_import(api_login, partner_viewer, world, setup):
    response = api_login(partner_viewer).post(
        BULK, {"partner": world.harbor.pk, "rows": [row()]}, format="json"
    )
    assert response.status_code == 403


def test_roster_and_aggregates_endpoints(buyer_pm, world, setup):
    client = token_client(buyer_pm)
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster = client.post(
            "/api/v1/imports/roster/",
            {
                "partner": world.harbor.pk,
                "rows": [
                    {
                        "agent_id": "N-1",
                        "name": "Nia",
                        "hire_date": "2026-06-01",
                        "team": "Harbor Chat",
                    }
                ],
            },
            format="json",
        )
        reports = client.post(
            "/api/v1/imports/aggregates/",
            {
                "partner": world.harbor.pk,
                "rows": [
                    {
                        "agent_id": "N-1",
                        "channel": "chat",
                        "period_start": "2026-11-02",
                        "period_end": "2026-11-08",
                        "contacts": 30,
                        "fcr_resolved": 24,
                    }
                ],
            },
            format="json",
        )
    assert roster.status_code == 201, roster.json()
    assert reports.status_code == 201, reports.json()
    week = KpiSnapshot.objects.get(agent__external_id="N-1", period_type="week")
    assert (week.contacts, week.fcr_n, week.fcr_yes) == (30, 30, 24)


@pytest.mark.time_machine(datetime(2026, 12, 3, 10, 30, tzinfo=UTC), tick=False)
def test_aggregate_reports_of_overlapping_periods_are_refused_row_by_row(buyer_pm, world, setup):
    client = token_client(buyer_pm)

    def aggregates(*periods: tuple[str, str]):
        rows = [
            {"agent_id": "901", "channel": "chat", "period_start": start, "period_end": end,
             "contacts": 40}
            for start, end in periods
        ]  # fmt: skip
        with TestCase.captureOnCommitCallbacks(execute=True):
            return client.post(
                "/api/v1/imports/aggregates/",
                {"partner": world.harbor.pk, "rows": rows},
                format="json",
            )

    # A month and a week of it in one call: both rows refused, each naming the other.
    both = aggregates(("2026-03-01", "2026-03-31"), ("2026-03-02", "2026-03-08"))
    assert both.status_code == 400, both.json()
    assert [(e["attr"], e["detail"]) for e in both.json()["errors"]] == [
        (
            "rows.0.period_start",
            "row 1, field period_start: Harbor Support already has a weekly chat report for "
            "agent 901 covering 2-8 March 2026 (row 2 of this import); a monthly report for "
            "agent 901 covering 1-31 March 2026 would count those contacts twice: send one "
            "period type for a period",
        ),
        (
            "rows.1.period_start",
            "row 2, field period_start: Harbor Support already has a monthly chat report for "
            "agent 901 covering 1-31 March 2026 (row 1 of this import); a weekly report for "
            "agent 901 covering 2-8 March 2026 would count those contacts twice: send one "
            "period type for a period",
        ),
    ]
    assert not AggregateReport.objects.exists()
    # The month alone is stored; a week of it sent later is refused the same way.
    assert aggregates(("2026-03-01", "2026-03-31")).status_code == 201
    week = aggregates(("2026-03-02", "2026-03-08"))
    assert week.status_code == 400
    [error] = week.json()["errors"]
    assert error["code"] == "invalid_row"
    assert error["attr"] == "rows.0.period_start"
    assert "covering 1-31 March 2026 (stored); a weekly report" in error["detail"]
    assert AggregateReport.objects.get().period_type == "month"


def test_import_list_and_problems_endpoints(buyer_pm, world, setup):
    client = token_client(buyer_pm)
    batch_id = post(client, {"partner": world.harbor.pk, "rows": [row(1, csat=9)]}).json()["import"]
    listing = client.get("/api/v1/imports/", {"status": "rejected"}).json()
    assert [b["id"] for b in listing["results"]] == [batch_id]
    problems = client.get(f"/api/v1/imports/{batch_id}/problems/").json()
    assert problems["results"] == [
        {"row": 1, "column": "csat", "value": "9", "message": "'9' is outside 1-5"}
    ]


def test_channel_scorecard_api(api_login, buyer_pm, world):
    KpiSnapshot.objects.create(
        partner=world.harbor, channel="chat", period_type="month", period_start=date(2026, 10, 1),
        contacts=100, csat_n=50, csat_positive=45,
    )  # fmt: skip
    body = (
        api_login(buyer_pm)
        .get(
            "/api/v1/scorecards/channels/",
            {"partner": world.harbor.pk, "period_type": "month", "period_start": "2026-10-01"},
        )
        .json()
    )
    assert body["period"] == {
        "period_type": "month",
        "start": "2026-10-01",
        "end": "2026-10-31",
        "label": "October 2026",
    }
    (chat,) = body["channels"]
    csat = next(k for k in chat["kpis"] if k["current"]["kpi"] == "csat")
    assert csat["current"]["value"] == 0.9
    assert csat["current"]["sample"] == 50
    assert csat["current"]["low"] < 0.9 < csat["current"]["high"]
    assert len(csat["trend"]) == 12


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"period_type": "fortnight"}, "period_type"),
        ({"period_start": "2026-10-02"}, "period_start"),
        ({"period_start": "yesterday"}, "period_start"),
        ({"partner": "x"}, "partner"),
    ],
)
def test_scorecard_api_refuses_bad_parameters(api_login, buyer_pm, world, params, attr):
    response = api_login(buyer_pm).get(
        "/api/v1/scorecards/channels/", {"partner": world.harbor.pk, **params}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


def test_scorecard_api_of_another_accounts_partner_is_404(api_login, buyer_pm, world):
    for url in ("/api/v1/scorecards/channels/", "/api/v1/scorecards/agents/"):
        response = api_login(buyer_pm).get(url, {"partner": world.zanzibar.pk})
        assert response.status_code == 404


def test_agent_scorecard_api_flags_and_orders(api_login, buyer_pm, world):
    for i in range(12):
        agent = AgentFactory(
            partner=world.harbor,
            team=world.harbor_team,
            name=f"A{i:02d}",
            hire_date=date(2025, 1, 1),
        )
        KpiSnapshot.objects.create(
            partner=world.harbor, channel="chat", agent=agent, period_type="month",
            period_start=date(2026, 10, 1), contacts=40, csat_n=40, csat_positive=28 + i,
        )  # fmt: skip
    body = (
        api_login(buyer_pm)
        .get(
            "/api/v1/scorecards/agents/",
            {"partner": world.harbor.pk, "period_start": "2026-10-01", "ordering": "csat"},
        )
        .json()
    )
    first = body["agents"][0]
    assert first["name"] == "A00"
    csat = next(k for k in first["kpis"] if k["kpi"] == "csat")
    assert csat["flags"] == ["decile", "threshold"]


def test_snapshot_and_interaction_lists_filter_and_scope(api_login, partner_lead, world, setup):
    KpiSnapshot.objects.create(
        partner=world.harbor,
        channel="chat",
        period_type="week",
        period_start=date(2026, 11, 2),
        contacts=5,
    )
    KpiSnapshot.objects.create(
        partner=world.pacific,
        channel="chat",
        period_type="week",
        period_start=date(2026, 11, 2),
        contacts=7,
    )
    client = api_login(partner_lead)
    body = client.get("/api/v1/kpi-snapshots/", {"period_type": "week", "level": "channel"}).json()
    assert [s["contacts"] for s in body["results"]] == [5]
    assert {k["kpi"] for k in body["results"][0]["kpis"]} >= {"csat", "fcr", "attrition"}
    Interaction.objects.create(
        partner=world.harbor,
        agent=setup,
        channel="chat",
        interaction_type=InteractionType.objects.get(),
        external_id="I-1",
        opened_at=clock.now() - timedelta(days=1),
        csat=4,
    )
    contacts = client.get("/api/v1/interactions/", {"agent": setup.pk}).json()
    assert [c["external_id"] for c in contacts["results"]] == ["I-1"]
    assert client.get("/api/v1/interactions/", {"partner": world.pacific.pk}).status_code == 400
