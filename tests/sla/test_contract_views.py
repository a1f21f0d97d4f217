"""Pages for contracts, SLAs, bands, volumes, exit criteria and band design: what each shows,
who may write, and that a refused write leaves nothing behind."""

from __future__ import annotations

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import KpiSnapshot
from partners.models import InteractionType, Membership
from partners.scoping import viewer_for_membership
from sla import domain
from sla.design import weekly_values
from sla.models import Band, ChannelVolume, Contract, ExitCriterion, GovernedKpi, Sla
from tests.factories.sla import govern, govern_template, make_contract, make_sla, volume

GO_LIVE = date(2025, 1, 6)  # a Monday


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def contract(world) -> Contract:
    """Harbor per agent hour: 18.00 USD headline, 19 % of loaded-cost components."""
    return make_contract(
        world.harbor,
        name="Harbor MSA",
        pricing_model="per_hour",
        rate=Decimal("18.00"),
        wfm_pct=Decimal(5),
        qa_pct=Decimal(3),
        team_leads_pct=Decimal(6),
        training_pct=Decimal(2),
        technology_pct=Decimal(3),
    )


@pytest.fixture
def sla(contract) -> Sla:
    sla = make_sla(contract, name="Quality SLA")
    govern_template(sla, "chat", "csat")
    return sla


@pytest.fixture
def others(world):
    """Quetzal's contract (the other partner) and Zanzibar's (Globex, the other account),
    each with an SLA and a governed KPI."""
    result = {}
    for key, partner in (("pacific", world.pacific), ("globex", world.zanzibar)):
        contract = make_contract(partner, name=f"{partner.name} MSA")
        sla = make_sla(contract, name=f"{partner.name} SLA")
        result[key] = {
            "contract": contract,
            "sla": sla,
            "governed": govern_template(sla, "chat", "csat"),
        }
    return result


def band_post(
    channel: str, kpi: str, bands, *, guardrail: bool = False, min_sample: int = 30
) -> dict[str, object]:
    """The band editor's POST for these bands (domain.Band values)."""

    def number(value: Decimal | None) -> str:
        return "" if value is None else domain.plain_number(value)

    data: dict[str, object] = {
        "channel": channel,
        "kpi": kpi,
        "min_sample": min_sample,
        "bands-TOTAL_FORMS": len(bands),
        "bands-INITIAL_FORMS": 0,
        "bands-MIN_NUM_FORMS": 0,
        "bands-MAX_NUM_FORMS": 1000,
    }
    if guardrail:
        data["guardrail"] = "on"
    for i, b in enumerate(bands):
        data.update(
            {
                f"bands-{i}-kind": b.kind.value,
                f"bands-{i}-label": b.label,
                f"bands-{i}-lower": number(b.lower),
                f"bands-{i}-upper": number(b.upper),
                f"bands-{i}-bonus_pct": number(b.bonus_pct),
                f"bands-{i}-credit_pct": number(b.credit_pct),
            }
        )
        if b.opens_remediation:
            data[f"bands-{i}-opens_remediation"] = "on"
    return data


def band(kind: str, lower: str | None, upper: str | None, **kw) -> domain.Band:
    return domain.Band(
        domain.BandKind(kind),
        Decimal(lower) if lower is not None else None,
        Decimal(upper) if upper is not None else None,
        **{k: Decimal(v) if k.endswith("_pct") else v for k, v in kw.items()},
    )


CSAT_BANDS = [
    band("penalty", None, "75", credit_pct="10", opens_remediation=True),
    band("remediation", "75", "82", opens_remediation=True),
    band("base", "82", "88"),
    band("bonus", "88", None, bonus_pct="5"),
]


# CONTRACT LIST
# ------------------------------------------------------------------------------


def test_contract_list_shows_headline_and_loaded_rate_caps_notice_and_slas(
    login, buyer_pm, sla, others
):
    page = text(login(buyer_pm).get(reverse("sla:contract-list")))
    assert "Harbor MSA" in page
    assert "Harbor Support" in page
    assert "Voice: 18.00 USD/h, loaded 21.42 USD/h" in page
    assert "Per agent hour (voice, email, chat, social messaging)" in page
    assert "credits ≤ 10%" in page
    assert "45 days" in page
    assert "Quetzal Contact MSA" in page  # the buyer sees every partner of its account
    assert "Zanzibar" not in page
    assert "New contract" in page


def test_partner_lead_lists_only_its_partners_contracts(login, partner_lead, sla, others):
    page = text(login(partner_lead).get(reverse("sla:contract-list")))
    assert "Harbor MSA" in page
    assert "Quetzal" not in page
    assert "Zanzibar" not in page
    assert "New contract" not in page


