"""Checking one row of KPI data (kpis.rows): every value's problem names row and column."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.rows import (
    FIELDS,
    PRESETS,
    ZENDESK,
    ColumnMap,
    Context,
    Kind,
    Problem,
    RowReader,
    parse_duration,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CTX = Context(now=NOW, default_tz=ZoneInfo("Europe/Paris"))

GOOD = {
    "agent_id": "A-1",
    "channel": "chat",
    "interaction_type": "billing",
    "external_id": "T-1",
    "opened_at": "2026-11-02 10:00:00",
}


def reader(kind: Kind = Kind.INTERACTIONS, **kwargs) -> RowReader:
    return RowReader(kind=kind, column_map=kwargs.pop("column_map", ColumnMap()), ctx=CTX, **kwargs)


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_a_good_row_parses_to_typed_values():
    values, problems = reader().parse(2, {**GOOD, "csat": "5", "handle_seconds": "0:07:30"})
    assert problems == []
    assert values["opened_at"] == datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert values["csat"] == 5
    assert values["handle_seconds"] == 450
    assert values["resolved_first_contact"] is None


@pytest.mark.parametrize(
    ("column", "raw", "message"),
    [
        ("csat", "6", "row 1,204, column csat: '6' is outside 1-5"),
        ("csat", "4.5", "row 1,204, column csat: '4.5' is not a whole number"),
        ("nps", "11", "row 1,204, column nps: '11' is outside 0-10"),
        ("ces", "0", "row 1,204, column ces: '0' is outside 1-7"),
        ("channel", "fax", "row 1,204, column channel: 'fax' is not a channel"),
        ("opened_at", "2027-01-01", "row 1,204, column opened_at: '2027-01-01' is in the future"),
        ("opened_at", "yesterday", "row 1,204, column opened_at: 'yesterday' is not a date"),
        ("handle_seconds", "-5", "row 1,204, column handle_seconds: '-5' is negative"),
        ("first_response_seconds", "1:xx", "is not a duration"),
        ("escalated", "maybe", "row 1,204, column escalated: 'maybe' is not yes or no"),
        ("external_id", "x" * 101, "is 101 characters long; at most 100 fit"),
        ("agent_id", "", "row 1,204, column agent_id: is empty, but every row needs it"),
    ],
)
def test_each_bad_value_is_named_with_row_and_column(column, raw, message):
    _, problems = reader().parse(1204, {**GOOD, column: raw})
    assert len(problems) == 1
    assert message in str(problems[0])


def test_every_problem_of_a_row_is_reported_at_once():
    _, problems = reader().parse(3, {**GOOD, "csat": "9", "nps": "x", "channel": "pigeon"})
    assert {p.column for p in problems} == {"csat", "nps", "channel"}


def test_times_with_an_offset_keep_it_and_z_means_utc():
    values, _ = reader().parse(2, {**GOOD, "opened_at": "2026-11-02T10:00:00Z"})
    assert values["opened_at"] == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    values, _ = reader().parse(2, {**GOOD, "opened_at": "2026-11-02 10:00:00 +0530"})
    assert values["opened_at"].utcoffset().total_seconds() == 5.5 * 3600


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("yes", True), ("N", False), ("1", True), ("0", False), ("3", True), ("TRUE", True)],
)
def test_booleans_accept_common_spellings_and_counts(raw, expected):
    values, problems = reader().parse(2, {**GOOD, "reopened": raw})
    assert problems == []
    assert values["reopened"] is expected


def test_an_l1_outcome_without_an_escalation_is_refused():
    _, problems = reader().parse(2, {**GOOD, "escalated": "no", "escalation_resolved_l1": "yes"})
    assert "is filled in but the contact was not escalated" in str(problems[0])


def test_missing_columns_are_named_with_the_files_own_columns():
    r = reader(header=["Id", "Via", "Created at"])
    assert len(r.file_problems) == 1
    text = str(r.file_problems[0])
    assert "missing columns: agent_id, channel, interaction_type, external_id, opened_at" in text
    assert "The file's columns are: 'Id', 'Via', 'Created at'" in text


def test_a_single_column_with_semicolons_hints_at_the_delimiter():
    r = reader(header=["agent_id;channel;interaction_type;external_id;opened_at"])
    assert "is the delimiter right?" in str(r.file_problems[0])


def test_a_row_with_too_few_values_is_refused():
    r = reader(header=["agent_id", "channel", "interaction_type", "external_id", "opened_at"])
    _, problems = r.parse(7, ["A-1", "chat"])
    assert "row 7: has 2 values but the header has 5 columns" in messages(problems)


def test_the_zendesk_preset_maps_columns_units_and_values():
    header = ["Id", "Assignee id", "Assignee", "Via", "Contact reason", "Created at",
              "First reply time in minutes", "Satisfaction Score", "Reopens"]  # fmt: skip
    r = reader(column_map=ZENDESK, header=header)
    assert r.file_problems == []
    values, problems = r.parse(
        2,
        [
            "55",
            "901",
            "Ana",
            "Phone call (incoming)",
            "billing",
            "2026-11-02 09:00",
            "12",
            "Good",
            "2",
        ],  # fmt: skip
    )
    assert problems == []
    assert (values["channel"], values["csat"], values["reopened"]) == ("voice", 5, True)
    assert values["first_response_seconds"] == 720
    # Zendesk's "Offered" (no answer yet) is no answer at all.
    values, _ = r.parse(
        3, ["56", "901", "Ana", "Mail", "billing", "2026-11-02 09:00", "", "Offered", "0"]
    )
    assert values["csat"] is None
    assert values["channel"] == "email"
    # A problem names the file's column and Keel's field.
    _, problems = r.parse(4, ["57", "901", "Ana", "Fax", "billing", "2026-11-02 09:00", "", "", ""])
    assert "row 4, column Via (channel): 'Fax' is not a channel" in messages(problems)[0]


def test_presets_only_name_existing_fields():
    for _label, kind, column_map in PRESETS.values():
        names = {f.name for f in FIELDS[kind or Kind.INTERACTIONS]}
        assert set(column_map.columns) <= names
        assert set(column_map.units) <= names
        assert set(column_map.values) <= names


AGG = {
    "agent_id": "A-1",
    "channel": "chat",
    "period_start": "2026-11-02",
    "period_end": "2026-11-08",
    "contacts": "100",
}


def test_an_aggregate_row_covers_exactly_one_period():
    values, problems = reader(Kind.AGGREGATES).parse(2, {**AGG, "fcr_resolved": "70"})
    assert problems == []
    assert values["period"].type == "week"
    assert values["fcr_measured"] == 100  # measured on every contact unless said otherwise
    _, problems = reader(Kind.AGGREGATES).parse(2, {**AGG, "period_end": "2026-11-10"})
    assert "2026-11-02 to 2026-11-10 is not one day, ISO week" in messages(problems)[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"fcr_measured": "120"}, "column fcr_measured: is more than the 100 contacts"),
        ({"fcr_measured": "50", "fcr_resolved": "60"}, "is more than the 50 contacts it was"),
        ({"csat_positive": "5"}, "column csat_positive: is more than csat_responses (0)"),
        ({"csat_responses": "10", "csat_positive": "11"}, "is more than csat_responses (10)"),
        (
            {"nps_responses": "10", "nps_promoters": "6", "nps_detractors": "6"},
            "promoters and detractors add up to more than the 10 answers",
        ),
        ({"ces_responses": "10", "ces_total": "71"}, "cannot be the sum of 10 answers"),
        ({"contacts": "-3"}, "'-3' is negative; a count cannot be"),
    ],
)
def test_aggregate_counts_must_be_consistent(extra, message):
    _, problems = reader(Kind.AGGREGATES).parse(2, {**AGG, **extra})
    assert any(message in m for m in messages(problems)), messages(problems)


def test_roster_leaving_before_hiring_is_refused():
    _, problems = reader(Kind.ROSTER).parse(
        2, {"agent_id": "A", "name": "Ana", "hire_date": "2026-05-01", "leaving_date": "2026-04-01"}
    )
    assert "column leaving_date: is before the hire date 2026-05-01" in messages(problems)[0]


@given(st.integers(0, 10**7))
def test_durations_in_seconds_minutes_and_clock_form_agree(seconds):
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    assert parse_duration(str(seconds), "seconds") == seconds
    assert parse_duration(f"{hours}:{minutes:02d}:{secs:02d}", "seconds") == seconds
    assert parse_duration(str(seconds / 60), "minutes") == seconds
