"""Importing KPI data: uploads, the REST bulk endpoint and the command share one path that
writes a whole file or nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from core.errors import DomainError
from kpis.importers import Importer
from kpis.models import (
    AggregateReport,
    ImportBatch,
    ImportSource,
    ImportStatus,
    Interaction,
    KpiSnapshot,
    StagedRow,
)
from kpis.services import import_api, import_retry
from partners.models import Agent, InteractionType, Membership, Team
from partners.scoping import viewer_for_membership
from tests.factories.partners import AccountFactory, AgentFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "external_id,agent_id,channel,interaction_type,opened_at,handle_seconds,csat"


@pytest.fixture
def types(world):
    for code, name in [
        ("order-status", "Order status"),
        ("billing", "Billing"),
        ("complaint-return", "Complaint / return"),
        ("product-question", "Product question"),
    ]:
        InteractionType.objects.create(account=world.account, code=code, name=name)


@pytest.fixture
def harbor_agents(world):
    return [
        AgentFactory(
            partner=world.harbor, team=world.harbor_team, external_id="901", name="Zoe Quinn"
        ),
        AgentFactory(
            partner=world.harbor, team=world.harbor_team, external_id="902", name="Yusuf Arslan"
        ),
    ]


def upload(client, content: bytes | str, *, name="contacts.csv", **fields):
    if isinstance(content, str):
        content = content.encode()
    data = {
        "kind": "interactions",
        "mapping": "keel",
        "unknown_agents": "reject",
        "timezone": "UTC",
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        **fields,
    }
    # Snapshots are recomputed once the import commits: run those callbacks.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("kpis:import-create"), data)


def last_batch() -> ImportBatch:
    return ImportBatch.objects.latest("pk")


def days_ago(n: int) -> str:
    return (clock.now() - timedelta(days=n)).strftime("%Y-%m-%d %H:%M:%S")


def csv_rows(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# THE ZENDESK SAMPLE, END TO END
# ------------------------------------------------------------------------------


def test_zendesk_export_upload_shows_up_in_the_scorecards(
    login, buyer_pm, world, types, harbor_agents
):
    # given: a buyer's Zendesk export of Harbor's tickets
    client = login(buyer_pm)
    content = (FIXTURES / "zendesk_tickets.csv").read_bytes()
    # when
    response = upload(
        client, content, name="zendesk.csv", partner=world.harbor.pk, mapping="zendesk"
    )
    # then: imported at once (a small file), and the snapshots follow
    batch = last_batch()
    assert response.url == reverse("kpis:import-detail", args=[batch.pk])
    assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
    assert (batch.rows_total, batch.rows_created, batch.rows_updated) == (8, 8, 0)
    assert Interaction.objects.filter(partner=world.harbor).count() == 8
    chat = KpiSnapshot.objects.get(
        partner=world.harbor,
        channel="chat",
        agent=None,
        period_type="month",
        period_start="2026-11-01",
    )
    assert (chat.contacts, chat.csat_n, chat.csat_positive) == (4, 4, 3)
    assert (chat.reopen_n, chat.reopen_yes, chat.escalation_yes, chat.escalation_l1_yes) == (
        4,
        1,
        1,
        1,
    )
    page = client.get(
        reverse("kpis:scorecard-channels", args=[world.harbor.pk])
        + "?period=month&start=2026-11-01"
    )
    assert b"75.0 %" in page.content  # chat CSAT: 3 of 4 answers positive
    assert (
        b"Zoe Quinn"
        in client.get(
            reverse("kpis:scorecard-agents", args=[world.harbor.pk])
            + "?period=month&start=2026-11-01"
        ).content
    )


def test_sending_the_same_rows_again_updates_instead_of_duplicating(
    login, buyer_pm, world, types, harbor_agents
):
    client = login(buyer_pm)
    content = (FIXTURES / "zendesk_tickets.csv").read_text().replace(",Bad,", ",Good,")
    upload(
        client,
        (FIXTURES / "zendesk_tickets.csv").read_bytes(),
        partner=world.harbor.pk,
        mapping="zendesk",
    )
    upload(client, content, partner=world.harbor.pk, mapping="zendesk")
    batch = last_batch()
    assert (batch.rows_created, batch.rows_updated) == (0, 8)
    assert Interaction.objects.count() == 8
    assert Interaction.objects.get(external_id="48202").csat == 5
    assert Interaction.objects.get(external_id="48202").batch == batch


# REJECTED FILES: NOTHING WRITTEN, EVERY PROBLEM LISTED
# ------------------------------------------------------------------------------


def assert_rejected(batch: ImportBatch, *fragments: str) -> list[str]:
    problems = [f"{p.row}|{p.column}|{p.message}" for p in batch.problems.all()]
    assert batch.status == ImportStatus.REJECTED, problems
    for fragment in fragments:
        assert any(fragment in p for p in problems), (fragment, problems)
    assert Interaction.objects.count() == 0
    assert AggregateReport.objects.count() == 0
    assert StagedRow.objects.count() == 0
    return problems


@pytest.fixture
def harbor_lead_client(login, partner_lead):
    return login(partner_lead)


def test_missing_columns(harbor_lead_client, world, types):
    upload(harbor_lead_client, "external_id,channel\nT-1,chat\n", partner=world.harbor.pk)
    assert_rejected(last_batch(), "0||missing columns: agent_id, interaction_type, opened_at")


def test_unknown_channel_and_every_other_problem_of_the_file(
    harbor_lead_client, world, types, harbor_agents
):
    upload(
        harbor_lead_client,
        csv_rows(
            f"T-1,901,fax,billing,{days_ago(3)},100,5",
            f"T-2,901,chat,billing,{days_ago(3)},100,6",
            f"T-3,901,chat,teleportation,{days_ago(3)},100,5",
        ),
        partner=world.harbor.pk,
    )
    batch = last_batch()
    assert_rejected(
        batch,
        "2|channel|'fax' is not a channel",
        "3|csat|'6' is outside 1-5",
        "4|interaction_type|'teleportation' is not an interaction type of this account",
    )
    assert (batch.rows_total, batch.rows_rejected, batch.problem_count) == (3, 3, 3)


def test_unknown_agent_is_refused_when_the_upload_says_reject(
    harbor_lead_client, world, types, harbor_agents
):
    upload(
        harbor_lead_client,
        csv_rows(f"T-1,777,chat,billing,{days_ago(3)},100,5"),
        partner=world.harbor.pk,
    )
    assert_rejected(last_batch(), "2|agent_id|no agent '777' on Harbor Support's roster")
    assert not Agent.objects.filter(external_id="777").exists()


def test_unknown_agent_is_added_when_the_upload_says_create(harbor_lead_client, world, types):
    upload(
        harbor_lead_client,
        csv_rows(
            f"T-1,777,chat,billing,{days_ago(3)},100,5", f"T-2,777,chat,billing,{days_ago(9)},100,5"
        ),
        partner=world.harbor.pk,
        unknown_agents="create",
    )
    batch = last_batch()
    assert batch.status == ImportStatus.SUCCEEDED
    assert batch.agents_created == 1
    agent = Agent.objects.get(partner=world.harbor, external_id="777")
    assert agent.hire_date == (clock.now() - timedelta(days=9)).date()


def test_dates_in_the_future(harbor_lead_client, world, types, harbor_agents):
    future = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    upload(
        harbor_lead_client,
        csv_rows(f"T-1,901,chat,billing,{future},100,5"),
        partner=world.harbor.pk,
    )
    assert_rejected(last_batch(), "is in the future")


def test_negative_durations(harbor_lead_client, world, types, harbor_agents):
    upload(
        harbor_lead_client,
        csv_rows(f"T-1,901,chat,billing,{days_ago(1)},-30,5"),
        partner=world.harbor.pk,
    )
    assert_rejected(last_batch(), "2|handle_seconds|'-30' is negative")


def test_duplicate_ids_inside_one_file(harbor_lead_client, world, types, harbor_agents):
    upload(
        harbor_lead_client,
        csv_rows(
            f"T-1,901,chat,billing,{days_ago(3)},100,5",
            f"T-2,901,chat,billing,{days_ago(3)},100,5",
            f"T-1,902,chat,billing,{days_ago(2)},100,4",
        ),
        partner=world.harbor.pk,
    )
    assert_rejected(last_batch(), "4|external_id|'T-1' appears again (first in row 2)")


def test_wrong_encoding(harbor_lead_client, world, types):
    content = csv_rows(f"T-1,901,chat,billing,{days_ago(3)},100,5").replace("T-1", "Té-1")
    upload(harbor_lead_client, content.encode("latin-1"), partner=world.harbor.pk)
    assert_rejected(last_batch(), "not UTF-8 text")


def test_semicolon_files_are_read_but_an_unknown_delimiter_is_explained(
    harbor_lead_client, world, types, harbor_agents
):
    semicolons = csv_rows(
        f"T-1;901;chat;billing;{days_ago(3)};100;5", header=HEADER.replace(",", ";")
    )
    upload(harbor_lead_client, semicolons, partner=world.harbor.pk)
    assert last_batch().status == ImportStatus.SUCCEEDED
    Interaction.objects.all().delete()
    colons = csv_rows("T-2:901:chat:billing:2026-11-01:100:5", header=HEADER.replace(",", ":"))
    upload(harbor_lead_client, colons, partner=world.harbor.pk)
    assert_rejected(last_batch(), "missing columns")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\n\n", "The file is empty."),
        (HEADER.encode() + b"\n", "The file has a header but no rows."),
    ],
)
def test_an_empty_file(harbor_lead_client, world, types, content, message):
    upload(harbor_lead_client, content, partner=world.harbor.pk)
    assert_rejected(last_batch(), message)


def test_a_file_of_zero_bytes_is_refused_by_the_form(harbor_lead_client, world, types):
    response = upload(harbor_lead_client, b"", partner=world.harbor.pk)
    assert b"The submitted file is empty." in response.content
    assert not ImportBatch.objects.exists()


def test_a_partner_user_cannot_upload_for_another_partner(harbor_lead_client, world, types):
    response = upload(
        harbor_lead_client,
        csv_rows(f"T-1,1,chat,billing,{days_ago(3)},1,5"),
        partner=world.pacific.pk,
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not ImportBatch.objects.exists()


def test_a_partner_column_naming_another_partner_is_refused(
    harbor_lead_client, world, types, harbor_agents
):
    header = "partner," + HEADER
    upload(
        harbor_lead_client,
        csv_rows(f"Quetzal Contact,T-1,901,chat,billing,{days_ago(3)},1,5", header=header),
        partner=world.harbor.pk,
    )
    assert_rejected(
        last_batch(), "'Quetzal Contact' is not Harbor Support, the partner this upload is for"
    )


def test_buyer_uploads_one_file_for_several_partners(login, buyer_pm, world, types, harbor_agents):
    AgentFactory(partner=world.pacific, team=world.pacific_team, external_id="P-1")
    header = "partner," + HEADER
    upload(
        login(buyer_pm),
        csv_rows(
            f"Harbor Support,T-1,901,chat,billing,{days_ago(3)},1,5",
            f"{world.pacific.pk},T-1,P-1,voice,billing,{days_ago(3)},1,5",
            f"Zanzibar Outsourcing,T-9,Z,voice,billing,{days_ago(3)},1,5",
            header=header,
        ),
        partner="",
    )
    assert_rejected(
        last_batch(), "4|partner|'Zanzibar Outsourcing' is not a partner of this account"
    )


@pytest.mark.parametrize("persona", ["buyer_reviewer", "buyer_exec", "partner_viewer"])
def test_only_program_managers_and_qa_leads_import(persona, request, login, world):
    response = upload(login(request.getfixturevalue(persona)), "x", partner=world.harbor.pk)
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["buyer_reviewer", "buyer_exec", "partner_viewer"])
def test_the_import_service_refuses_other_roles_with_permission_denied(persona, request, world):
    viewer = viewer_for_membership(Membership.objects.get(user=request.getfixturevalue(persona)))
    with pytest.raises(DomainError) as refused:
        import_api(viewer=viewer, kind="interactions", partner=world.harbor, rows=[{}])
    assert refused.value.code == "permission_denied"
    assert refused.value.message.startswith("Only program managers and partner")
    assert refused.value.message.endswith("import KPI data.")
    assert not ImportBatch.objects.exists()


def test_a_partner_lead_imports_only_for_its_own_partner(partner_lead, world):
    viewer = viewer_for_membership(Membership.objects.get(user=partner_lead))
    with pytest.raises(DomainError) as several:
        import_api(viewer=viewer, kind="interactions", partner=None, rows=[{}])
    assert (several.value.code, several.value.field) == ("permission_denied", "partner")
    with pytest.raises(DomainError) as other:
        import_api(viewer=viewer, kind="interactions", partner=world.pacific, rows=[{}])
    assert (other.value.code, other.value.field) == ("not_found", "partner")
    assert other.value.message == "You cannot import data for that partner."


def test_another_accounts_import_cannot_be_retried(buyer_pm):
    # given: a failed import of another account, for several partners (no partner to check)
    batch = ImportBatch.objects.create(
        account=AccountFactory(),
        kind="interactions",
        source=ImportSource.UPLOAD,
        status=ImportStatus.FAILED,
        file=SimpleUploadedFile("x.csv", b"external_id\n"),
    )
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    # when / then
    with pytest.raises(DomainError) as refused:
        import_retry(viewer=viewer, batch=batch)
    assert refused.value.code == "not_found"
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.FAILED


def test_a_crash_mid_import_leaves_nothing_and_the_import_can_be_retried(
    login, partner_lead, world, types, harbor_agents
):
    client = login(partner_lead)
    content = csv_rows(*(f"T-{i},901,chat,billing,{days_ago(3)},100,5" for i in range(50)))
    # given: the worker dies while writing (after the rows were staged)
    with mock.patch(
        "kpis.importers.importer.Importer.write_interactions", side_effect=OSError("worker lost")
    ):
        upload(client, content, partner=world.harbor.pk)
    batch = last_batch()
    assert batch.status == ImportStatus.FAILED
    assert "worker lost" in batch.error
    assert Interaction.objects.count() == 0
    assert StagedRow.objects.count() == 0
    # when: the QA lead runs it again
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("kpis:import-retry", args=[batch.pk]))
    # then
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED
    assert batch.attempts == 2
    assert Interaction.objects.count() == 50
    assert b"Imported" in client.get(reverse("kpis:import-detail", args=[batch.pk])).content


def test_a_finished_import_cannot_be_retried(login, partner_lead, world, types, harbor_agents):
    client = login(partner_lead)
    upload(client, csv_rows(f"T-1,901,chat,billing,{days_ago(3)},100,5"), partner=world.harbor.pk)
    response = client.post(reverse("kpis:import-retry", args=[last_batch().pk]), follow=True)
    assert b"only a failed or stalled import can be retried" in response.content


def test_a_large_file_runs_as_a_task_with_progress(
    login, partner_lead, world, types, harbor_agents
):
    # 2,500 rows: above the threshold for a background import (eager in tests).
    content = csv_rows(*(f"T-{i},901,chat,billing,{days_ago(3)},100,5" for i in range(2500)))
    with mock.patch("kpis.tasks.import_batch_run_task.delay", wraps=lambda pk: None) as delay:
        upload(login(partner_lead), content, partner=world.harbor.pk)
    batch = last_batch()
    delay.assert_called_once_with(batch.pk)
    assert batch.status == ImportStatus.PENDING
    assert batch.rows_expected == 2500
    status = login(partner_lead).get(reverse("kpis:import-status", args=[batch.pk])).json()
    assert (status["finished"], status["expected"]) == (False, 2500)
    # the worker's turn
    from kpis.tasks import import_batch_run_task

    assert import_batch_run_task(batch.pk) == ImportStatus.SUCCEEDED
    status = login(partner_lead).get(reverse("kpis:import-status", args=[batch.pk])).json()
    assert (status["finished"], status["percent"], status["rows"]) == (True, 100, 2500)
    assert Interaction.objects.count() == 2500


def test_a_redelivered_task_does_not_import_twice(login, partner_lead, world, types, harbor_agents):
    upload(
        login(partner_lead),
        csv_rows(f"T-1,901,chat,billing,{days_ago(3)},100,5"),
        partner=world.harbor.pk,
    )
    from kpis.tasks import import_batch_run_task

    batch = last_batch()
    assert import_batch_run_task(batch.pk) == ImportStatus.SUCCEEDED
    assert ImportBatch.objects.get(pk=batch.pk).attempts == 1


def test_problems_download_as_csv(harbor_lead_client, world, types):
    upload(
        harbor_lead_client,
        csv_rows(f"T-1,901,fax,billing,{days_ago(3)},100,9"),
        partner=world.harbor.pk,
    )
    response = harbor_lead_client.get(reverse("kpis:import-problems", args=[last_batch().pk]))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert lines == [
        ["row", "column", "value", "problem"],
        ["2", "channel", "fax", "'fax' is not a channel; use voice, email, chat or social"],
        ["2", "csat", "9", "'9' is outside 1-5"],
    ]


def test_import_page_lists_problems_and_says_nothing_was_written(harbor_lead_client, world, types):
    upload(
        harbor_lead_client,
        csv_rows(f"T-1,901,fax,billing,{days_ago(3)},100,9"),
        partner=world.harbor.pk,
    )
    content = harbor_lead_client.get(reverse("kpis:import-detail", args=[last_batch().pk])).content
    assert b"Nothing from this file was written" in content
    assert b"is not a channel" in content


# AGGREGATE REPORTS AND ROSTERS
# ------------------------------------------------------------------------------

AGG_HEADER = (
    "agent_id,channel,period_start,period_end,contacts,fcr_resolved,csat_responses,csat_positive"
)


def test_aggregate_reports_are_upserted_on_partner_channel_agent_and_period(
    harbor_lead_client, world, harbor_agents
):
    rows = csv_rows(
        "901,chat,2026-11-02,2026-11-08,100,80,20,18",
        ",chat,2026-11-09,2026-11-15,50,40,10,9",
        header=AGG_HEADER,
    )
    upload(harbor_lead_client, rows, partner=world.harbor.pk, kind="aggregates")
    assert last_batch().status == ImportStatus.SUCCEEDED
    upload(
        harbor_lead_client,
        rows.replace(",100,80,", ",110,80,"),
        partner=world.harbor.pk,
        kind="aggregates",
    )
    batch = last_batch()
    assert (batch.rows_created, batch.rows_updated) == (0, 2)
    assert AggregateReport.objects.count() == 2
    assert AggregateReport.objects.get(agent__external_id="901").contacts == 110
    month = KpiSnapshot.objects.get(
        partner=world.harbor,
        channel="chat",
        agent=None,
        period_type="month",
        period_start="2026-11-01",
    )
    assert (month.contacts, month.fcr_yes, month.csat_n, month.csat_positive) == (160, 120, 30, 27)


def test_whole_channel_and_per_agent_numbers_for_one_period_are_refused(
    harbor_lead_client, world, harbor_agents
):
    rows = csv_rows(
        "901,chat,2026-11-02,2026-11-08,100,80,20,18",
        ",chat,2026-11-02,2026-11-08,100,80,20,18",
        header=AGG_HEADER,
    )
    upload(harbor_lead_client, rows, partner=world.harbor.pk, kind="aggregates")
    assert_rejected(last_batch(), "would have both per-agent and whole-channel numbers for chat")


# One period type for a period (docs/imports.md): a report overlapping a report of another
# period type, for the same partner, channel and an overlapping scope, is refused.

ONE_DAY_IN_DECEMBER = pytest.mark.time_machine(
    datetime(2026, 12, 3, 10, 30, tzinfo=UTC), tick=False
)
MARCH = "2026-03-01,2026-03-31"


def report(agent: str, days: str, contacts: int = 100) -> str:
    """An aggregate row of `contacts` chat contacts (80 % resolved first time)."""
    return f"{agent},chat,{days},{contacts},{contacts * 4 // 5},20,18"


def send_reports(client, world, *rows: str) -> ImportBatch:
    upload(client, csv_rows(*rows, header=AGG_HEADER), partner=world.harbor.pk, kind="aggregates")
    return last_batch()


def stored_reports() -> list[tuple[str | None, str, str, int]]:
    return sorted(
        (r.agent.external_id if r.agent else None, r.period_type, str(r.period_start), r.contacts)
        for r in AggregateReport.objects.select_related("agent")
    )


def refused(batch: ImportBatch) -> list[tuple[int, str, str, str]]:
    """The problems of a refused import, which wrote nothing and left nothing staged."""
    assert batch.status == ImportStatus.REJECTED
    assert (batch.rows_created, batch.rows_updated) == (0, 0)
    assert StagedRow.objects.count() == 0
    return [(p.row, p.column, p.value, p.message) for p in batch.problems.order_by("row")]


def month_snapshot(agent=None) -> KpiSnapshot:
    return KpiSnapshot.objects.get(
        partner__name="Harbor Support",
        channel="chat",
        agent=agent,
        period_type="month",
        period_start="2026-03-01",
    )


@ONE_DAY_IN_DECEMBER
def test_a_weekly_report_inside_a_stored_monthly_report_is_refused(
    harbor_lead_client, world, harbor_agents
):
    # given: Harbor's monthly March report for agent 901
    assert send_reports(harbor_lead_client, world, report("901", MARCH)).status == "succeeded"
    before = stored_reports()
    # when: a weekly report of the same agent for a week of March follows
    batch = send_reports(
        harbor_lead_client, world, report("901", "2026-03-02,2026-03-08", contacts=30)
    )
    # then: refused, naming the stored monthly report; the month still counts 100 contacts
    assert refused(batch) == [
        (
            2,
            "period_start",
            "2026-03-02",
            "Harbor Support already has a monthly chat report for agent 901 covering "
            "1-31 March 2026 (stored); a weekly report for agent 901 covering 2-8 March 2026 "
            "would count those contacts twice: send one period type for a period (a corrected "
            "monthly report replaces the stored one)",
        )
    ]
    assert stored_reports() == before
    assert month_snapshot(harbor_agents[0]).contacts == 100


@ONE_DAY_IN_DECEMBER
def test_a_monthly_report_over_stored_weekly_reports_is_refused(
    harbor_lead_client, world, harbor_agents
):
    send_reports(
        harbor_lead_client,
        world,
        report("901", "2026-03-09,2026-03-15", contacts=30),
        report("901", "2026-03-16,2026-03-22", contacts=40),
    )
    before = stored_reports()
    batch = send_reports(harbor_lead_client, world, report("901", MARCH))
    [(row, column, value, message)] = refused(batch)
    assert (row, column, value) == (2, "period_start", "2026-03-01")
    assert message.startswith(
        "Harbor Support already has a weekly chat report for agent 901 covering 9-15 March 2026 "
        "(stored); a monthly report for agent 901 covering 1-31 March 2026 would count"
    )
    assert stored_reports() == before
    assert month_snapshot(harbor_agents[0]).contacts == 70


@ONE_DAY_IN_DECEMBER
def test_a_monthly_and_a_weekly_report_in_one_file_are_both_refused(
    harbor_lead_client, world, harbor_agents
):
    batch = send_reports(
        harbor_lead_client,
        world,
        report("901", MARCH),
        report("902", "2026-03-02,2026-03-08"),  # another agent: no overlap
        report("901", "2026-03-23,2026-03-29", contacts=30),
    )
    assert refused(batch) == [
        (
            2,
            "period_start",
            "2026-03-01",
            "Harbor Support already has a weekly chat report for agent 901 covering 23-29 March "
            "2026 (row 4 of this import); a monthly report for agent 901 covering 1-31 March 2026 "
            "would count those contacts twice: send one period type for a period",
        ),
        (
            4,
            "period_start",
            "2026-03-23",
            "Harbor Support already has a monthly chat report for agent 901 covering 1-31 March "
            "2026 (row 2 of this import); a weekly report for agent 901 covering 23-29 March 2026 "
            "would count those contacts twice: send one period type for a period",
        ),
    ]
    assert AggregateReport.objects.count() == 0


@ONE_DAY_IN_DECEMBER
@pytest.mark.parametrize(
    ("month", "covering", "next_week"),
    [
        (MARCH, "1-31 March 2026", ImportStatus.SUCCEEDED),
        ("2026-04-01,2026-04-30", "1-30 April 2026", ImportStatus.REJECTED),
    ],
    ids=["march", "april"],
)
def test_a_week_across_a_month_end_overlaps_both_months(
    harbor_lead_client, world, harbor_agents, month, covering, next_week
):
    # given: a monthly report for March, or for April
    send_reports(harbor_lead_client, world, report("901", month))
    # when: the ISO week of Monday 30 March to Sunday 5 April 2026 follows
    batch = send_reports(harbor_lead_client, world, report("901", "2026-03-30,2026-04-05"))
    # then: it holds days of either month
    [(_, _, _, message)] = refused(batch)
    assert message.startswith(
        f"Harbor Support already has a monthly chat report for agent 901 covering {covering} "
        "(stored); a weekly report for agent 901 covering 30 March to 5 April 2026 would count"
    )
    # and the week after it, wholly in April, overlaps April only
    batch = send_reports(harbor_lead_client, world, report("901", "2026-04-06,2026-04-12"))
    assert batch.status == next_week


@ONE_DAY_IN_DECEMBER
@pytest.mark.parametrize(
    ("stored", "sent", "overlap"),
    [
        # quarter and month, either way round
        ("2026-01-01,2026-03-31", "2026-02-01,2026-02-28", True),
        ("2026-02-01,2026-02-28", "2026-01-01,2026-03-31", True),
        ("2026-01-01,2026-03-31", "2026-04-01,2026-04-30", False),
        # a week across a quarter's end, and a quarter of 92 days with its last day
        ("2026-04-01,2026-06-30", "2026-06-29,2026-07-05", True),
        ("2026-07-01,2026-09-30", "2026-06-29,2026-07-05", True),
        ("2026-07-01,2026-09-30", "2026-09-30,2026-09-30", True),
        ("2026-07-01,2026-09-30", "2026-10-01,2026-10-01", False),
        # day and week, either way round
        ("2026-03-02,2026-03-08", "2026-03-08,2026-03-08", True),
        ("2026-03-02,2026-03-08", "2026-03-09,2026-03-09", False),
        ("2026-03-02,2026-03-02", "2026-03-02,2026-03-08", True),
        ("2026-03-01,2026-03-01", "2026-03-02,2026-03-08", False),
        # day and month across a year's end
        ("2025-12-29,2026-01-04", "2025-12-01,2025-12-31", True),
        ("2025-12-31,2025-12-31", "2026-01-01,2026-03-31", False),
    ],
)
def test_periods_of_different_types_overlap_when_they_share_a_day(
    harbor_lead_client, world, harbor_agents, stored, sent, overlap
):
    assert send_reports(harbor_lead_client, world, report("901", stored)).status == "succeeded"
    batch = send_reports(harbor_lead_client, world, report("901", sent))
    if overlap:
        [(row, column, value, message)] = refused(batch)
        assert (row, column, value) == (2, "period_start", sent[:10])
        assert "would count those contacts twice" in message
        assert AggregateReport.objects.count() == 1
    else:
        assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
        assert AggregateReport.objects.count() == 2


@ONE_DAY_IN_DECEMBER
def test_another_agents_weekly_reports_add_to_a_monthly_report(
    harbor_lead_client, world, harbor_agents
):
    send_reports(harbor_lead_client, world, report("901", MARCH))
    batch = send_reports(
        harbor_lead_client,
        world,
        report("902", "2026-03-02,2026-03-08", contacts=30),
        report("902", "2026-03-30,2026-04-05", contacts=20),
    )
    assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
    # the week starting 30 March counts in March, the month it starts in
    assert month_snapshot().contacts == 150
    assert month_snapshot(harbor_agents[1]).contacts == 50


@ONE_DAY_IN_DECEMBER
def test_whole_channel_and_per_agent_reports_of_different_periods_are_refused(
    harbor_lead_client, world, harbor_agents
):
    # given: whole-channel numbers for March
    send_reports(harbor_lead_client, world, report("", MARCH))
    # when: an agent's week of March follows, then the channel's own week
    per_agent = send_reports(harbor_lead_client, world, report("901", "2026-03-02,2026-03-08"))
    whole = send_reports(harbor_lead_client, world, report("", "2026-03-02,2026-03-08"))
    # then: both would count the channel's contacts twice; the message names both scopes
    [(_, _, _, message)] = refused(per_agent)
    assert message == (
        "Harbor Support already has a monthly chat report for the whole channel covering "
        "1-31 March 2026 (stored); a weekly report for agent 901 covering 2-8 March 2026 would "
        "count those contacts twice: send one period type for a period, and either per-agent "
        "or whole-channel numbers (a corrected monthly report replaces the stored one)"
    )
    [(_, _, _, message)] = refused(whole)
    assert "report for the whole channel covering 2-8 March 2026" in message
    assert month_snapshot().contacts == 100


@ONE_DAY_IN_DECEMBER
def test_each_double_count_is_named_once_by_the_rule_it_breaks(
    harbor_lead_client, world, harbor_agents
):
    # The same period, per agent and for the whole channel: the rule of one scope for a
    # period refuses the whole-channel row. Periods of another type overlapping it: the rule
    # of one period type, naming the agent's own report before the whole channel's.
    batch = send_reports(
        harbor_lead_client,
        world,
        report("", MARCH),
        report("901", MARCH),
        report("901", "2026-03-02,2026-03-08"),
    )
    problems = refused(batch)
    assert [(row, message.split(":")[0]) for row, _, _, message in problems] == [
        (
            2,
            "Harbor Support would have both per-agent and whole-channel numbers for chat in the "
            "month starting 2026-03-01, counting the same contacts twice",
        ),
        (
            2,
            "Harbor Support already has a weekly chat report for agent 901 covering 2-8 March "
            "2026 (row 4 of this import); a monthly report for the whole channel covering 1-31 "
            "March 2026 would count those contacts twice",
        ),
        (
            3,
            "Harbor Support already has a weekly chat report for agent 901 covering 2-8 March "
            "2026 (row 4 of this import); a monthly report for agent 901 covering 1-31 March 2026 "
            "would count those contacts twice",
        ),
        (
            4,
            "Harbor Support already has a monthly chat report for agent 901 covering 1-31 March "
            "2026 (row 3 of this import); a weekly report for agent 901 covering 2-8 March 2026 "
            "would count those contacts twice",
        ),
    ]


@ONE_DAY_IN_DECEMBER
def test_a_monthly_report_sent_again_updates_it(harbor_lead_client, world, harbor_agents):
    send_reports(
        harbor_lead_client, world, report("901", MARCH), report("902", "2026-03-02,2026-03-08")
    )
    batch = send_reports(harbor_lead_client, world, report("901", MARCH, contacts=120))
    assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
    assert (batch.rows_created, batch.rows_updated) == (0, 1)
    assert stored_reports() == [
        ("901", "month", "2026-03-01", 120),
        ("902", "week", "2026-03-02", 100),
    ]
    assert month_snapshot().contacts == 220


@ONE_DAY_IN_DECEMBER
def test_the_overlap_check_is_one_query_however_many_rows(
    harbor_lead_client, world, harbor_agents, monkeypatch
):
    agents = [f"A-{n}" for n in range(12)]
    for agent in agents:
        AgentFactory(partner=world.harbor, team=world.harbor_team, external_id=agent)
    send_reports(harbor_lead_client, world, *(report(a, MARCH) for a in agents))
    queries: list[int] = []
    check = Importer.check_overlapping_periods

    def counted(importer):
        with CaptureQueriesContext(connection) as context:
            check(importer)
        queries.append(len(context))

    monkeypatch.setattr(Importer, "check_overlapping_periods", counted)
    weeks = ["2026-03-02,2026-03-08", "2026-03-09,2026-03-15", "2026-03-16,2026-03-22"]
    few = send_reports(harbor_lead_client, world, report(agents[0], weeks[0]))
    many = send_reports(
        harbor_lead_client, world, *(report(a, week) for a in agents for week in weeks)
    )
    assert (few.problem_count, many.problem_count) == (1, 36)
    assert queries == [1, 1]


def test_roster_import_adds_teams_hires_and_leavers(harbor_lead_client, world):
    rows = csv_rows(
        "R-1,Rita Roe,Harbor Email,email,2026-01-05,",
        "R-2,Sam Soe,Harbor Email,,2026-02-01,2026-10-31",
        f"{world.harbor_agent.external_id},Hana Harbor,Harbor Chat,,2025-06-01,2026-11-01",
        header="agent_id,name,team,channel,hire_date,leaving_date",
    )
    upload(harbor_lead_client, rows, partner=world.harbor.pk, kind="roster")
    batch = last_batch()
    assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
    assert (batch.rows_created, batch.rows_updated) == (2, 1)
    team = Team.objects.get(partner=world.harbor, name="Harbor Email")
    assert team.channel == "email"
    assert Agent.objects.get(external_id="R-2").leaving_date.isoformat() == "2026-10-31"
    world.harbor_agent.refresh_from_db()
    assert str(world.harbor_agent.leaving_date) == "2026-11-01"
    october = KpiSnapshot.objects.get(
        partner=world.harbor,
        channel="email",
        agent=None,
        period_type="month",
        period_start="2026-10-01",
    )
    assert (october.headcount_start, october.headcount_end, october.leavers) == (2, 1, 1)


def test_a_new_team_without_its_channel_is_refused(harbor_lead_client, world):
    rows = csv_rows(
        "R-1,Rita Roe,Night Shift,,2026-01-05,",
        header="agent_id,name,team,channel,hire_date,leaving_date",
    )
    upload(harbor_lead_client, rows, partner=world.harbor.pk, kind="roster")
    assert_rejected(last_batch(), "team 'Night Shift' is new at Harbor Support: give its channel")
    assert not Agent.objects.filter(external_id="R-1").exists()


# THE MANAGEMENT COMMAND AND COLUMN MAPPINGS
# ------------------------------------------------------------------------------


def test_command_imports_a_file_from_disk(world, types, harbor_agents, tmp_path, capsys):
    path = tmp_path / "zendesk.csv"
    path.write_bytes((FIXTURES / "zendesk_tickets.csv").read_bytes())
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command(
            "import_kpi_data",
            str(path),
            "--account",
            "northwind",
            "--partner",
            "harbor support",
            "--mapping",
            "zendesk",
        )
    assert "8 rows, 8 created, 0 updated" in capsys.readouterr().out
    assert Interaction.objects.count() == 8


def test_command_lists_problems_and_fails(world, types, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(csv_rows(f"T-1,901,chat,billing,{days_ago(1)},-1,5"))
    with pytest.raises(CommandError, match="rejected: 1 problems; nothing was written"):
        call_command(
            "import_kpi_data", str(path), "--account", "northwind", "--partner", "Harbor Support"
        )
    err = capsys.readouterr().err
    assert "row 2, column handle_seconds: '-1' is negative" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "nowhere"], "No account with the slug 'nowhere'"),
        (
            ["--account", "northwind", "--partner", "Zanzibar Outsourcing"],
            "Northwind has no partner",
        ),
    ],
)
def test_command_refuses_unknown_accounts_and_partners(world, tmp_path, args, message):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n")
    with pytest.raises(CommandError, match=message):
        call_command("import_kpi_data", str(path), *args)


def test_saved_columns_are_used_by_later_uploads(login, partner_lead, world, types, harbor_agents):
    client = login(partner_lead)
    response = client.post(
        reverse("kpis:mapping", args=[world.harbor.pk, "interactions"]),
        {
            "column_external_id": "Ticket",
            "column_agent_id": "Agent",
            "column_channel": "Medium",
            "column_interaction_type": "Reason",
            "column_opened_at": "Opened",
            "column_handle_seconds": "Handle (min)",
            "unit_handle_seconds": "minutes",
            "unit_first_response_seconds": "seconds",
            "values_channel": "Telefon = voice\nMail = email",
        },
    )
    assert response.status_code == 302
    content = (
        "Ticket,Agent,Medium,Reason,Opened,Handle (min)\n"
        "K-1,901,Telefon,billing,2026-11-02 10:00,7.5\n"
    )
    upload(client, content, partner=world.harbor.pk, mapping="saved")
    batch = last_batch()
    assert batch.status == ImportStatus.SUCCEEDED, list(batch.problems.values_list("message"))
    contact = Interaction.objects.get(external_id="K-1")
    assert (contact.channel, contact.handle_seconds) == ("voice", 450)


def test_a_value_translation_without_equals_sign_is_refused(login, partner_lead, world):
    response = login(partner_lead).post(
        reverse("kpis:mapping", args=[world.harbor.pk, "interactions"]),
        {
            "values_channel": "Telefon voice",
            "unit_first_response_seconds": "seconds",
            "unit_handle_seconds": "seconds",
        },
    )
    assert (
        b"Line 1 has no &#x27;=&#x27;" in response.content or b"Line 1 has no" in response.content
    )


def test_uploading_with_saved_columns_when_none_are_saved_says_so(harbor_lead_client, world, types):
    response = upload(harbor_lead_client, "x\n1\n", partner=world.harbor.pk, mapping="saved")
    assert b"There is no saved column mapping for this partner" in response.content
    assert not ImportBatch.objects.exists()


def test_import_list_shows_only_the_partners_own_imports(
    login, partner_lead, other_partner_lead, world, types
):
    upload(login(other_partner_lead), "x\n1\n", partner=world.pacific.pk)
    assert b"contacts.csv" not in login(partner_lead).get(reverse("kpis:import-list")).content
    assert b"contacts.csv" in login(other_partner_lead).get(reverse("kpis:import-list")).content


def test_stream_of_a_service_call_reads_any_binary_stream(world, types, harbor_agents):
    from kpis.services import import_file_on_disk

    batch = import_file_on_disk(
        account=world.account,
        partner=world.harbor,
        kind="interactions",
        stream=io.BytesIO(csv_rows(f"T-1,901,chat,billing,{days_ago(3)},100,5").encode()),
        file_name="x.csv",
        mapping="keel",
        unknown_agents="reject",
    )
    assert batch.status == ImportStatus.SUCCEEDED