def test_contract_list_costs_the_same_queries_for_2_and_8_contracts(login, buyer_pm, world):
    client = login(buyer_pm)
    url = reverse("sla:contract-list")

    def add(n: int) -> None:
        for i in range(n):
            contract = make_contract(world.harbor, name=f"Contract {Contract.objects.count()}{i}")
            make_sla(contract)

    add(2)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as eight:
        response = client.get(url)
    assert len(response.context["rows"]) == 8
    assert len(eight.captured_queries) == len(two.captured_queries)


# CONTRACT FORM
# ------------------------------------------------------------------------------

CONTRACT_POST = {
    "name": "Pilot contract",
    "start_date": "2026-01-01",
    "end_date": "2026-12-31",
    "currency": "eur",
    "notice_days": "60",
    "wfm_pct": "4",
    "qa_pct": "3",
    "team_leads_pct": "",
    "training_pct": "",
    "technology_pct": "",
    "facilities_pct": "",
    "shrinkage_pct": "",
    "credit_cap_pct": "12",
    "bonus_cap_pct": "5",
}


def rate_rows(*rows: dict[str, object], initial: int = 0) -> dict[str, object]:
    """The rate-card formset's POST: one dict per line (channel, pricing_model, rate, ...)."""
    data: dict[str, object] = {
        "rates-TOTAL_FORMS": len(rows),
        "rates-INITIAL_FORMS": initial,
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for name in ("channel", "interaction_type", "pricing_model", "rate", "hybrid_base",
                     "resolution_bonus"):  # fmt: skip
            data[f"rates-{i}-{name}"] = row.get(name, "")
        if row.get("DELETE"):
            data[f"rates-{i}-DELETE"] = "on"
    return data


VOICE_HYBRID = {"channel": "voice", "pricing_model": "hybrid", "rate": "15",
                "hybrid_base": "per_hour", "resolution_bonus": "0.50"}  # fmt: skip
CHAT_PER_CONTACT = {"channel": "chat", "pricing_model": "per_contact", "rate": "3.00"}


def test_program_manager_creates_a_contract_through_the_form(login, buyer_pm, world):
    complaints = InteractionType.objects.create(
        account=world.account, code="complaint-return", name="Complaint / return"
    )
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:contract-create")))
    assert "Harbor Support" in page
    assert "Quetzal Contact" in page
    assert "Zanzibar" not in page  # partner choices stay in the account
    assert "Rate card" in page
    assert "Complaint / return" in page  # interaction types to price on lines of their own
    rows = rate_rows(
        VOICE_HYBRID,
        CHAT_PER_CONTACT,
        {"channel": "chat", "interaction_type": complaints.pk, "pricing_model": "per_contact",
         "rate": "6.50"},
        {},  # a blank row is ignored
    )  # fmt: skip
    response = client.post(
        reverse("sla:contract-create"), {**CONTRACT_POST, "partner": world.harbor.pk, **rows}
    )
    contract = Contract.objects.get(name="Pilot contract")
    assert response.status_code == 302
    assert response["Location"] == reverse("sla:contract-detail", args=[contract.pk])
    assert contract.currency == "EUR"
    assert contract.training_pct == 0
    assert [
        (r.channel, r.interaction_type_id, r.pricing_model, r.rate, r.hybrid_base,
         r.resolution_bonus, r.loaded_rate)
        for r in contract.rates.all()
    ] == [
        ("voice", None, "hybrid", Decimal(15), "per_hour", Decimal("0.50"), Decimal("16.05")),
        ("chat", None, "per_contact", Decimal(3), "", Decimal(0), Decimal("3.21")),
        ("chat", complaints.pk, "per_contact", Decimal("6.5"), "", Decimal(0), Decimal("6.955")),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message", "field_name"),
    [
        ({"currency": "XYZ"}, "'XYZ' is not an ISO 4217 currency code", "currency"),
        (
            {"end_date": "2025-06-30"},
            "The contract ends (2025-06-30) before it starts (2026-01-01).",
            "end_date",
        ),
        (
            rate_rows({**VOICE_HYBRID, "hybrid_base": ""}),
            "Line 1 (voice): a hybrid price needs a base",
            "rates",
        ),
        (
            rate_rows({**CHAT_PER_CONTACT, "rate": "-2"}),
            "Line 1 (chat): a rate cannot be negative",
            "rates",
        ),
        (rate_rows({**CHAT_PER_CONTACT, "rate": ""}), "Line 1 (chat): enter its rate", "rates"),
        (rate_rows({**CHAT_PER_CONTACT, "rate": "three"}), "Rate: Enter a number", "rate"),
        (
            rate_rows(CHAT_PER_CONTACT, {**CHAT_PER_CONTACT, "rate": "3.50"}),
            "Line 2 (chat) prices the same contacts as line 1",
            "rates",
        ),
        (rate_rows({}), "Add at least one rate line", "rates"),
    ],
)
def test_contract_form_shows_the_services_error_and_saves_nothing(
    login, buyer_pm, world, change, message, field_name
):
    data = {**CONTRACT_POST, **rate_rows(CHAT_PER_CONTACT), "partner": world.harbor.pk, **change}
    response = login(buyer_pm).post(reverse("sla:contract-create"), data)
    assert response.status_code == 200
    assert message in text(response)
    form, formset = response.context["form"], response.context["formset"]
    if field_name == "rates":
        assert message in " ".join(formset.non_form_errors())
    elif field_name in form.fields:
        assert field_name in form.errors
    else:
        assert any(field_name in errors for errors in formset.errors)
    assert not Contract.objects.exists()


def test_contract_form_refuses_another_accounts_partner(login, buyer_pm, world):
    data = {**CONTRACT_POST, **rate_rows(CHAT_PER_CONTACT), "partner": world.zanzibar.pk}
    response = login(buyer_pm).post(reverse("sla:contract-create"), data)
    assert "partner" in response.context["form"].errors
    assert not Contract.objects.exists()


def test_program_manager_edits_a_contract_and_its_rate_card(login, buyer_pm, contract):
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:contract-update", args=[contract.pk])))
    assert "Edit Harbor MSA" in page
    assert 'name="rates-0-rate" value="18"' in page
    data = {
        **CONTRACT_POST,
        "partner": contract.partner.pk,
        "name": "Harbor MSA",
        **rate_rows(
            {"channel": "voice", "pricing_model": "per_fte", "rate": "2400",
             "hybrid_base": "per_hour"},  # ignored: not hybrid
            {"channel": "email", "pricing_model": "per_hour", "rate": "18", "DELETE": True},
            CHAT_PER_CONTACT,
            initial=2,
        ),
    }  # fmt: skip
    response = client.post(reverse("sla:contract-update", args=[contract.pk]), data)
    assert response.status_code == 302, response.context["formset"].non_form_errors()
    assert [(r.channel, r.pricing_model, r.rate, r.hybrid_base) for r in contract.rates.all()] == [
        ("voice", "per_fte", Decimal(2400), ""),
        ("chat", "per_contact", Decimal(3), ""),
    ]


# CONTRACT DETAIL
# ------------------------------------------------------------------------------


def test_contract_detail_explains_pricing_bands_volumes_and_exit(login, buyer_pm, contract, sla):
    govern(
        sla,
        "voice",
        "aht",
        [band("base", None, "600"), band("custom", "600", None, credit_pct="2", label="slow")],
    )
    volume(contract, "chat", date(2026, 3, 1), hours=Decimal("1200.5"), fte=Decimal(8))
    ExitCriterion.objects.create(
        contract=contract, kpi="csat", channel="chat", comparison="below",
        threshold=Decimal(80), period_type="quarter", periods=2, streak=1,
        met_on=date(2026, 7, 1),
    )  # fmt: skip
    page = text(login(buyer_pm).get(reverse("sla:contract-detail", args=[contract.pk])))
    # the rate card: headline against loaded rate per line, and the components
    assert "18.00 USD/h" in page
    assert "21.42 USD/h" in page  # 18.00 + 19 %
    assert "Loaded rate (+19%)" in page
    assert "Team leads 6%" in page
    assert "capped at the shares above of the whole invoice" in page
    # bands, best first, with their consequences
    assert "CSAT · Chat" in page
    assert page.index("88% and above") < page.index("below 75%")
    assert "bonus 5% of the chat invoice" in page
    assert "credit 10% of the chat invoice" in page
    assert "opens a remediation plan" in page
    # the warning for money on an efficiency KPI
    assert "AHT carries money" in page
    assert "600 s or less" in page
    assert "above 600 s" in page
    # one minimum sample per governed KPI, not one per band
    assert page.count("Decided from n ≥ 30 in a month, whichever the band") == 2
    # volumes and exit criteria
    assert "March 2026" in page
    assert "1,200.50 h · 8 FTE" in page
    assert "CSAT chat below 80% for 2 consecutive quarters despite a remediation plan" in page
    assert "1 of 2 quarters" in page
    assert "15 Aug 2026" in page  # met on 1 July + 45 days' notice
    # links for the program manager
    assert reverse("sla:band-design", args=[sla.pk]) in page
    assert reverse("sla:governed-template", args=[sla.pk]) in page
    assert reverse("sla:contract-update", args=[contract.pk]) in page


def test_partner_lead_reads_its_own_contract_without_edit_links(login, partner_lead, sla):
    contract = sla.contract
    page = text(login(partner_lead).get(reverse("sla:contract-detail", args=[contract.pk])))
    assert "Harbor MSA" in page
    assert "88% and above" in page
    assert reverse("sla:band-design", args=[sla.pk]) in page
    assert reverse("sla:contract-update", args=[contract.pk]) not in page
    assert reverse("sla:governed-create", args=[sla.pk]) not in page


def test_buyer_executive_reads_but_does_not_write(login, buyer_exec, sla):
    client = login(buyer_exec)
    assert client.get(reverse("sla:contract-detail", args=[sla.contract.pk])).status_code == 200
    assert client.get(reverse("sla:contract-create")).status_code == 403


@pytest.mark.parametrize("tenant", ["pacific", "globex"])
@pytest.mark.parametrize(
    ("name", "kind"),
    [("sla:contract-detail", "contract"), ("sla:band-design", "sla")],
)
def test_partner_lead_gets_404_for_other_partners_and_accounts(
    login, partner_lead, others, tenant, name, kind
):
    response = login(partner_lead).get(reverse(name, args=[others[tenant][kind].pk]))
    assert response.status_code == 404
    assert b"Quetzal" not in response.content
    assert b"Zanzibar" not in response.content


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sla:contract-detail", "contract"),
        ("sla:contract-update", "contract"),
        ("sla:volume-edit", "contract"),
        ("sla:governed-update", "governed"),
        ("sla:band-design", "sla"),
    ],
)
def test_buyer_gets_404_for_another_accounts_objects(login, buyer_pm, others, name, kind):
    response = login(buyer_pm).get(reverse(name, args=[others["globex"][kind].pk]))
    assert response.status_code == 404


