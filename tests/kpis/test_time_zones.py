"""Days, weeks, months and quarters are the account's, in its time zone: snapshots cut
interactions and QA evaluations at the account's midnights, and imports read times without
an offset in its zone unless told otherwise. Worked by hand:

Manila is UTC+8 all year. 15:30 UTC on 31 October 2026 is 23:30 there, still 31 October;
16:30 UTC is 00:30 on 1 November. New York leaves daylight saving time on Sunday 1 November
2026 at 02:00 EDT: before, midnight is 04:00 UTC (UTC-4); after, 05:00 UTC (UTC-5).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from calibration import services as calibration_services
from calibration.services import latest_version
from kpis import services as kpi_services
from kpis.models import Interaction, KpiSnapshot
from kpis.snapshots import partner_recompute
from partners.models import InteractionType, Membership
from partners.scoping import viewer_for_membership
from tests.factories.calibration import make_rubric, viewer_of

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
# 23:30 on 31 October in Manila, and 00:30 on 1 November there: both 31 October in UTC.
MANILA_LATE_OCTOBER = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
MANILA_EARLY_NOVEMBER = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)


@pytest.fixture
def billing(world):
    return InteractionType.objects.create(account=world.account, code="billing", name="Billing")


def in_zone(account, name):
    account.time_zone = name
    account.save(update_fields=["time_zone"])
    return account


def contact(world, billing, when, external_id):
    return Interaction.objects.create(
        partner=world.harbor, agent=world.harbor_agent, channel="chat",
        interaction_type=billing, external_id=external_id, opened_at=when, csat=5,
    )  # fmt: skip


def contacts_by(partner, period_type):
    """Channel totals with contacts (the roster's headcounts fill the other periods):
    {period start: contacts}."""
    return dict(
        KpiSnapshot.objects.filter(
            partner=partner, agent__isnull=True, period_type=period_type, contacts__gt=0
        ).values_list("period_start", "contacts")
    )


def test_a_contact_at_2330_on_31_october_in_manila_counts_in_october(world, billing):
    in_zone(world.account, "Asia/Manila")
    contact(world, billing, MANILA_LATE_OCTOBER, "T-1")
    contact(world, billing, MANILA_EARLY_NOVEMBER, "T-2")
    partner_recompute(partner_id=world.harbor.pk, first=OCTOBER, last=date(2026, 11, 30))

    assert contacts_by(world.harbor, "day") == {date(2026, 10, 31): 1, NOVEMBER: 1}
    assert contacts_by(world.harbor, "month") == {OCTOBER: 1, NOVEMBER: 1}
    # Both fall in the week of Monday 26 October (to Sunday 1 November) and in Q4.
    assert contacts_by(world.harbor, "week") == {date(2026, 10, 26): 2}
    assert contacts_by(world.harbor, "quarter") == {OCTOBER: 2}
    # The agent's own snapshots are cut the same way.
    agent_months = KpiSnapshot.objects.filter(agent=world.harbor_agent, period_type="month")
    assert dict(agent_months.values_list("period_start", "contacts")) == {
        OCTOBER: 1, NOVEMBER: 1,
    }  # fmt: skip


def test_in_utc_both_contacts_are_on_31_october(world, billing):
    contact(world, billing, MANILA_LATE_OCTOBER, "T-1")
    contact(world, billing, MANILA_EARLY_NOVEMBER, "T-2")
    partner_recompute(partner_id=world.harbor.pk, first=OCTOBER, last=date(2026, 11, 30))

    assert contacts_by(world.harbor, "day") == {date(2026, 10, 31): 2}
    assert contacts_by(world.harbor, "month") == {OCTOBER: 2}


def test_new_york_days_end_at_local_midnight_across_the_end_of_daylight_saving(world, billing):
    in_zone(world.account, "America/New_York")
    contact(world, billing, datetime(2026, 11, 1, 3, 59, tzinfo=UTC), "T-1")  # 23:59 EDT, 31 Oct
    contact(world, billing, datetime(2026, 11, 1, 4, 0, tzinfo=UTC), "T-2")  # 00:00 EDT, 1 Nov
    contact(world, billing, datetime(2026, 11, 2, 4, 30, tzinfo=UTC), "T-3")  # 23:30 EST, 1 Nov
    contact(world, billing, datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "T-4")  # 00:00 EST, 2 Nov
    partner_recompute(partner_id=world.harbor.pk, first=OCTOBER, last=date(2026, 11, 30))

    # 1 November has 25 hours in New York, and both of its contacts.
    assert contacts_by(world.harbor, "day") == {
        date(2026, 10, 31): 1, NOVEMBER: 2, date(2026, 11, 2): 1,
    }  # fmt: skip
    assert contacts_by(world.harbor, "month") == {OCTOBER: 1, NOVEMBER: 3}
    # Sunday 1 November closes the week of 26 October; Monday 2 November opens the next.
    assert contacts_by(world.harbor, "week") == {date(2026, 10, 26): 3, date(2026, 11, 2): 1}


def test_qa_evaluations_count_on_the_day_they_were_scored_in_the_account(
    world, buyer_pm, django_capture_on_commit_callbacks
):
    in_zone(world.account, "Asia/Manila")
    rubric = make_rubric(buyer_pm)
    version = latest_version(rubric)
    every_yes = {c.pk: Decimal(1) for c in version.criteria.all()}
    # Recorded through the service: its on-commit recomputation covers the evaluation's day
    # in Manila (1 November), not its UTC date.
    with django_capture_on_commit_callbacks(execute=True):
        for external_id, scored_at in (("Q-1", MANILA_LATE_OCTOBER),
                                       ("Q-2", MANILA_EARLY_NOVEMBER)):  # fmt: skip
            calibration_services.evaluation_save(
                viewer=viewer_of(buyer_pm), agent=world.harbor_agent, version=version,
                external_id=external_id, channel="chat", values=every_yes, scored_at=scored_at,
            )  # fmt: skip

    months = KpiSnapshot.objects.filter(
        partner=world.harbor, agent__isnull=True, period_type="month"
    )
    assert dict(months.values_list("period_start", "qa_n")) == {OCTOBER: 1, NOVEMBER: 1}
    days = KpiSnapshot.objects.filter(partner=world.harbor, agent__isnull=True, period_type="day")
    assert dict(days.values_list("period_start", "qa_n")) == {date(2026, 10, 31): 1, NOVEMBER: 1}


@pytest.mark.time_machine(datetime(2026, 11, 3, 9, 0, tzinfo=UTC), tick=False)
def test_an_import_reads_times_without_offset_in_the_accounts_zone_by_default(
    world, buyer_pm, billing, django_capture_on_commit_callbacks
):
    in_zone(world.account, "Asia/Manila")
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    rows = [
        {"external_id": "T-1", "agent_id": world.harbor_agent.external_id, "channel": "chat",
         "interaction_type": "billing", "opened_at": "2026-10-31 23:30:00"},
        {"external_id": "T-2", "agent_id": world.harbor_agent.external_id, "channel": "chat",
         "interaction_type": "billing", "opened_at": "2026-11-01 00:30:00"},
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batch = kpi_services.import_api(
            viewer=viewer, kind="interactions", partner=world.harbor, rows=rows
        )

    assert batch.status == "succeeded", batch.error
    assert batch.timezone == "Asia/Manila"  # what was used is recorded
    opened = dict(Interaction.objects.values_list("external_id", "opened_at"))
    assert opened == {"T-1": MANILA_LATE_OCTOBER, "T-2": MANILA_EARLY_NOVEMBER}
    # The days the import touched are Manila's, so 1 November's snapshots exist at once.
    assert (batch.first_day, batch.last_day) == (date(2026, 10, 31), NOVEMBER)
    assert contacts_by(world.harbor, "month") == {OCTOBER: 1, NOVEMBER: 1}


@pytest.mark.time_machine(datetime(2026, 11, 3, 9, 0, tzinfo=UTC), tick=False)
def test_an_import_can_still_name_another_zone(world, buyer_pm, billing):
    in_zone(world.account, "Asia/Manila")
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    row = {"external_id": "T-1", "agent_id": world.harbor_agent.external_id, "channel": "chat",
           "interaction_type": "billing", "opened_at": "2026-10-31 23:30:00"}  # fmt: skip
    batch = kpi_services.import_api(
        viewer=viewer, kind="interactions", partner=world.harbor, rows=[row], timezone_name="UTC"
    )
    assert batch.timezone == "UTC"
    assert Interaction.objects.get().opened_at == datetime(2026, 10, 31, 23, 30, tzinfo=UTC)


def test_the_import_form_offers_the_accounts_zone(world, buyer_pm, login):
    in_zone(world.account, "America/New_York")
    response = login(buyer_pm).get("/imports/new/")
    assert response.status_code == 200
    assert response.context["form"]["timezone"].value() == "America/New_York"
    assert '<option value="America/New_York" selected>' in response.content.decode()


@pytest.mark.time_machine(datetime(2026, 10, 31, 20, 0, tzinfo=UTC), tick=False)
def test_the_nightly_run_refreshes_each_accounts_open_days(world, monkeypatch):
    from kpis import tasks

    # 04:00 on 1 November in Manila (Northwind); still 31 October in UTC (Globex).
    in_zone(world.account, "Asia/Manila")
    sent = []
    monkeypatch.setattr(
        tasks.snapshots_recompute_period_task, "delay", lambda *args: sent.append(args)
    )
    assert tasks.snapshots_recompute_open_periods_task() == 3
    days = {partner_id: (first, last) for partner_id, kind, first, last in sent if kind == "day"}
    assert days == {
        world.harbor.pk: ("2026-10-31", "2026-11-01"),
        world.pacific.pk: ("2026-10-31", "2026-11-01"),
        world.zanzibar.pk: ("2026-10-30", "2026-10-31"),
    }
    months = {partner_id: first for partner_id, kind, first, _ in sent if kind == "month"}
    assert months[world.harbor.pk] == "2026-10-01"
    assert months[world.zanzibar.pk] == "2026-09-01"
