"""The SLA's bands reach the KPI trends in `kpis` through `kpis.sources` (sla registers a
band provider): the contract in force, every governed KPI in one read, scoped."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis import sources
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Membership
from partners.scoping import viewer_for_membership
from tests.factories.sla import govern_template, make_contract, make_sla

OCT = Period(PeriodType.MONTH, date(2026, 10, 1))


def viewer_of(user):
    return viewer_for_membership(Membership.objects.get(user=user))


@pytest.fixture
def harbor_sla(world):
    sla = make_sla(make_contract(world.harbor))
    govern_template(sla, "chat", "csat")
    govern_template(sla, "chat", "aht-guardrail")
    govern_template(sla, "email", "fcr")
    return sla


def test_the_sla_registers_its_bands_with_kpis(buyer_pm, world, harbor_sla):
    bands = sources.kpi_bands(viewer_of(buyer_pm), world.harbor, OCT)
    assert set(bands) == {("chat", "csat"), ("chat", "aht"), ("email", "fcr")}
    assert sources.bands_for(bands, "chat", "csat") == (
        sources.KpiBand("Penalty", "penalty", None, Decimal(75)),
        sources.KpiBand("Remediation", "remediation", Decimal(75), Decimal(82)),
        sources.KpiBand("Base", "base", Decimal(82), Decimal(88)),
        sources.KpiBand("Bonus", "bonus", Decimal(88), None),
    )
    # a custom band keeps its own name; bounds stay in seconds
    assert sources.bands_for(bands, "chat", "aht")[1] == sources.KpiBand(
        "review", "custom", Decimal(600), None
    )
    assert sources.bands_for(bands, "voice", "csat") == ()


def test_only_the_contract_in_force_and_the_viewers_partners_count(
    buyer_pm, partner_lead, world, harbor_sla
):
    before = Period(PeriodType.MONTH, date(2025, 6, 1))  # the contract starts in 2026
    assert sources.kpi_bands(viewer_of(buyer_pm), world.harbor, before) == {}
    assert sources.kpi_bands(viewer_of(buyer_pm), world.pacific, OCT) == {}
    newer = make_sla(make_contract(world.harbor, start_date=date(2026, 10, 1)))
    govern_template(newer, "chat", "sla")
    govern_template(newer, "chat", "csat")
    newer.governed.get(kpi="csat").bands.filter(kind="bonus").update(lower=Decimal(90))
    bands = sources.kpi_bands(viewer_of(buyer_pm), world.harbor, OCT)
    # each KPI's bands come from one contract: the newer where both govern it
    assert len(bands[("chat", "sla")]) == 3
    assert [b.lower for b in bands[("chat", "csat")]] == [None, 75, 82, 90]
    assert ("email", "fcr") in bands  # only the older contract governs it
    # a partner's people see their own SLA's bands
    assert ("chat", "csat") in sources.kpi_bands(viewer_of(partner_lead), world.harbor, OCT)


def _agent_page(client, agent):
    url = reverse("kpis:agent-scorecard", args=[agent.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"period": "month", "start": "2026-10-01"})
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _figure(content: str, element_id: str) -> dict:
    found = re.search(rf'<script data-plotly="{element_id}" [^>]*>(.*?)</script>', content, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_one_agents_trend_draws_the_slas_bands_in_constant_queries(
    login, buyer_pm, world, harbor_sla
):
    agent = world.harbor_agent
    client = login(buyer_pm)
    for period in OCT.last(2):
        KpiSnapshot.objects.create(
            partner=world.harbor, agent=agent, channel="chat", period_type="month",
            period_start=period.start, contacts=40, csat_n=40, csat_positive=33,
        )  # fmt: skip
    content, one_channel = _agent_page(client, agent)
    csat = _figure(content, "trend-chat-csat")
    labels = [s["name"] for s in csat["layout"]["shapes"] if s["type"] == "rect"]
    assert labels == ["Penalty < 75 %", "Remediation ≥ 75 %", "Base ≥ 82 %", "Bonus ≥ 88 %"]
    assert "SLA bands: Bonus ≥ 88 %" in csat["description"]
    aht = _figure(content, "trend-chat-aht")
    assert [n["text"] for n in aht["layout"]["annotations"]] == ["Base ≤ 600 s", "review > 600 s"]
    # a KPI no SLA governs keeps its own threshold line
    fcr = _figure(content, "trend-chat-fcr")
    assert [s["type"] for s in fcr["layout"]["shapes"]] == ["line"]
    for period in OCT.last(12):
        KpiSnapshot.objects.get_or_create(
            partner=world.harbor, agent=agent, channel="email", period_type="month",
            period_start=period.start, defaults={"contacts": 10},
        )  # fmt: skip
    content, two_channels = _agent_page(client, agent)
    assert two_channels == one_channel
    assert "Remediation ≥ 65 %" in _figure(content, "trend-email-fcr")["description"]