WRITE_PAGES = [
    ("get", "sla:contract-create", None),
    ("get", "sla:contract-update", "contract"),
    ("get", "sla:sla-create", "contract"),
    ("get", "sla:volume-edit", "contract"),
    ("get", "sla:exit-create", "contract"),
    ("get", "sla:governed-create", "sla"),
    ("get", "sla:governed-template", "sla"),
    ("get", "sla:governed-update", "governed"),
    ("post", "sla:governed-delete", "governed"),
    ("post", "sla:band-design", "sla"),
]


@pytest.mark.parametrize(("method", "name", "kind"), WRITE_PAGES)
def test_partner_lead_gets_403_on_write_pages(login, partner_lead, sla, method, name, kind):
    objects = {"contract": sla.contract, "sla": sla, "governed": sla.governed.get()}
    args = [objects[kind].pk] if kind else []
    response = getattr(login(partner_lead), method)(reverse(name, args=args))
    assert response.status_code == 403
    assert GovernedKpi.objects.filter(sla=sla).count() == 1


# SLAS
# ------------------------------------------------------------------------------


def test_program_manager_adds_an_sla(login, buyer_pm, contract):
    client = login(buyer_pm)
    assert "New SLA" in text(client.get(reverse("sla:sla-create", args=[contract.pk])))
    response = client.post(
        reverse("sla:sla-create", args=[contract.pk]),
        {"name": "Chat quality", "plan_exit_periods": "3", "remediation_days": "45"},
    )
    sla = Sla.objects.get(name="Chat quality")
    assert response["Location"].endswith(f"#sla-{sla.pk}")
    assert (sla.contract, sla.plan_exit_periods, sla.remediation_days) == (contract, 3, 45)


