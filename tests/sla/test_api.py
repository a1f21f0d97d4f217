"""SLAs over REST: contracts, SLAs and bands, band statuses, settlements, remediation plans
and exit criteria; who may write, what a broken rule answers, and what each side sees."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from sla.evaluation import evaluate_contract_month, month_of
from sla.models import (
    Band,
    BandStatus,
    Contract,
    ExitCriterion,
    GovernedKpi,
    PlanStatus,
    RemediationPlan,
    Settlement,
    SettlementStatus,
    Sla,
)
from tests.factories.api import error, token_for
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

CONTRACTS = "/api/v1/contracts/"
SLAS = "/api/v1/slas/"
STATUSES = "/api/v1/band-statuses/"
SETTLEMENTS = "/api/v1/settlements/"
PLANS = "/api/v1/remediation-plans/"
EXIT_CRITERIA = "/api/v1/exit-criteria/"

# CSAT positive answers out of 200: the template's bands are penalty below 75 %, remediation
# 75-82 %, base 82-88 %, bonus from 88 %.
PENALTY, REMEDIATION, BASE = 140, 156, 170


def months_before(today: date, n: int) -> list[date]:
    """The n complete months before the current one, oldest first."""
    period = month_of(today)
    months = []
    for _ in range(n):
        period = period.previous()
        months.append(period.start)
    return months[::-1]


def evaluate(contract: Contract, month: date, positive: int, *, n: int = 200) -> None:
    """A month of chat data with `positive` of `n` CSAT answers, evaluated today."""
    month_snapshot(contract.partner, "chat", month, contacts=1000, csat_n=n, csat_positive=positive)
    evaluate_contract_month(contract, month, clock.today())


@pytest.fixture
def contract(world, today) -> Contract:
    # Running from two years back, so that every month a test uses lies within it.
    return make_contract(
        world.harbor, start_date=date(today.year - 2, 1, 1), end_date=date(today.year + 1, 12, 31)
    )


@pytest.fixture
def sla(contract) -> Sla:
    sla = make_sla(contract)
    govern_template(sla, "chat", "csat")
    return sla


@pytest.fixture
def pacific_sla(world, today) -> Sla:
    """Quetzal's contract and SLA: what Harbor's people must never see."""
    contract = make_contract(
        world.pacific,
        name="Quetzal MSA",
        start_date=date(today.year - 2, 1, 1),
        end_date=date(today.year + 1, 12, 31),
    )
    sla = make_sla(contract, name="Quetzal SLA")
    govern_template(sla, "chat", "csat")
    return sla


def new_contract(world, **overrides) -> dict:
    return {
        "partner": world.harbor.pk,
        "name": "Chat and email 2027",
        "start_date": "2027-01-01",
        "end_date": "2028-12-31",
        "currency": "eur",
        "rates": [
            {"channel": "voice", "pricing_model": "per_hour", "rate": "20.00"},
            {"channel": "chat", "pricing_model": "per_contact", "rate": "3.00"},
        ],
        "wfm_pct": "10",
        "qa_pct": "5",
        **overrides,
    }


CSAT_BANDS = [
    {"kind": "penalty", "upper": "75", "credit_pct": "10", "opens_remediation": True},
    {"kind": "remediation", "lower": "75", "upper": "82", "opens_remediation": True},
    {"kind": "base", "lower": "82", "upper": "88"},
    {"kind": "bonus", "lower": "88", "bonus_pct": "5"},
]


# CONTRACTS
# ------------------------------------------------------------------------------


def test_program_manager_creates_and_updates_a_contract(api_login, buyer_pm, world):
    client = api_login(buyer_pm)
    response = client.post(CONTRACTS, new_contract(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["currency"], body["wfm_pct"], body["loaded_pct"]) == ("EUR", "10.00", "15.00")
    # Each line's loaded rate: its rate plus 10 % WFM and 5 % QA.
    assert [(r["channel"], r["pricing_model"], r["rate"], r["loaded_rate"])
            for r in body["rates"]] == [
        ("voice", "per_hour", "20.0000", "23.0000"),
        ("chat", "per_contact", "3.0000", "3.4500"),
    ]  # fmt: skip
    response = client.patch(f"{CONTRACTS}{body['id']}/", {"notice_days": 60}, format="json")
    assert response.status_code == 200, response.json()
    contract = Contract.objects.get(pk=body["id"])
    assert contract.notice_days == 60
    assert contract.channels == ["voice", "chat"]  # left out, the rate card stays
    # Sent, the rate card is replaced as a whole.
    email = [{"channel": "email", "pricing_model": "per_contact", "rate": "4.10"}]
    response = client.patch(f"{CONTRACTS}{body['id']}/", {"rates": email}, format="json")
    assert response.status_code == 200, response.json()
    assert [r["channel"] for r in response.json()["rates"]] == ["email"]


@pytest.mark.parametrize(
    ("overrides", "attr", "words"),
    [
        ({"currency": "XXQ"}, "currency", "'XXQ' is not an ISO 4217 currency code"),
        ({"end_date": "2026-12-31"}, "end_date", "The contract ends (2026-12-31) before it starts"),
        (
            {"rates": [{"channel": "chat", "pricing_model": "hybrid", "rate": "2"}]},
            "rates",
            "Line 1 (chat): a hybrid price needs a base",
        ),
        (
            {"rates": [{"channel": "chat", "pricing_model": "per_contact", "rate": "many"}]},
            "rates.0.rate",
            "A valid number is required",
        ),
        (
            {"rates": [{"channel": "chat", "pricing_model": "per_contact", "rate": "-1"}]},
            "rates",
            "Line 1 (chat): a rate cannot be negative",
        ),
        (
            {
                "rates": [
                    {
                        "channel": "chat",
                        "pricing_model": "per_contact",
                        "rate": "3",
                        "currency": "USD",
                    }
                ]
            },
            "rates",
            "Line 1 (chat) is in USD, the contract in EUR: one contract invoices in one currency",
        ),
        ({"rates": []}, "rates.non_field_errors", "This list may not be empty"),
        ({"rates": None}, "rates", "This field may not be null"),
        ({"partner": 999_999}, "partner", "No partner with id 999999 in your account"),
    ],
)
def test_contract_with_a_problem_is_refused_naming_it(
    api_login, buyer_pm, world, overrides, attr, words
):
    response = api_login(buyer_pm).post(CONTRACTS, new_contract(world, **overrides), format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert words in error(response)["detail"]
    assert not Contract.objects.exists()


def test_contract_for_another_accounts_partner_is_refused(api_login, buyer_pm, world):
    response = api_login(buyer_pm).post(
        CONTRACTS, new_contract(world, partner=world.zanzibar.pk), format="json"
    )
    assert response.status_code == 400
    assert error(response)["attr"] == "partner"
    assert "Zanzibar" not in response.content.decode()


def test_contract_cannot_move_to_another_partner(api_login, buyer_pm, world, contract):
    response = api_login(buyer_pm).patch(
        f"{CONTRACTS}{contract.pk}/", {"partner": world.pacific.pk}, format="json"
    )
    assert response.status_code == 400
    assert error(response)["attr"] == "partner"
    contract.refresh_from_db()
    assert contract.partner == world.harbor


def test_program_manager_enters_volumes_all_or_nothing(
    api_login, buyer_pm, partner_lead, contract, today
):
    url = f"{CONTRACTS}{contract.pk}/volumes/"
    month, previous = months_before(today, 2)[::-1]
    rows = [
        {"channel": "voice", "month": month.isoformat(), "hours": "1520.50"},
        {"channel": "chat", "month": month.isoformat(), "fte": "12.5"},
    ]
    client = api_login(buyer_pm)
    response = client.post(url, {"rows": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert [(r["channel"], r["hours"], r["fte"]) for r in response.json()] == [
        ("chat", None, "12.50"),
        ("voice", "1520.50", None),
    ]
    # A broken row refuses the whole call, naming the row; nothing of it is written.
    bad = [
        {"channel": "voice", "month": previous.isoformat(), "hours": "800"},
        {"channel": "email", "month": previous.replace(day=2).isoformat(), "hours": "10"},
    ]
    response = client.post(url, {"rows": bad}, format="json")
    assert response.status_code == 400
    assert error(response)["detail"].startswith("Row 2: ")
    assert "is not the first day of a month" in error(response)["detail"]
    assert contract.volumes.count() == 2
    twice = [rows[0], rows[0]]
    response = client.post(url, {"rows": twice}, format="json")
    assert "is already row 1" in error(response)["detail"]
    # Partner users read the volumes but cannot enter them.
    lead = api_login(partner_lead)
    assert len(lead.get(url).json()) == 2
    assert lead.post(url, {"rows": rows}, format="json").status_code == 403


def test_partner_user_sees_only_its_own_contracts(
    api_login, buyer_pm, partner_lead, world, contract, pacific_sla
):
    body = api_login(partner_lead).get(CONTRACTS).json()
    assert [c["id"] for c in body["results"]] == [contract.pk]
    other = pacific_sla.contract
    assert api_login(partner_lead).get(f"{CONTRACTS}{other.pk}/").status_code == 404
    # a filter on another partner is refused like an unknown one
    assert api_login(partner_lead).get(CONTRACTS, {"partner": world.pacific.pk}).status_code == 400
    buyer = api_login(buyer_pm).get(CONTRACTS, {"partner": world.pacific.pk}).json()
    assert [c["id"] for c in buyer["results"]] == [other.pk]


# WHO MAY WRITE
# ------------------------------------------------------------------------------


def _writes(world, contract, sla, settlement, plan, criterion):
    governed = sla.governed.get()
    return [
        ("post", CONTRACTS, new_contract(world)),
        ("patch", f"{CONTRACTS}{contract.pk}/", {"name": "Renamed"}),
        ("post", SLAS, {"contract": contract.pk, "name": "Another"}),
        ("patch", f"{SLAS}{sla.pk}/", {"name": "Renamed"}),
        ("post", f"{SLAS}{sla.pk}/kpis/", {"channel": "chat", "kpi": "csat", "bands": CSAT_BANDS}),
        ("delete", f"{SLAS}{sla.pk}/kpis/{governed.pk}/", None),
        ("post", f"{SETTLEMENTS}{settlement.pk}/approve/", None),
        ("post", EXIT_CRITERIA, {"contract": contract.pk, "kpi": "csat"}),
        ("patch", f"{EXIT_CRITERIA}{criterion.pk}/", {"periods": 3}),
        ("patch", f"{PLANS}{plan.pk}/", {"actions": "Coach the night shift"}),
    ]


@pytest.fixture
def everything(world, contract, sla, today):
    month = months_before(today, 1)[0]
    evaluate(contract, month, REMEDIATION)
    criterion = ExitCriterion.objects.create(
        contract=contract, kpi="csat", comparison="below", threshold=80, period_type="month",
        periods=2,
    )  # fmt: skip
    return {
        "settlement": Settlement.objects.get(),
        "plan": RemediationPlan.objects.get(),
        "criterion": criterion,
    }


@pytest.mark.parametrize("who", ["partner_viewer", "buyer_exec", "read_only_token"])
def test_readers_cannot_write_anything(
    request, api_login, buyer_pm, world, contract, sla, everything, who
):
    if who == "read_only_token":
        _, client = token_for(buyer_pm, read_only=True)
        expected = "This API token is read-only."
    else:
        client = api_login(request.getfixturevalue(who))
        expected = "cannot change this"
    snapshot = _state()
    for method, url, body in _writes(world, contract, sla, **everything):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
        assert error(response)["code"] == "permission_denied"
        assert expected in error(response)["detail"]
    assert _state() == snapshot


def _state():
    return (
        list(Contract.objects.values()),
        list(Sla.objects.values()),
        list(Band.objects.values()),
        list(Settlement.objects.values("status", "approved_at")),
        list(RemediationPlan.objects.values()),
        list(ExitCriterion.objects.values()),
    )


def test_partner_qa_lead_writes_only_remediation_plans(
    api_login, partner_lead, world, contract, sla, everything
):
    client = api_login(partner_lead)
    for method, url, body in _writes(world, contract, sla, **everything):
        response = getattr(client, method)(url, body, format="json")
        expected = 200 if url.startswith(PLANS) else 403
        assert response.status_code == expected, (method, url, response.json())


# SLAS AND BANDS
# ------------------------------------------------------------------------------


def test_program_manager_creates_an_sla_and_sets_a_kpis_bands(api_login, buyer_pm, contract):
    client = api_login(buyer_pm)
    response = client.post(
        SLAS, {"contract": contract.pk, "name": "Quality 2026", "plan_exit_periods": 3}
    )
    assert response.status_code == 201, response.json()
    sla_id = response.json()["id"]
    assert response.json()["governed"] == []
    response = client.post(
        f"{SLAS}{sla_id}/kpis/",
        {"channel": "chat", "kpi": "csat", "min_sample": 200, "bands": CSAT_BANDS[::-1]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kpi"], body["kpi_label"], body["guardrail"], body["warnings"]) == (
        "csat",
        "CSAT",
        False,
        [],
    )
    # stored lowest first, whatever the order they came in
    assert [(b["kind"], b["lower"], b["upper"], b["bounds"]) for b in body["bands"]] == [
        ("penalty", None, "75.0000", "below 75%"),
        ("remediation", "75.0000", "82.0000", "75% to below 82%"),
        ("base", "82.0000", "88.0000", "82% to below 88%"),
        ("bonus", "88.0000", None, "88% and above"),
    ]
    assert body["bands"][0]["credit_pct"] == "10.00"
    # One minimum sample for the KPI, none per band.
    assert body["min_sample"] == 200
    assert all("min_sample" not in b for b in body["bands"])
    detail = client.get(f"{SLAS}{sla_id}/").json()
    assert detail["plan_exit_periods"] == 3
    assert detail["governed"] == [body]


def test_setting_a_governed_kpi_again_replaces_its_bands(api_login, buyer_pm, sla):
    governed = sla.governed.get()
    bands = [{"kind": "base", "upper": "80"}, {"kind": "bonus", "lower": "80", "bonus_pct": "2"}]
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/", {"channel": "chat", "kpi": "csat", "bands": bands}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == governed.pk
    assert list(governed.bands.values_list("kind", flat=True)) == ["base", "bonus"]


def test_a_credit_on_aht_is_saved_with_a_warning(api_login, buyer_pm, sla):
    bands = [
        {"kind": "base", "upper": "600"},
        {"kind": "penalty", "lower": "600", "credit_pct": "5", "opens_remediation": True},
    ]
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/", {"channel": "chat", "kpi": "aht", "bands": bands}, format="json"
    )
    assert response.status_code == 201, response.json()
    (warning,) = response.json()["warnings"]
    assert warning.startswith("AHT carries money")
    aht = next(
        g
        for g in api_login(buyer_pm).get(f"{SLAS}{sla.pk}/").json()["governed"]
        if g["kpi"] == "aht"
    )
    assert aht["warnings"] == [warning]


@pytest.mark.parametrize(
    ("bands", "words"),
    [
        (
            [{"kind": "penalty", "upper": "70"}, {"kind": "base", "lower": "75"}],
            "Gap between 'penalty' (below 70%) and 'base' (75% and above): values from 70% to "
            "below 75% fall in no band.",
        ),
        (
            [{"kind": "penalty", "upper": "80"}, {"kind": "base", "lower": "75"}],
            "Bands 'penalty' (below 80%) and 'base' (75% and above) overlap: values from 75% to "
            "below 80% fall in both.",
        ),
        (
            [{"kind": "penalty", "lower": "50", "upper": "75"}, {"kind": "base", "lower": "75"}],
            "Values below 50% fall in no band: leave the lower bound of the lowest band "
            "('penalty') empty.",
        ),
        ([], "Add at least one band"),
    ],
    ids=["gap", "overlap", "lowest-band-closed", "no-bands"],
)
def test_a_band_layout_problem_is_refused_naming_it(api_login, buyer_pm, sla, bands, words):
    before = list(Band.objects.values())
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/", {"channel": "chat", "kpi": "csat", "bands": bands}, format="json"
    )
    assert response.status_code == 400
    problem = error(response)
    assert (problem["attr"], problem["code"]) == ("bands", "invalid_bands")
    assert words in problem["detail"]
    assert list(Band.objects.values()) == before


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"lower": "eighty-two"}, "bands.2.lower"),
        ({"credit_pct": [1]}, "bands.2.credit_pct"),
        ({"kind": "jackpot"}, "bands.2.kind"),
    ],
)
def test_a_band_of_the_wrong_type_is_refused_naming_the_field(
    api_login, buyer_pm, sla, change, attr
):
    bands = [dict(b) for b in CSAT_BANDS]
    bands[2].update(change)
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/", {"channel": "chat", "kpi": "csat", "bands": bands}, format="json"
    )
    assert response.status_code == 400
    assert error(response)["attr"] == attr


def test_a_lower_is_better_gap_is_refused_in_its_own_words(api_login, buyer_pm, sla):
    bands = [
        {"kind": "base", "upper": "480"},
        {"kind": "custom", "label": "review", "lower": "500", "opens_remediation": True},
    ]
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/",
        {"channel": "voice", "kpi": "aht", "guardrail": True, "bands": bands},
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["detail"] == (
        "Gap between 'base' (480 s or less) and 'review' (above 500 s): values above 480 s up "
        "to 500 s fall in no band. Start each band where the one below ends."
    )
    assert not sla.governed.filter(kpi="aht").exists()


@pytest.mark.parametrize(
    ("body", "attr", "words"),
    [
        ({"min_sample": 0}, "min_sample", "greater than or equal to 1"),
        ({"min_sample": "many"}, "min_sample", "valid integer"),
        ({"band_min_sample": 50}, "bands", "min_sample is one number per governed KPI now"),
    ],
    ids=["zero", "not-a-number", "per-band"],
)
def test_a_broken_minimum_sample_is_refused_naming_it(api_login, buyer_pm, sla, body, attr, words):
    governed = sla.governed.get()
    bands = [dict(b) for b in CSAT_BANDS]
    if "band_min_sample" in body:
        bands[1]["min_sample"] = body.pop("band_min_sample")
    response = api_login(buyer_pm).post(
        f"{SLAS}{sla.pk}/kpis/",
        {"channel": "chat", "kpi": "csat", "bands": bands, **body},
        format="json",
    )
    assert response.status_code == 400
    problem = error(response)
    assert problem["attr"] == attr
    assert words in problem["detail"]
    governed.refresh_from_db()
    assert governed.min_sample == 30


def test_unknown_kpi_or_channel_is_refused(api_login, buyer_pm, sla):
    client = api_login(buyer_pm)
    for body, attr in (
        ({"channel": "fax", "kpi": "csat"}, "channel"),
        ({"channel": "chat", "kpi": "happiness"}, "kpi"),
    ):
        response = client.post(
            f"{SLAS}{sla.pk}/kpis/", {**body, "bands": CSAT_BANDS}, format="json"
        )
        assert response.status_code == 400
        assert error(response)["attr"] == attr


def test_program_manager_stops_governing_a_kpi(api_login, buyer_pm, sla, pacific_sla):
    client = api_login(buyer_pm)
    governed = sla.governed.get()
    other = pacific_sla.governed.get()
    # another SLA's governed KPI is not found under this one
    assert client.delete(f"{SLAS}{sla.pk}/kpis/{other.pk}/").status_code == 404
    assert client.delete(f"{SLAS}{sla.pk}/kpis/{governed.pk}/").status_code == 204
    assert not GovernedKpi.objects.filter(pk=governed.pk).exists()
    assert GovernedKpi.objects.filter(pk=other.pk).exists()
    assert client.get(f"{SLAS}{sla.pk}/").json()["governed"] == []


def test_sla_for_another_accounts_contract_is_refused(api_login, buyer_pm, outsider_pm, world):
    theirs = make_contract(world.zanzibar)
    response = api_login(buyer_pm).post(SLAS, {"contract": theirs.pk, "name": "Mine now"})
    assert response.status_code == 400
    assert error(response)["attr"] == "contract"
    assert not Sla.objects.exists()


def test_partner_user_sees_only_its_own_slas(api_login, partner_lead, sla, pacific_sla):
    client = api_login(partner_lead)
    assert [s["id"] for s in client.get(SLAS).json()["results"]] == [sla.pk]
    assert client.get(f"{SLAS}{pacific_sla.pk}/").status_code == 404


def test_sla_list_queries_do_not_grow_with_slas_and_bands(api_login, buyer_pm, contract):
    client = api_login(buyer_pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SLAS).status_code == 200
        return len(queries)

    sla = make_sla(contract, name="First")
    govern_template(sla, "chat", "csat")
    few = count()
    for i in range(4):
        more = make_sla(contract, name=f"More {i}")
        for channel, template in (("chat", "csat"), ("voice", "fcr"), ("email", "aht-guardrail")):
            govern_template(more, channel, template)
    assert count() == few


# BAND STATUSES
# ------------------------------------------------------------------------------


def test_band_statuses_list_filters_and_explains(api_login, buyer_pm, contract, sla, today):
    earlier, previous = months_before(today, 2)
    current = month_of(today).start
    # 83 % on 200 answers: base, but its interval reaches remediation: at risk.
    evaluate(contract, earlier, 166)
    evaluate(contract, previous, 15_600, n=20_000)  # 78 %, narrow interval: not at risk
    # 70 % so far: heading for a penalty; its interval reaches only better bands.
    evaluate(contract, current, PENALTY)
    client = api_login(buyer_pm)
    body = client.get(STATUSES, {"month": previous.isoformat()}).json()
    (status,) = body["results"]
    assert (status["kpi"], status["kpi_label"], status["channel"]) == ("csat", "CSAT", "chat")
    assert (status["value"], status["sample"]) == ("78.000000", 20_000)
    assert Decimal(status["low"]) < Decimal("78") < Decimal(status["high"])
    assert (status["band_kind"], status["band_label"], status["decision"]) == (
        "remediation",
        "remediation",
        "decided",
    )
    assert (status["at_risk"], status["month_complete"], status["heading"]) == (False, True, "")
    assert status["explanation"].startswith(
        "CSAT chat 78.0% (n=20,000) is in remediation (75% to below 82%)"
    )
    assert status["value_text"] == "78.0%"
    heading = client.get(STATUSES, {"heading": "penalty"}).json()["results"]
    assert [s["month"] for s in heading] == [current.isoformat()]
    assert heading[0]["projected_band_label"] == "penalty"
    assert heading[0]["projected_value"] == "70.000000"
    assert [s["month"] for s in client.get(STATUSES, {"at_risk": "true"}).json()["results"]] == [
        earlier.isoformat()
    ]
    since = client.get(STATUSES, {"month_after": current.isoformat(), "kpi": "csat"}).json()
    assert [s["month"] for s in since["results"]] == [current.isoformat()]
    assert client.get(STATUSES, {"kpi": "fcr"}).json()["results"] == []


def test_partner_user_sees_only_its_own_band_statuses(
    api_login, partner_lead, contract, sla, pacific_sla, today
):
    month = months_before(today, 1)[0]
    evaluate(contract, month, BASE)
    evaluate(pacific_sla.contract, month, BASE)
    body = api_login(partner_lead).get(STATUSES).json()
    assert [s["partner"] for s in body["results"]] == [contract.partner_id]
    other = BandStatus.objects.get(partner=pacific_sla.contract.partner)
    assert api_login(partner_lead).get(f"{STATUSES}{other.pk}/").status_code == 404


def _list_queries(client, url: str, expected: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == expected
    return len(queries)


def test_band_status_list_queries_do_not_grow_with_statuses(
    api_login, buyer_pm, contract, sla, today
):
    months = months_before(today, 10)
    for month in months[:2]:
        evaluate(contract, month, BASE)
    client = api_login(buyer_pm)
    few = _list_queries(client, STATUSES, 2)
    for month in months[2:]:
        evaluate(contract, month, BASE)
    assert _list_queries(client, STATUSES, 10) == few


# SETTLEMENTS
# ------------------------------------------------------------------------------


def test_settlement_shows_totals_and_lines(api_login, partner_lead, contract, sla, today):
    month = months_before(today, 1)[0]
    evaluate(contract, month, PENALTY)
    (settlement,) = api_login(partner_lead).get(SETTLEMENTS).json()["results"]
    assert (settlement["month"], settlement["currency"], settlement["status"]) == (
        month.isoformat(),
        "USD",
        "draft",
    )
    # 1,000 contacts at 4.00; CSAT 70 % is a penalty of 10 % of the chat invoice.
    assert settlement["invoices"]["chat"]["amount"] == "4000.0000"
    assert (settlement["invoice_total"], settlement["credit_total"], settlement["net"]) == (
        "4000.0000",
        "400.0000",
        "3600.0000",
    )
    (line,) = settlement["lines"]
    assert (line["kpi"], line["band_kind"], line["credit"], line["opens_plan"]) == (
        "csat",
        "penalty",
        "400.0000",
        True,
    )
    assert "credit 10% of the chat invoice 4,000.00 USD = 400.00 USD" in line["explanation"]
    assert (settlement["latest_lines"], settlement["carried_in"]) == ([], [])
    assert (settlement["approved_by_label"], settlement["approved_at"]) == ("", None)


def test_program_manager_approves_an_ended_month_once(api_login, buyer_pm, contract, sla, today):
    month = months_before(today, 1)[0]
    evaluate(contract, month, BASE)
    settlement = Settlement.objects.get()
    client = api_login(buyer_pm)
    response = client.post(f"{SETTLEMENTS}{settlement.pk}/approve/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert body["approved_by_label"] == buyer_pm.display_name
    assert body["approved_at"] is not None
    settlement.refresh_from_db()
    assert (settlement.status, settlement.approved_by) == (SettlementStatus.APPROVED, buyer_pm)
    response = client.post(f"{SETTLEMENTS}{settlement.pk}/approve/")
    assert response.status_code == 400
    assert error(response)["code"] == "already_approved"
    assert "was already approved by" in error(response)["detail"]


def test_the_current_month_cannot_be_approved(api_login, buyer_pm, contract, sla, today):
    evaluate(contract, month_of(today).start, BASE)
    settlement = Settlement.objects.get()
    response = api_login(buyer_pm).post(f"{SETTLEMENTS}{settlement.pk}/approve/")
    assert response.status_code == 400
    assert error(response)["code"] == "month_open"
    assert "is not over yet" in error(response)["detail"]
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.DRAFT


def test_late_data_shows_the_adjustment_and_its_carry_into_the_next_month(
    api_login, buyer_pm, contract, sla, today
):
    # given an approved month with no credit
    month = months_before(today, 1)[0]
    evaluate(contract, month, REMEDIATION)
    approved = Settlement.objects.get()
    client = api_login(buyer_pm)
    assert client.post(f"{SETTLEMENTS}{approved.pk}/approve/").status_code == 200
    # when late data would have put it in the penalty band, and the next month is computed
    evaluate(contract, month, PENALTY)
    evaluate(contract, month_of(today).start, BASE)
    # then the approved month shows the difference, and the next month carries it
    body = client.get(f"{SETTLEMENTS}{approved.pk}/").json()
    assert (body["status"], body["net"], body["latest_net"], body["adjustment"]) == (
        "approved",
        "4000.0000",
        "3600.0000",
        "-400.0000",
    )
    assert [(line["band_kind"], line["credit"]) for line in body["lines"]] == [
        ("remediation", "0.0000")
    ]
    assert [(line["band_kind"], line["credit"]) for line in body["latest_lines"]] == [
        ("penalty", "400.0000")
    ]
    draft = Settlement.objects.get(status=SettlementStatus.DRAFT)
    body = client.get(f"{SETTLEMENTS}{draft.pk}/").json()
    assert body["carried_in"] == [
        {"source": approved.pk, "month": month.isoformat(), "amount": "-400.0000"}
    ]
    assert (body["carried"], body["net"]) == ("-400.0000", "3600.0000")


def test_settlements_filter_and_partner_users_see_their_own(
    api_login, buyer_pm, partner_lead, world, contract, sla, pacific_sla, today
):
    months = months_before(today, 2)
    for month in months:
        evaluate(contract, month, BASE)
    evaluate(pacific_sla.contract, months[0], BASE)
    buyer = api_login(buyer_pm)
    pacific = buyer.get(SETTLEMENTS, {"partner": world.pacific.pk}).json()["results"]
    assert [s["partner"] for s in pacific] == [world.pacific.pk]
    in_month = buyer.get(SETTLEMENTS, {"month": months[1].isoformat()}).json()["results"]
    assert [(s["partner"], s["month"]) for s in in_month] == [
        (world.harbor.pk, months[1].isoformat())
    ]
    assert buyer.get(SETTLEMENTS, {"status": "approved"}).json()["count"] == 0
    lead = api_login(partner_lead)
    assert {s["partner"] for s in lead.get(SETTLEMENTS).json()["results"]} == {world.harbor.pk}
    other = Settlement.objects.get(partner=world.pacific)
    assert lead.get(f"{SETTLEMENTS}{other.pk}/").status_code == 404


def test_settlement_list_queries_do_not_grow_with_settlements(
    api_login, buyer_pm, contract, sla, today
):
    months = months_before(today, 10)
    for month in months[:2]:
        evaluate(contract, month, PENALTY)
    client = api_login(buyer_pm)
    few = _list_queries(client, SETTLEMENTS, 2)
    # approved months with late data and carried adjustments need no query of their own
    for month in months[:2]:
        client.post(f"{SETTLEMENTS}{Settlement.objects.get(month=month).pk}/approve/")
        evaluate(contract, month, BASE)
    for month in months[2:]:
        evaluate(contract, month, PENALTY)
    assert Settlement.objects.exclude(adjustment=0).count() == 2
    assert _list_queries(client, SETTLEMENTS, 10) == few


# REMEDIATION PLANS
# ------------------------------------------------------------------------------


@pytest.fixture
def plan(contract, sla, today) -> RemediationPlan:
    evaluate(contract, months_before(today, 1)[0], REMEDIATION)
    return RemediationPlan.objects.get()


def test_partner_lead_sets_owners_and_actions_of_its_plan(
    api_login, buyer_pm, partner_lead, plan, today
):
    due = today + timedelta(days=20)
    response = api_login(partner_lead).patch(
        f"{PLANS}{plan.pk}/",
        {
            "actions": "Coach the night shift",
            "due_date": due.isoformat(),
            "partner_owner": partner_lead.pk,
            "buyer_owner": buyer_pm.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kpi"], body["kind"], body["status"]) == ("csat", "remediation", "open")
    assert (body["actions"], body["due_date"]) == ("Coach the night shift", due.isoformat())
    assert (body["partner_owner"], body["partner_owner_name"]) == (
        partner_lead.pk,
        partner_lead.display_name,
    )
    assert (body["buyer_owner"], body["buyer_owner_name"]) == (buyer_pm.pk, buyer_pm.display_name)
    plan.refresh_from_db()
    assert (plan.partner_owner, plan.buyer_owner) == (partner_lead, buyer_pm)
    # null takes an owner off; a field left out stays as it is.
    response = api_login(partner_lead).patch(
        f"{PLANS}{plan.pk}/", {"partner_owner": None}, format="json"
    )
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert (plan.partner_owner, plan.buyer_owner) == (None, buyer_pm)


def test_plan_owner_from_another_partner_is_refused_without_naming_them(
    api_login, partner_lead, other_partner_lead, outsider_pm, plan
):
    client = api_login(partner_lead)
    answers = []
    for user_id in (other_partner_lead.pk, outsider_pm.pk, 999_999):
        response = client.patch(f"{PLANS}{plan.pk}/", {"partner_owner": user_id}, format="json")
        assert response.status_code == 400
        assert error(response)["attr"] == "partner_owner"
        assert other_partner_lead.email not in response.content.decode()
        answers.append(error(response)["detail"].replace(str(user_id), "N"))
    # another partner's person reads exactly like nobody at all
    assert len(set(answers)) == 1
    plan.refresh_from_db()
    assert plan.partner_owner is None


def test_program_manager_closes_a_plan_by_hand_but_a_partner_lead_cannot(
    api_login, buyer_pm, partner_lead, plan
):
    response = api_login(partner_lead).patch(
        f"{PLANS}{plan.pk}/", {"close_reason": "Fixed"}, format="json"
    )
    assert response.status_code == 400
    assert error(response)["code"] == "permission_denied"
    response = api_login(buyer_pm).patch(
        f"{PLANS}{plan.pk}/", {"close_reason": "Agreed in the QBR"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["closed_reason"]) == (
        "closed",
        "Agreed in the QBR",
    )
    assert api_login(buyer_pm).get(PLANS, {"status": "open"}).json()["count"] == 0


def test_plans_cannot_be_replaced_whole(api_login, buyer_pm, plan):
    response = api_login(buyer_pm).put(f"{PLANS}{plan.pk}/", {"actions": "x"}, format="json")
    assert response.status_code == 405


def test_partner_users_see_only_their_own_plans(
    api_login, buyer_pm, partner_lead, other_partner_lead, world, plan, pacific_sla, today
):
    evaluate(pacific_sla.contract, months_before(today, 1)[0], REMEDIATION)
    other = RemediationPlan.objects.get(partner=world.pacific)
    lead = api_login(partner_lead)
    assert [p["id"] for p in lead.get(PLANS).json()["results"]] == [plan.pk]
    assert lead.get(f"{PLANS}{other.pk}/").status_code == 404
    assert lead.patch(f"{PLANS}{other.pk}/", {"actions": "x"}, format="json").status_code == 404
    buyer = api_login(buyer_pm)
    assert buyer.get(PLANS, {"partner": world.pacific.pk}).json()["results"][0]["id"] == other.pk
    assert buyer.get(PLANS, {"kpi": "csat", "channel": "chat"}).json()["count"] == 2
    assert buyer.get(PLANS, {"kpi": "fcr"}).json()["count"] == 0
    assert RemediationPlan.objects.filter(status=PlanStatus.OPEN).count() == 2


# EXIT CRITERIA
# ------------------------------------------------------------------------------


def test_program_manager_sets_an_exit_criterion(api_login, buyer_pm, partner_lead, contract):
    response = api_login(buyer_pm).post(
        EXIT_CRITERIA,
        {
            "contract": contract.pk,
            "kpi": "csat",
            "channel": "chat",
            "comparison": "below",
            "threshold": "80",
            "period_type": "quarter",
            "periods": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["description"] == (
        "CSAT chat below 80% for 2 consecutive quarters despite a remediation plan"
    )
    assert (body["streak"], body["met_on"], body["earliest_exit_date"]) == (0, None, None)
    # met: the notice period gives the earliest exit date
    ExitCriterion.objects.filter(pk=body["id"]).update(met_on=date(2026, 10, 1))
    listed = api_login(partner_lead).get(EXIT_CRITERIA).json()["results"]
    assert [(c["id"], c["met_on"], c["earliest_exit_date"]) for c in listed] == [
        (body["id"], "2026-10-01", (date(2026, 10, 1) + timedelta(days=45)).isoformat())
    ]
    response = api_login(buyer_pm).patch(
        f"{EXIT_CRITERIA}{body['id']}/", {"periods": 3}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert "for 3 consecutive quarters" in response.json()["description"]


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"periods": 0}, "periods"),
        ({"kpi": "luck"}, "kpi"),
        ({"period_type": "week"}, "period_type"),
    ],
)
def test_exit_criterion_with_a_problem_is_refused(api_login, buyer_pm, contract, change, attr):
    body = {
        "contract": contract.pk,
        "kpi": "csat",
        "comparison": "below",
        "threshold": "80",
        "period_type": "month",
        "periods": 2,
        **change,
    }
    response = api_login(buyer_pm).post(EXIT_CRITERIA, body, format="json")
    assert response.status_code == 400
    assert error(response)["attr"] == attr
    assert not ExitCriterion.objects.exists()


def test_partner_user_sees_only_its_own_exit_criteria(
    api_login, partner_lead, contract, pacific_sla
):
    mine = ExitCriterion.objects.create(
        contract=contract, kpi="csat", comparison="below", threshold=80, period_type="month",
        periods=2,
    )  # fmt: skip
    theirs = ExitCriterion.objects.create(
        contract=pacific_sla.contract, kpi="csat", comparison="below", threshold=80,
        period_type="month", periods=2,
    )  # fmt: skip
    client = api_login(partner_lead)
    assert [c["id"] for c in client.get(EXIT_CRITERIA).json()["results"]] == [mine.pk]
    assert client.get(f"{EXIT_CRITERIA}{theirs.pk}/").status_code == 404
