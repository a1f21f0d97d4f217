"""Rate cards and one contract per channel and month, against the database: what a contract
invoices, what is refused (naming the problem, changing nothing), the API, and the
migration of contracts that had one price for everything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.errors import DomainError
from kpis.models import Interaction
from partners.models import InteractionType
from sla import evaluation, services
from sla.models import ChannelVolume, Contract, GovernedKpi, RateLine, Settlement
from tests.factories.calibration import viewer_of
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot, rate

D = Decimal
OCTOBER = date(2026, 10, 1)
EARLY_NOVEMBER = date(2026, 11, 5)
CONTRACTS = "/api/v1/contracts/"


@pytest.fixture
def complaints(world) -> InteractionType:
    return InteractionType.objects.create(
        account=world.account, code="complaint-return", name="Complaint / return"
    )


def new_contract(world, name: str, start: date, end: date) -> Contract:
    return Contract(partner=world.harbor, name=name, start_date=start, end_date=end, currency="USD")


def per_contact(channel: str, amount: str = "5.00", **more) -> services.RateInput:
    return services.RateInput(channel=channel, pricing_model="per_contact", rate=D(amount), **more)


# WHAT A CONTRACT INVOICES
# ------------------------------------------------------------------------------


def test_two_contracts_of_one_partner_each_invoice_only_their_channels(world, buyer_pm):
    """Chat on one contract, voice on another, 5.00 a contact each: 6,000 chat and 4,000
    voice contacts are invoiced 30,000.00 and 20,000.00, the 50,000.00 the work is worth
    (both contracts billing every channel would invoice 100,000.00)."""
    pm = viewer_of(buyer_pm)
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    chat = services.contract_save(
        viewer=pm, contract=new_contract(world, "Chat", start, end), rates=[per_contact("chat")]
    )
    voice = services.contract_save(
        viewer=pm, contract=new_contract(world, "Voice", start, end), rates=[per_contact("voice")]
    )
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=6000)
    month_snapshot(world.harbor, "voice", OCTOBER, contacts=4000)
    evaluation.partner_months_evaluate(
        partner_id=world.harbor.pk, months=[OCTOBER], today=EARLY_NOVEMBER
    )
    invoiced = {
        s.contract.name: (s.invoice_total, list(s.invoices))
        for s in Settlement.objects.filter(month=OCTOBER).select_related("contract")
    }
    assert invoiced == {
        "Chat": (D("30000.00"), ["chat"]),
        "Voice": (D("20000.00"), ["voice"]),
    }
    assert chat.channels == ["chat"]
    assert voice.channels == ["voice"]


def test_interaction_rows_price_their_type_on_its_own_line(world, buyer_pm, complaints):
    """Chat at 3.00 a contact, complaints at 6.00: of 10 chat contacts in October, 4 are
    complaints (4 × 6.00 = 24.00) and 6 are not (6 × 3.00 = 18.00): 42.00."""
    contract = make_contract(world.harbor, channels=("chat",), rate=D("3.00"))
    rate(contract, "chat", "per_contact", "6.00", interaction_type=complaints)
    other = InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    for n in range(10):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel="chat",
            interaction_type=complaints if n < 4 else other, external_id=f"T-{n}",
            opened_at=datetime(2026, 10, 3 + n, 12, tzinfo=UTC),
        )  # fmt: skip
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=10)
    evaluation.evaluate_contract_month(contract, OCTOBER, EARLY_NOVEMBER)
    settlement = Settlement.objects.get(contract=contract, month=OCTOBER)
    assert settlement.invoice_total == D("42.00")
    assert [p["text"] for p in settlement.invoices["chat"]["parts"]] == [
        "4 chat complaint / return contacts × 6.00 USD = 24.00 USD",
        "6 other chat contacts × 3.00 USD = 18.00 USD",
    ]


# ONE CONTRACT PER CHANNEL AND MONTH
# ------------------------------------------------------------------------------


def test_an_overlapping_contract_is_refused_naming_the_other_and_the_overlap(world, buyer_pm):
    pm = viewer_of(buyer_pm)
    first = services.contract_save(
        viewer=pm,
        contract=new_contract(world, "MSA 2026", date(2026, 1, 1), date(2026, 12, 31)),
        rates=[per_contact("chat"), per_contact("email")],
    )
    with pytest.raises(DomainError) as refused:
        services.contract_save(
            viewer=pm,
            contract=new_contract(world, "Renewal", date(2026, 9, 15), date(2027, 12, 31)),
            rates=[per_contact("email"), per_contact("voice")],
        )
    assert refused.value.message.startswith(
        "The contract 'MSA 2026' (01 Jan 2026 to 31 Dec 2026) already prices email in "
        "September 2026 to December 2026"
    )
    assert refused.value.field == "start_date"
    assert list(Contract.objects.values_list("name", flat=True)) == ["MSA 2026"]
    # Starting in the month after the first ends is a renewal; other channels may overlap.
    renewal = services.contract_save(
        viewer=pm,
        contract=new_contract(world, "Renewal", date(2027, 1, 1), date(2027, 12, 31)),
        rates=[per_contact("chat"), per_contact("email")],
    )
    voice = services.contract_save(
        viewer=pm,
        contract=new_contract(world, "Voice", date(2026, 6, 1), date(2027, 5, 31)),
        rates=[per_contact("voice")],
    )
    assert {c.pk for c in Contract.objects.all()} == {first.pk, renewal.pk, voice.pk}
    # Nor can an edit make them overlap: ending a month later, or adding a channel.
    first.end_date = date(2027, 1, 31)
    with pytest.raises(DomainError, match="'Renewal' .* already prices email and chat in January"):
        services.contract_save(viewer=pm, contract=first)
    with pytest.raises(DomainError, match="'MSA 2026' .* already prices chat in June 2026"):
        services.contract_save(
            viewer=pm, contract=voice, rates=[per_contact("voice"), per_contact("chat")]
        )
    first.refresh_from_db()
    assert first.end_date == date(2026, 12, 31)
    assert voice.channels == ["voice"]


def test_a_governed_channel_keeps_its_rate(world, buyer_pm):
    pm = viewer_of(buyer_pm)
    contract = make_contract(world.harbor, channels=("chat", "voice"))
    govern_template(make_sla(contract), "voice", "csat")
    with pytest.raises(DomainError, match="governs voice, but the rate card has no voice rate"):
        services.contract_save(viewer=pm, contract=contract, rates=[per_contact("chat")])
    assert contract.channels == ["voice", "chat"]


def test_a_kpi_is_governed_only_on_a_priced_channel(world, buyer_pm):
    sla = make_sla(make_contract(world.harbor, channels=("chat",)))
    with pytest.raises(DomainError, match="has no voice rate, so voice has no invoice"):
        services.governed_kpi_from_template(
            viewer=viewer_of(buyer_pm), sla=sla, channel="voice", template="csat"
        )
    assert not GovernedKpi.objects.exists()


def test_hours_are_entered_only_for_priced_channels(world, buyer_pm):
    contract = make_contract(world.harbor, channels=("chat",), pricing_model="per_hour")
    with pytest.raises(DomainError, match="has no voice line: its hours or FTE would bill"):
        services.volume_save(
            viewer=viewer_of(buyer_pm), contract=contract, channel="voice", month=OCTOBER,
            hours=D(100), fte=None,
        )  # fmt: skip
    assert not ChannelVolume.objects.exists()


def test_an_interaction_type_of_another_account_is_refused(world, buyer_pm):
    foreign = InteractionType.objects.create(account=world.other_account, code="x", name="X")
    with pytest.raises(DomainError, match="Line 2 \\(chat\\): no such interaction type"):
        services.contract_save(
            viewer=viewer_of(buyer_pm),
            contract=new_contract(world, "C", date(2026, 1, 1), date(2026, 12, 31)),
            rates=[per_contact("chat"), per_contact("chat", interaction_type=foreign)],
        )
    assert not Contract.objects.exists()


# THE API
# ------------------------------------------------------------------------------


def test_the_api_takes_a_rate_card_with_type_lines_and_refuses_an_overlap(
    api_login, buyer_pm, world, complaints
):
    client = api_login(buyer_pm)
    body = {
        "partner": world.harbor.pk, "name": "MSA", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "currency": "USD", "qa_pct": "10",
        "rates": [
            {"channel": "voice", "pricing_model": "per_hour", "rate": "18.00"},
            {"channel": "chat", "pricing_model": "per_contact", "rate": "3.00"},
            {"channel": "chat", "pricing_model": "per_contact", "rate": "6.00",
             "interaction_type": complaints.pk, "currency": "usd"},
        ],
    }  # fmt: skip
    response = client.post(CONTRACTS, body, format="json")
    assert response.status_code == 201, response.json()
    assert [
        (r["channel"], r["interaction_type_code"], r["rate"], r["loaded_rate"])
        for r in response.json()["rates"]
    ] == [
        ("voice", None, "18.0000", "19.8000"),
        ("chat", None, "3.0000", "3.3000"),
        ("chat", "complaint-return", "6.0000", "6.6000"),
    ]
    listed = client.get(CONTRACTS, {"pricing_model": "per_hour"}).json()
    assert [c["name"] for c in listed["results"]] == ["MSA"]
    assert client.get(CONTRACTS, {"channel": "email"}).json()["results"] == []
    again = client.post(CONTRACTS, {**body, "name": "Second", "start_date": "2026-12-01",
                                    "end_date": "2027-11-30"}, format="json")  # fmt: skip
    assert again.status_code == 400
    error = again.json()["errors"][0]
    assert (error["attr"], error["code"]) == ("start_date", "overlapping_contract")
    assert (
        "The contract 'MSA' (01 Jan 2026 to 31 Dec 2026) already prices voice and chat in "
        "December 2026" in error["detail"]
    )
    assert Contract.objects.count() == 1


def test_the_api_refuses_another_accounts_interaction_type(api_login, buyer_pm, world):
    foreign = InteractionType.objects.create(account=world.other_account, code="x", name="X")
    body = {
        "partner": world.harbor.pk, "name": "MSA", "start_date": "2026-01-01",
        "end_date": "2026-12-31", "currency": "USD",
        "rates": [{"channel": "chat", "pricing_model": "per_contact", "rate": "3",
                   "interaction_type": foreign.pk}],
    }  # fmt: skip
    response = api_login(buyer_pm).post(CONTRACTS, body, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "rates.0.interaction_type"
    assert f"No interaction type with id {foreign.pk} in your account" in error["detail"]


# THE MIGRATION
# ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_contracts_become_one_line_per_channel_at_their_price():
    """A contract with one price for everything becomes a line per channel it deals with
    (governed, entered volumes, invoiced, its partner's teams); one that dealt with none
    prices every channel, as it did."""
    executor = MigrationExecutor(connection)
    before = [
        ("sla", "0002_calibration_alignment_kpi"),
        ("partners", "0003_audit_time_from_the_clock"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    account = old.get_model("partners", "Account").objects.create(name="A", slug="a")
    partner_model = old.get_model("partners", "Partner")
    contract_model = old.get_model("sla", "Contract")
    busy = partner_model.objects.create(account=account, name="Busy", delivery_model="onshore")
    idle = partner_model.objects.create(account=account, name="Idle", delivery_model="onshore")
    old.get_model("partners", "Team").objects.create(partner=busy, name="Chat", channel="chat")
    terms = {"start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31), "currency": "USD"}
    hybrid = contract_model.objects.create(
        partner=busy, name="Hybrid", pricing_model="hybrid", rate=D("2.10"),
        hybrid_base="per_contact", resolution_bonus=D("0.60"), **terms,
    )  # fmt: skip
    sla = old.get_model("sla", "Sla").objects.create(contract=hybrid, name="Q")
    old.get_model("sla", "GovernedKpi").objects.create(sla=sla, channel="voice", kpi="csat")
    old.get_model("sla", "ChannelVolume").objects.create(
        contract=hybrid, channel="email", month=OCTOBER, hours=D(10)
    )
    contract_model.objects.create(
        partner=idle, name="Flat", pricing_model="per_fte", rate=D(2400), **terms
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("sla", "0003_rate_cards")])
    new = executor.loader.project_state([("sla", "0003_rate_cards")]).apps
    lines = new.get_model("sla", "RateLine").objects.order_by("contract__name", "pk")
    assert [
        (r.contract.name, r.channel, r.pricing_model, r.rate, r.hybrid_base, r.resolution_bonus)
        for r in lines
    ] == [
        ("Flat", "voice", "per_fte", D(2400), "", D(0)),
        ("Flat", "email", "per_fte", D(2400), "", D(0)),
        ("Flat", "chat", "per_fte", D(2400), "", D(0)),
        ("Flat", "social", "per_fte", D(2400), "", D(0)),
        ("Hybrid", "voice", "hybrid", D("2.10"), "per_contact", D("0.60")),
        ("Hybrid", "email", "hybrid", D("2.10"), "per_contact", D("0.60")),
        ("Hybrid", "chat", "hybrid", D("2.10"), "per_contact", D("0.60")),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_settlement_lines_show_what_each_rate_line_counted_on_the_page(
    world, login, buyer_pm, complaints
):
    contract = make_contract(world.harbor, channels=("voice", "chat"), rate=D("3.00"))
    rate(contract, "voice", "per_hour", "18.00")
    rate(contract, "chat", "per_contact", "6.00", interaction_type=complaints)
    ChannelVolume.objects.create(contract=contract, channel="voice", month=OCTOBER, hours=1200)
    month_snapshot(world.harbor, "voice", OCTOBER, contacts=4000)
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=10_000)
    evaluation.evaluate_contract_month(contract, OCTOBER, EARLY_NOVEMBER + timedelta(days=1))
    settlement = Settlement.objects.get(contract=contract, month=OCTOBER)
    page = login(buyer_pm).get(f"/settlements/{settlement.pk}/").content.decode()
    for shown in (
        "1,200 voice agent hours × 18.00 USD = 21,600.00 USD",
        "0 chat complaint / return contacts × 6.00 USD = 0.00 USD",
        "10,000 other chat contacts × 3.00 USD = 30,000.00 USD",
        "51,600.00 USD",
    ):
        assert shown in page, shown
    assert RateLine.objects.filter(contract=contract).count() == 3