def test_sla_form_shows_the_services_validation(login, buyer_pm, contract):
    response = login(buyer_pm).post(
        reverse("sla:sla-create", args=[contract.pk]),
        {"name": "Chat quality", "plan_exit_periods": "20", "remediation_days": "45"},
    )
    assert "less than or equal to 12" in text(response)
    assert not Sla.objects.exists()


# BAND EDITOR
# ------------------------------------------------------------------------------


@pytest.fixture
def empty_sla(contract) -> Sla:
    return make_sla(contract, name="Voice SLA")


def test_band_editor_renders_blank_rows_and_unit_help(login, buyer_pm, empty_sla):
    page = text(login(buyer_pm).get(reverse("sla:governed-create", args=[empty_sla.pk])))
    assert "Add a KPI" in page
    assert 'name="bands-TOTAL_FORMS" value="4"' in page
    assert "percentages as 0-100" in page
    assert 'id="band-row-template"' in page
    # No KPI chosen yet: both rules for a shared bound.
    assert "a band holds its lower bound when higher is better" in page
    assert "and its upper bound when lower is better" in page
    assert 'name="min_sample" value="30"' in page


def test_band_editor_says_which_side_holds_the_bound_for_the_kpis_direction(login, buyer_pm, sla):
    client = login(buyer_pm)
    csat = sla.governed.get()
    page = text(client.get(reverse("sla:governed-update", args=[csat.pk])))
    assert "higher is better for CSAT, so a band holds its lower bound" in page
    # Each saved row reads as the contract page writes it.
    for words in ("below 75%", "75% to below 82%", "82% to below 88%", "88% and above"):
        assert f'<td class="bounds">{words}</td>' in page
    aht = govern(sla, "voice", "aht", domain.TEMPLATES["aht-guardrail"].bands, guardrail=True)
    page = text(client.get(reverse("sla:governed-update", args=[aht.pk])))
    assert "lower is better for AHT, so a band holds its upper bound" in page
    assert '<td class="bounds">600 s or less</td>' in page
    assert '<td class="bounds">above 600 s</td>' in page


