"""KPI snapshots: set-based roll-ups of interactions, aggregate reports and the roster,
matching a hand-computed fixture to the last digit, and idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.domain import Kpi, kpi_values
from kpis.models import AggregateReport, Interaction, KpiSnapshot
from kpis.periods import PeriodType
from kpis.snapshots import open_periods, partner_recompute, snapshots_recompute
from partners.models import InteractionType
from tests.factories.partners import AgentFactory


@pytest.fixture
def billing(world):
    return InteractionType.objects.create(account=world.account, code="billing", name="Billing")


@pytest.fixture
def agents(world):
    return (
        AgentFactory(
            partner=world.harbor,
            team=world.harbor_team,
            external_id="A",
            hire_date=date(2026, 1, 5),
        ),
        AgentFactory(
            partner=world.harbor,
            team=world.harbor_team,
            external_id="B",
            hire_date=date(2026, 1, 5),
        ),
    )


def contact(world, agent, billing, when, n=[0], **values):  # noqa: B006 - a serial across calls
    n[0] += 1
    return Interaction.objects.create(
        partner=world.harbor,
        agent=agent,
        channel=values.pop("channel", "chat"),
        interaction_type=billing,
        external_id=f"C-{n[0]}",
        opened_at=when,
        **values,
    )


@pytest.fixture
def hand_fixture(world, billing, agents):
    """Six chat contacts in the week of 2 March 2026 and a weekly report, computed by hand:

    agent A: 3 contacts. CSAT 5, 4, 2 → 2 of 3 positive. FCR yes, yes, no. Handle 300, 500,
    (unknown). One escalated, closed at L1. NPS 10, 6. SLA met, met, missed.
    agent B: 2 contacts on Sunday 8 March 23:30 UTC and Monday 9 March 00:10 UTC (next week).
    A weekly report for agent B in the week of 2 March: 10 contacts, 7 FCR, 4 CSAT answers of
    which 3 positive, 5,000 s handle time over 10 contacts.
    """
    a, b = agents
    day = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    contact(world, a, billing, day, csat=5, resolved_first_contact=True, handle_seconds=300,
            escalated=True, escalation_resolved_l1=True, nps=10, sla_met=True)  # fmt: skip
    contact(world, a, billing, day, csat=4, resolved_first_contact=True, handle_seconds=500,
            escalated=False, nps=6, sla_met=True)  # fmt: skip
    contact(world, a, billing, day, csat=2, resolved_first_contact=False, escalated=False,
            sla_met=False, reopened=True)  # fmt: skip
    contact(world, b, billing, datetime(2026, 3, 8, 23, 30, tzinfo=UTC), csat=4, ces=3)
    contact(world, b, billing, datetime(2026, 3, 9, 0, 10, tzinfo=UTC), csat=1, ces=6)
    AggregateReport.objects.create(
        partner=world.harbor, channel="chat", agent=b, period_type="week",
        period_start=date(2026, 3, 2), contacts=10, fcr_n=10, fcr_yes=7, csat_n=4,
        csat_positive=3, handle_n=10, handle_seconds=5000,
    )  # fmt: skip
    partner_recompute(partner_id=world.harbor.pk, first=date(2026, 3, 1), last=date(2026, 3, 31))


def snapshot(world, period_type, start, agent=None, channel="chat"):
    return KpiSnapshot.objects.get(
        partner=world.harbor,
        channel=channel,
        agent=agent,
        period_type=period_type,
        period_start=start,
    )


def test_week_snapshot_matches_the_hand_computed_counts(world, agents, hand_fixture):
    a, b = agents
    week = snapshot(world, "week", date(2026, 3, 2))
    # 3 (A) + 1 (B, Sunday) contacts + 10 reported = 14; the Monday contact is next week.
    assert week.contacts == 14
    assert (week.csat_n, week.csat_positive) == (3 + 1 + 4, 2 + 1 + 3)
    assert (week.fcr_n, week.fcr_yes) == (3 + 10, 2 + 7)
    assert (week.handle_n, week.handle_seconds) == (2 + 10, 800 + 5000)
    assert (week.escalation_n, week.escalation_yes) == (3, 1)
    assert (week.escalation_l1_n, week.escalation_l1_yes) == (1, 1)
    assert (week.nps_n, week.nps_promoters, week.nps_detractors) == (2, 1, 1)
    assert (week.ces_n, week.ces_sum) == (1, 3)
    assert (week.sla_n, week.sla_yes) == (3, 2)
    assert (week.reopen_n, week.reopen_yes) == (1, 1)
    per_agent = snapshot(world, "week", date(2026, 3, 2), agent=b)
    assert (per_agent.contacts, per_agent.csat_positive) == (11, 4)
    values = kpi_values(week.counts, period_days=7)
    assert values[Kpi.CSAT].value == Decimal(6) / Decimal(8)  # 75 %
    assert values[Kpi.AHT].value == Decimal(5800) / Decimal(12)
    assert values[Kpi.NPS].value == Decimal(0)  # one promoter, one detractor


def test_days_months_and_quarters_roll_up_the_same_rows(world, hand_fixture):
    assert snapshot(world, "day", date(2026, 3, 3)).contacts == 3
    # A weekly report counts in no day, but in its month and quarter.
    assert snapshot(world, "day", date(2026, 3, 8)).contacts == 1
    assert snapshot(world, "month", date(2026, 3, 1)).contacts == 15
    assert snapshot(world, "quarter", date(2026, 1, 1)).contacts == 15
    assert snapshot(world, "week", date(2026, 3, 9)).contacts == 1


def test_attrition_counts_come_from_the_roster(world, agents, hand_fixture):
    AgentFactory(
        partner=world.harbor,
        team=world.harbor_team,
        hire_date=date(2026, 1, 5),
        leaving_date=date(2026, 3, 20),
    )
    partner_recompute(partner_id=world.harbor.pk, first=date(2026, 3, 1), last=date(2026, 3, 31))
    month = snapshot(world, "month", date(2026, 3, 1))
    # The world's own Harbor agent was hired 200 days before today: after March 2026.
    assert (month.headcount_start, month.headcount_end, month.leavers) == (3, 2, 1)
    assert not KpiSnapshot.objects.filter(period_type="day", leavers__gt=0).exists()


def test_recomputing_twice_changes_nothing(world, hand_fixture):
    before = list(KpiSnapshot.objects.order_by("pk").values())
    results = partner_recompute(
        partner_id=world.harbor.pk, first=date(2026, 3, 1), last=date(2026, 3, 31)
    )
    assert not any(r.changed for r in results.values())
    assert list(KpiSnapshot.objects.order_by("pk").values()) == before


def test_corrected_data_updates_and_removed_data_removes_snapshots(world, hand_fixture):
    Interaction.objects.filter(opened_at__date=date(2026, 3, 9)).delete()
    Interaction.objects.filter(csat=5).update(csat=1)
    result = snapshots_recompute(
        partner_id=world.harbor.pk,
        period_type=PeriodType.WEEK,
        first=date(2026, 3, 1),
        last=date(2026, 3, 31),
    )
    # The agent's snapshot of that week goes; the channel's keeps only roster figures.
    assert result.deleted == 1
    assert snapshot(world, "week", date(2026, 3, 9)).contacts == 0
    assert snapshot(world, "week", date(2026, 3, 2)).csat_positive == 5


def test_recomputation_is_one_grouped_query_per_source_whatever_the_rows(world, billing, agents):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            snapshots_recompute(
                partner_id=world.harbor.pk,
                period_type=PeriodType.MONTH,
                first=date(2026, 1, 1),
                last=date(2026, 3, 31),
            )
        return len(ctx.captured_queries)

    contact(world, agents[0], billing, datetime(2026, 2, 1, 9, tzinfo=UTC), csat=5)
    few = queries()
    for day in range(1, 28):
        for agent in agents:
            contact(world, agent, billing, datetime(2026, 3, day, 9, tzinfo=UTC), csat=4)
    assert queries() <= few + 2  # the same reads; the writes are batched


def test_the_nightly_run_covers_the_current_and_previous_periods():
    periods = dict((t, (first, last)) for t, first, last in open_periods(date(2026, 11, 23)))
    assert periods[PeriodType.DAY] == (date(2026, 11, 22), date(2026, 11, 23))
    assert periods[PeriodType.WEEK] == (date(2026, 11, 16), date(2026, 11, 23))
    assert periods[PeriodType.MONTH] == (date(2026, 10, 1), date(2026, 11, 23))
    assert periods[PeriodType.QUARTER] == (date(2026, 7, 1), date(2026, 11, 23))


def test_the_nightly_task_fans_out_one_task_per_partner_and_period_type(world, monkeypatch):
    from kpis import tasks

    sent = []
    monkeypatch.setattr(
        tasks.snapshots_recompute_period_task, "delay", lambda *args: sent.append(args)
    )
    assert tasks.snapshots_recompute_open_periods_task() == 3
    assert len(sent) == 3 * 4
    assert {args[1] for args in sent} == {"day", "week", "month", "quarter"}
