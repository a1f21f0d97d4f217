"""The REST API: authentication, tenant scoping, writes, errors, pagination, throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core import clock
from partners.models import Agent, ApiToken, Membership
from partners.scoping import viewer_for_membership
from partners.services import api_token_revoke
from tests.factories.api import error, token_for
from tests.factories.partners import AgentFactory

AGENTS = "/api/v1/agents/"
PARTNERS = "/api/v1/partners/"


def new_agent(world, **overrides) -> dict:
    return {
        "partner": world.harbor.pk,
        "team": world.harbor_team.pk,
        "external_id": "HB-777",
        "name": "Ana Api",
        "hire_date": "2026-03-02",
        **overrides,
    }


# AUTHENTICATION
# ------------------------------------------------------------------------------


def test_token_authenticates_as_its_account_and_records_its_use(buyer_pm, world):
    token, client = token_for(buyer_pm)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["account"] == "Northwind"
    assert response.json()["token"] == "Sync"
    assert response.json()["user"] is None
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_is_stored_hashed_and_shown_once(login, buyer_pm, world):
    response = login(buyer_pm).post(
        reverse("partners:api-tokens"), {"name": "Helpdesk", "read_only": "on"}
    )
    key = response.context["new_key"]
    token = ApiToken.objects.get(name="Helpdesk")
    assert key not in token.hashed_key
    assert key not in token.id
    assert key.encode() in response.content
    assert key.encode() not in login(buyer_pm).get(reverse("partners:api-tokens")).content


def test_revoked_token_is_refused(buyer_pm):
    token, client = token_for(buyer_pm)
    api_token_revoke(
        viewer=viewer_for_membership(Membership.objects.get(user=buyer_pm)), token=token
    )
    response = client.get(PARTNERS)
    assert response.status_code == 401
    assert error(response)["detail"] == "Unknown or revoked API token."


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer not-a-token", "Unknown or revoked API token."),
        ("Bearer", "Malformed Authorization header"),
        ("Bearer a b", "Malformed Authorization header"),
    ],
)
def test_bad_tokens_are_refused_with_a_clear_message(db, header, detail):
    response = APIClient(HTTP_AUTHORIZATION=header).get(PARTNERS)
    assert response.status_code == 401
    assert error(response)["detail"].startswith(detail)


def test_expired_token_is_refused(buyer_pm):
    token, client = token_for(buyer_pm)
    ApiToken.objects.filter(pk=token.pk).update(expiry_date=clock.now() - timedelta(days=1))
    assert client.get(PARTNERS).status_code == 401


def test_anonymous_request_is_401_in_the_error_shape(db):
    response = APIClient().get(PARTNERS)
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_writes_need_the_csrf_token(partner_lead, world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(partner_lead)
    response = client.post(AGENTS, new_agent(world), format="json")
    assert response.status_code == 403
    assert "CSRF" in error(response)["detail"]


def test_program_manager_revokes_a_token_in_the_ui(login, buyer_pm):
    token, client = token_for(buyer_pm)
    login(buyer_pm).post(reverse("partners:api-token-revoke", args=[token.prefix]))
    assert client.get(PARTNERS).status_code == 401


# SCOPING AND WRITES
# ------------------------------------------------------------------------------


def test_partner_limited_token_sees_only_its_partner(buyer_pm, world):
    _, client = token_for(buyer_pm, partner=world.harbor)
    names = {agent["name"] for agent in client.get(AGENTS).json()["results"]}
    assert names == {"Hana Harbor"}
    assert [p["name"] for p in client.get(PARTNERS).json()["results"]] == ["Harbor Support"]


def test_read_only_token_cannot_write(buyer_pm, world):
    _, client = token_for(buyer_pm, read_only=True)
    response = client.post(AGENTS, new_agent(world), format="json")
    assert response.status_code == 403
    assert error(response)["detail"] == "This API token is read-only."
    assert not Agent.objects.filter(external_id="HB-777").exists()


def test_partner_qa_lead_adds_an_agent_to_its_own_partner(api_login, partner_lead, world):
    response = api_login(partner_lead).post(AGENTS, new_agent(world), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "chat"
    assert response.json()["is_active"] is True


def test_partner_qa_lead_cannot_add_an_agent_to_another_partner(api_login, partner_lead, world):
    response = api_login(partner_lead).post(
        AGENTS, new_agent(world, partner=world.pacific.pk, team=None), format="json"
    )
    assert response.status_code == 400
    problem = error(response)
    assert problem["attr"] == "partner"
    assert problem["detail"] == f"No partner with id {world.pacific.pk} in your account."
    assert not Agent.objects.filter(external_id="HB-777").exists()


def test_partner_viewer_cannot_write(api_login, partner_viewer, world):
    response = api_login(partner_viewer).post(AGENTS, new_agent(world), format="json")
    assert response.status_code == 403
    assert "Partner viewer" in error(response)["detail"]


@pytest.mark.parametrize(
    ("overrides", "attr", "words"),
    [
        ({"team": "pacific"}, "team", "belongs to another partner"),
        ({"external_id": "dup"}, "external_id", "already has an agent with id"),
        ({"leaving_date": "2026-01-01"}, "leaving_date", "is before hire date"),
        ({"hire_date": "yesterday"}, "hire_date", "Date has wrong format"),
        ({"partner": "abc"}, "partner", "Expected the id of a partner"),
        ({"name": ""}, "name", "may not be blank"),
    ],
)
def test_invalid_agents_are_refused_naming_the_field(
    api_login, buyer_pm, world, overrides, attr, words
):
    if overrides.get("team") == "pacific":
        overrides = {"team": world.pacific_team.pk}
    if overrides.get("external_id") == "dup":
        overrides = {"external_id": world.harbor_agent.external_id}
    before = Agent.objects.count()
    response = api_login(buyer_pm).post(AGENTS, new_agent(world, **overrides), format="json")
    assert response.status_code == 400
    problem = error(response)
    assert problem["attr"] == attr
    assert words in problem["detail"]
    assert Agent.objects.count() == before


def test_recording_a_leaving_date(api_login, partner_lead, world):
    url = f"{AGENTS}{world.harbor_agent.pk}/"
    response = api_login(partner_lead).patch(url, {"leaving_date": "2026-11-01"}, format="json")
    assert response.status_code == 200
    world.harbor_agent.refresh_from_db()
    assert str(world.harbor_agent.leaving_date) == "2026-11-01"


def test_agent_cannot_move_to_another_partner(api_login, buyer_pm, world):
    url = f"{AGENTS}{world.harbor_agent.pk}/"
    response = api_login(buyer_pm).patch(url, {"partner": world.pacific.pk}, format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == "partner"


def test_agents_cannot_be_deleted_through_the_api(api_login, buyer_pm, world):
    response = api_login(buyer_pm).delete(f"{AGENTS}{world.harbor_agent.pk}/")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"


# LISTS
# ------------------------------------------------------------------------------


def test_lists_are_paginated_filtered_searched_and_ordered(api_login, buyer_pm, world):
    AgentFactory.create_batch(5, partner=world.harbor, team=world.harbor_team)
    client = api_login(buyer_pm)
    page = client.get(AGENTS, {"page_size": 2}).json()
    assert page["count"] == 7
    assert len(page["results"]) == 2
    assert page["next"]
    harbor = client.get(AGENTS, {"partner": world.harbor.pk}).json()
    assert harbor["count"] == 6
    assert client.get(AGENTS, {"channel": "voice"}).json()["count"] == 1
    assert client.get(AGENTS, {"search": "Pablo"}).json()["results"][0]["name"] == "Pablo Quetzal"
    ordered = client.get(AGENTS, {"ordering": "-external_id"}).json()["results"]
    assert ordered[0]["external_id"] > ordered[-1]["external_id"]


def test_filter_on_another_accounts_partner_is_refused_like_an_unknown_one(
    api_login, buyer_pm, world
):
    response = api_login(buyer_pm).get(AGENTS, {"partner": world.zanzibar.pk})
    assert response.status_code == 400
    assert error(response)["attr"] == "partner"


def test_agent_list_query_count_is_constant(api_login, buyer_pm, world):
    client = api_login(buyer_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(AGENTS, {"page_size": 500})
        return len(ctx.captured_queries)

    few = count()
    AgentFactory.create_batch(100, partner=world.harbor, team=world.harbor_team)
    assert count() == few


def test_unknown_api_path_is_404_in_the_error_shape(api_login, buyer_pm):
    response = api_login(buyer_pm).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


# THROTTLING AND SCHEMA
# ------------------------------------------------------------------------------


def test_each_token_has_its_own_rate_budget(buyer_pm, world, monkeypatch):
    from partners.api.throttling import ViewerRateThrottle

    monkeypatch.setattr(ViewerRateThrottle, "THROTTLE_RATES", {"viewer": "3/min"})
    _, first = token_for(buyer_pm)
    _, second = token_for(buyer_pm)
    assert [first.get(PARTNERS).status_code for _ in range(3)] == [200, 200, 200]
    throttled = first.get(PARTNERS)
    assert throttled.status_code == 429
    assert error(throttled)["code"] == "throttled"
    assert second.get(PARTNERS).status_code == 200


def test_schema_documents_endpoints_and_error_responses(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/agents/", "/api/v1/partners/", "/api/v1/me/"} <= set(schema["paths"])
    agent_create = schema["paths"]["/api/v1/agents/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(agent_create)
    assert "ApiToken" in schema["components"]["securitySchemes"]


def test_docs_page_is_served_without_any_download(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in response.content