def test_band_editor_saves_a_sound_csat_layout(login, buyer_pm, empty_sla):
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]), band_post("chat", "csat", CSAT_BANDS)
    )
    assert response.status_code == 302
    governed = GovernedKpi.objects.get(sla=empty_sla)
    assert (governed.channel, governed.kpi, governed.guardrail) == ("chat", "csat", False)
    assert governed.band_specs() == CSAT_BANDS
    assert governed.min_sample == 30


def test_band_editor_sets_one_minimum_sample_for_the_kpi(login, buyer_pm, empty_sla):
    client = login(buyer_pm)
    response = client.post(
        reverse("sla:governed-create", args=[empty_sla.pk]),
        band_post("chat", "csat", CSAT_BANDS, min_sample=200),
    )
    assert response.status_code == 302
    governed = GovernedKpi.objects.get(sla=empty_sla)
    assert governed.min_sample == 200
    page = text(client.get(reverse("sla:governed-update", args=[governed.pk])))
    assert 'name="min_sample" value="200"' in page
    assert "bands-0-min_sample" not in page
    page = text(client.get(reverse("sla:contract-detail", args=[empty_sla.contract_id])))
    assert "Decided from n ≥ 200 in a month, whichever the band" in page


def test_band_editor_refuses_a_minimum_sample_below_one(login, buyer_pm, empty_sla):
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]),
        band_post("chat", "csat", CSAT_BANDS, min_sample=0),
    )
    assert response.status_code == 200
    assert "min_sample" in response.context["form"].errors
    assert not GovernedKpi.objects.exists()


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            [
                CSAT_BANDS[0],
                band("remediation", "75", "80", opens_remediation=True),
                *CSAT_BANDS[2:],
            ],
            "Gap between 'remediation' (75% to below 80%) and 'base' (82% to below 88%): "
            "values from 80% to below 82% fall in no band.",
        ),
        (
            [
                CSAT_BANDS[0],
                band("remediation", "75", "84", opens_remediation=True),
                *CSAT_BANDS[2:],
            ],
            "Bands 'remediation' (75% to below 84%) and 'base' (82% to below 88%) overlap: "
            "values from 82% to below 84% fall in both.",
        ),
        (
            [
                CSAT_BANDS[0],
                band("bonus", "75", "82", bonus_pct="5"),
                band("base", "82", None),
            ],
            "Band 'base' (82% and above) is for higher, better CSAT values than 'bonus' "
            "(75% to below 82%) but carries a smaller bonus",
        ),
    ],
    ids=["gap", "overlap", "bonus-below-base"],
)
def test_band_editor_refuses_an_unsound_layout_and_saves_nothing(
    login, buyer_pm, empty_sla, bands, message
):
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]), band_post("chat", "csat", bands)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not GovernedKpi.objects.exists()
    assert not Band.objects.exists()


def test_band_editor_refuses_an_aht_layout_with_a_gap_in_lower_is_better_words(
    login, buyer_pm, empty_sla
):
    bands = [band("base", None, "480"), band("custom", "500", None, label="review",
                                               opens_remediation=True)]  # fmt: skip
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]),
        band_post("voice", "aht", bands, guardrail=True),
    )
    page = text(response)
    assert (
        "Gap between 'base' (480 s or less) and 'review' (above 500 s): values above 480 s "
        "up to 500 s fall in no band." in page
    )
    assert "lower is better for AHT, so a band holds its upper bound" in page
    assert not GovernedKpi.objects.exists()


def test_band_editor_refuses_a_credit_on_a_guardrail(login, buyer_pm, empty_sla):
    bands = [band("base", None, "600"), band("penalty", "600", None, credit_pct="2")]
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]),
        band_post("voice", "aht", bands, guardrail=True),
    )
    assert response.status_code == 200
    assert "AHT is a guardrail here, so it carries no bonus or credit" in text(response)
    assert not GovernedKpi.objects.exists()


def test_band_editor_saves_a_credit_on_aht_with_a_warning(login, buyer_pm, empty_sla):
    bands = [band("base", None, "600"), band("penalty", "600", None, credit_pct="2")]
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[empty_sla.pk]),
        band_post("voice", "aht", bands),
        follow=True,
    )
    governed = GovernedKpi.objects.get(sla=empty_sla)
    assert governed.bands.count() == 2
    notes = messages_of(response)
    assert any(n.startswith("AHT carries money") for n in notes)
    assert "AHT carries money" in text(response)


def test_band_editor_refuses_a_kpi_the_sla_already_governs(login, buyer_pm, sla):
    response = login(buyer_pm).post(
        reverse("sla:governed-create", args=[sla.pk]), band_post("chat", "csat", CSAT_BANDS)
    )
    assert "CSAT on chat is already governed by this SLA." in text(response)
    assert "kpi" in response.context["form"].errors
    assert GovernedKpi.objects.filter(sla=sla).count() == 1


def test_band_editor_edits_and_removes_existing_bands(login, buyer_pm, sla):
    governed = sla.governed.get()
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:governed-update", args=[governed.pk])))
    assert "Bands of CSAT Chat" in page
    assert 'name="bands-1-lower" value="75"' in page
    assert 'name="bands-INITIAL_FORMS" value="4"' in page
    # Merge remediation into base: remove the remediation row, base starts at 75.
    data = band_post(
        "chat", "csat", [CSAT_BANDS[0], CSAT_BANDS[1], band("base", "75", "88"), CSAT_BANDS[3]]
    )
    data.update({"bands-INITIAL_FORMS": 4, "bands-1-DELETE": "on"})
    response = client.post(reverse("sla:governed-update", args=[governed.pk]), data)
    assert response.status_code == 302
    assert governed.band_specs() == [CSAT_BANDS[0], band("base", "75", "88"), CSAT_BANDS[3]]


def test_program_manager_removes_a_governed_kpi(login, buyer_pm, sla):
    governed = sla.governed.get()
    response = login(buyer_pm).post(reverse("sla:governed-delete", args=[governed.pk]))
    assert response.status_code == 302
    assert not GovernedKpi.objects.exists()
    assert not Band.objects.exists()


def test_a_template_adds_the_csat_bands_and_opens_the_editor(login, buyer_pm, empty_sla):
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:governed-template", args=[empty_sla.pk])))
    assert "CSAT: bonus 88% and above, base 82% to below 88%" in page
    assert "Escalation rate: base 10% or less, remediation above 10% up to 15%" in page
    assert "AHT guardrail" in page
    response = client.post(
        reverse("sla:governed-template", args=[empty_sla.pk]),
        {"channel": "email", "template": "csat"},
    )
    governed = GovernedKpi.objects.get(sla=empty_sla)
    assert response["Location"] == reverse("sla:governed-update", args=[governed.pk])
    assert (governed.channel, governed.kpi) == ("email", "csat")
    assert governed.band_specs() == list(domain.TEMPLATES["csat"].bands)


# VOLUMES
# ------------------------------------------------------------------------------


def test_program_manager_enters_a_months_volumes(login, buyer_pm, contract):
    volume(contract, "voice", date(2026, 3, 1), hours=Decimal(10))
    client = login(buyer_pm)
    url = reverse("sla:volume-edit", args=[contract.pk])
    page = text(client.get(url, {"month": "2026-03"}))
    assert "March 2026" in page
    assert 'name="hours_voice" value="10.00"' in page
    response = client.post(
        url, {"month": "2026-03", "hours_voice": "1200.5", "fte_chat": "7.5", "hours_email": ""}
    )
    assert response.status_code == 302
    saved = {(v.channel, v.hours, v.fte) for v in ChannelVolume.objects.all()}
    assert saved == {("voice", Decimal("1200.50"), None), ("chat", None, Decimal("7.50"))}


def test_a_negative_volume_is_refused_and_nothing_is_saved(login, buyer_pm, contract):
    response = login(buyer_pm).post(
        reverse("sla:volume-edit", args=[contract.pk]),
        {"month": "2026-03", "hours_voice": "1200", "hours_chat": "-5"},
    )
    assert response.status_code == 200
    assert "hours: cannot be negative." in text(response)
    assert "hours_chat" in response.context["form"].errors
    assert not ChannelVolume.objects.exists()  # not even voice, which came first


def test_a_month_outside_the_contract_is_refused(login, buyer_pm, contract):
    response = login(buyer_pm).post(
        reverse("sla:volume-edit", args=[contract.pk]), {"month": "2025-03", "hours_voice": "1"}
    )
    assert "March 2025 is outside the contract" in text(response)
    assert not ChannelVolume.objects.exists()


# EXIT CRITERIA
# ------------------------------------------------------------------------------


def test_program_manager_adds_an_exit_criterion(login, buyer_pm, contract):
    client = login(buyer_pm)
    url = reverse("sla:exit-create", args=[contract.pk])
    assert "New exit criterion" in text(client.get(url))
    response = client.post(
        url,
        {
            "kpi": "csat",
            "channel": "",
            "comparison": "below",
            "threshold": "80",
            "periods": "2",
            "period_type": "quarter",
            "despite_remediation": "on",
        },
        follow=True,
    )
    criterion = ExitCriterion.objects.get(contract=contract)
    assert criterion.description == (
        "CSAT below 80% for 2 consecutive quarters despite a remediation plan"
    )
    assert "0 of 2 quarters" in text(response)


# BAND DESIGN
# ------------------------------------------------------------------------------

PILOT_CSAT = [78, 80, 81, 83, 84, 85, 86, 87, 88, 89, 90, 92]  # % positive, one per week


def weekly_csat(partner, weeks: list[int], channel: str = "chat") -> None:
    for i, positive in enumerate(weeks):
        KpiSnapshot.objects.create(
            partner=partner, channel=channel, agent=None, period_type="week",
            period_start=GO_LIVE + timedelta(weeks=i), contacts=400, csat_n=100,
            csat_positive=positive,
        )  # fmt: skip


@pytest.fixture
def pilot(world):
    world.harbor.go_live_date = GO_LIVE
    world.harbor.save()
    return world.harbor


def expected_bands() -> list[domain.Band]:
    values = [Decimal(p) / Decimal(100) * 100 for p in PILOT_CSAT]
    return domain.suggest_bands(
        values,
        domain.governable("csat"),
        cuts=(Decimal(10), Decimal(40), Decimal(80)),
        template=domain.TEMPLATES["csat"].bands,
    )


def test_band_design_shows_the_pilots_distribution_and_suggested_bands(login, buyer_pm, pilot, sla):
    weekly_csat(pilot, PILOT_CSAT)
    response = login(buyer_pm).get(reverse("sla:band-design", args=[sla.pk]))
    page = text(response)
    # defaults: the SLA's chat CSAT, the 12 weeks from go-live, cuts 10/40/80
    form = response.context["form"]
    assert form.cleaned_data["channel"] == "chat"
    assert form.cleaned_data["first_week"] == GO_LIVE
    assert form.cleaned_data["last_week"] == GO_LIVE + timedelta(weeks=11)
    assert "12 of 12" in page
    assert "78.0%" in page  # min
    assert "92.0%" in page  # max
    assert "2025-W02 (06 Jan)" in page
    assert 'data-plotly="design-distribution"' in page
    assert "/static/vendor/plotly.min.js" in page
    suggested = expected_bands()
    assert len(suggested) == 4
    for b in suggested:
        assert domain.bounds_text(b, domain.governable("csat")) in page
    assert "Decided from n ≥ 30 in a month, whichever the band" in page
    assert "Use these bands" in page
    assert "Replaces the bands of CSAT Chat" in page


def test_the_distribution_figure_plots_each_week_and_the_suggested_bounds(
    login, buyer_pm, pilot, sla
):
    weekly_csat(pilot, PILOT_CSAT)
    response = login(buyer_pm).get(reverse("sla:band-design", args=[sla.pk]))
    figure = response.context["charts"]["design-distribution"]
    (box,) = figure["data"]
    assert box["type"] == "box"
    assert sorted(box["x"]) == sorted(float(p) for p in PILOT_CSAT)
    assert box["customdata"][0] == ["2025-W02 (06 Jan)", 100]
    bounds = sorted({round(float(b.lower), 2) for b in expected_bands() if b.lower is not None})
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == bounds
    assert figure["layout"]["xaxis"]["title"]["text"] == "CSAT (%)"
    assert figure["layout"]["title"]["text"] == "CSAT: each pilot week"


def test_using_the_suggested_bands_replaces_the_slas_bands(login, buyer_pm, pilot, sla):
    weekly_csat(pilot, PILOT_CSAT)
    governed = sla.governed.get()
    GovernedKpi.objects.filter(pk=governed.pk).update(min_sample=120)
    data = {
        "channel": "chat",
        "kpi": "csat",
        "first_week": GO_LIVE.isoformat(),
        "last_week": (GO_LIVE + timedelta(weeks=11)).isoformat(),
        "cut_1": "10",
        "cut_2": "40",
        "cut_3": "80",
    }
    response = login(buyer_pm).post(reverse("sla:band-design", args=[sla.pk]), data)
    assert response.status_code == 302
    assert GovernedKpi.objects.get(sla=sla).pk == governed.pk
    assert governed.band_specs() == expected_bands()
    governed.refresh_from_db()
    assert governed.min_sample == 120  # new bands, the KPI's minimum sample as it was


def test_band_design_suggests_a_moneyless_guardrail_for_aht(login, buyer_pm, pilot, empty_sla):
    for i, seconds in enumerate([300, 320, 340, 360, 380, 400, 420, 440]):
        KpiSnapshot.objects.create(
            partner=pilot, channel="voice", agent=None, period_type="week",
            period_start=GO_LIVE + timedelta(weeks=i), handle_n=100, handle_seconds=seconds * 100,
        )  # fmt: skip
    data = {
        "channel": "voice",
        "kpi": "aht",
        "first_week": GO_LIVE.isoformat(),
        "last_week": (GO_LIVE + timedelta(weeks=11)).isoformat(),
        "cut_1": "10",
        "cut_2": "40",
        "cut_3": "80",
    }
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:band-design", args=[empty_sla.pk]), data))
    assert "as a guardrail, no band moves money" in page
    response = client.post(reverse("sla:band-design", args=[empty_sla.pk]), data)
    assert response.status_code == 302
    governed = GovernedKpi.objects.get(sla=empty_sla)
    assert governed.guardrail
    assert all(b.bonus_pct == 0 and b.credit_pct == 0 for b in governed.band_specs())


def test_band_design_with_two_weeks_says_there_is_too_little_data(login, buyer_pm, pilot, sla):
    weekly_csat(pilot, [80, 90])
    client = login(buyer_pm)
    page = text(client.get(reverse("sla:band-design", args=[sla.pk])))
    assert "Too little data to suggest bands: 2 weeks" in page
    assert "Suggested bands" not in page
    assert "Use these bands" not in page
    data = {
        "channel": "chat",
        "kpi": "csat",
        "first_week": GO_LIVE.isoformat(),
        "last_week": (GO_LIVE + timedelta(weeks=11)).isoformat(),
        "cut_1": "10",
        "cut_2": "40",
        "cut_3": "80",
    }
    response = client.post(reverse("sla:band-design", args=[sla.pk]), data)
    assert response.status_code == 200
    assert sla.governed.get().band_specs() == list(domain.TEMPLATES["csat"].bands)


def test_band_design_refuses_percentiles_out_of_order(login, buyer_pm, pilot, sla):
    weekly_csat(pilot, PILOT_CSAT)
    page = text(
        login(buyer_pm).get(
            reverse("sla:band-design", args=[sla.pk]), {"cut_1": "50", "cut_2": "40"}
        )
    )
    assert "Choose three percentiles in increasing order" in page
    assert "Use these bands" not in page


def test_partner_lead_sees_the_design_but_cannot_use_it(login, partner_lead, pilot, sla):
    weekly_csat(pilot, PILOT_CSAT)
    page = text(login(partner_lead).get(reverse("sla:band-design", args=[sla.pk])))
    assert "Suggested bands" in page
    assert "Use these bands" not in page


def test_weekly_values_read_one_query_and_only_what_the_viewer_sees(
    pilot, world, buyer_pm, other_partner_lead, django_assert_num_queries
):
    weekly_csat(pilot, PILOT_CSAT)
    weekly_csat(pilot, [50] * 12, channel="voice")  # another channel: not read
    KpiSnapshot.objects.create(
        partner=pilot, channel="chat", agent=world.harbor_agent, period_type="week",
        period_start=GO_LIVE, csat_n=10, csat_positive=1,
    )  # an agent's row: not a channel total  # fmt: skip
    from kpis.periods import Period, PeriodType

    weeks = Period(PeriodType.WEEK, GO_LIVE + timedelta(weeks=13)).last(16)
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    with django_assert_num_queries(1):
        found = weekly_values(viewer=viewer, partner=pilot, channel="chat", kpi="csat", weeks=weeks)
    assert [w.value for w in found if w.value is not None] == [
        Decimal(p) / Decimal(100) * 100 for p in PILOT_CSAT
    ]
    assert [w.sample for w in found][:4] == [0, 0, 100, 100]  # two weeks before go-live
    outsider = viewer_for_membership(Membership.objects.get(user=other_partner_lead))
    hidden = weekly_values(viewer=outsider, partner=pilot, channel="chat", kpi="csat", weeks=weeks)
    assert all(w.value is None for w in hidden)
