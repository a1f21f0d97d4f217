"""The scope-of-work pages: writing versions through the editor (and refusing a mix that does
not add up or a bad evidence link, saving nothing), reading the current and earlier
versions with scope discipline and forecast against actual, filling the baseline from an
in-house team, and who may see or write what."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scoping import Viewer
from engagements import domain, services
from engagements.models import BaselineSource, ScopeItem, ScopeVersion
from kpis.models import Interaction
from partners.models import InteractionType, Membership, User
from partners.scoping import viewer_for_membership
from tests.factories.partners import PartnerFactory
from tests.factories.sla import month_snapshot

# A fixed day, so that the last four weeks and the last complete months are known:
# Wednesday 20 May 2026. Discipline looks at 22 April - 19 May; April is the last complete
# month.
TODAY = date(2026, 5, 20)


@pytest.fixture
def fixed_today(time_machine) -> date:
    time_machine.move_to(datetime.combine(TODAY, time(10), tzinfo=UTC), tick=False)
    return TODAY


@pytest.fixture
def types(world) -> dict[str, InteractionType]:
    """The five interaction types of the typical mix (docs/domain.md, "Scope")."""
    return {
        t.code: InteractionType.objects.create(
            account=world.account,
            code=t.code,
            name=t.name,
            is_brand_sensitive=t.brand_sensitive,
            is_routine=t.routine,
        )
        for t in domain.STANDARD_MIX
    }


def viewer_of(user: User) -> Viewer:
    return viewer_for_membership(Membership.objects.select_related("account").get(user=user))


def _formset(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"{prefix}-{n}-{key}"] = "on"
            elif value is not False and value is not None:
                data[f"{prefix}-{n}-{key}"] = str(value)
    return data


def scope_post(
    lines: list[tuple[str, InteractionType, int]],
    *,
    volume: int = 5000,
    months: tuple[tuple[str, int], ...] = (),
    baselines: tuple[dict[str, Any], ...] = (),
    items: tuple[dict[str, Any], ...] = (),
    note: str = "",
) -> dict[str, Any]:
    """What the editor posts: the main form and its four formsets."""
    data: dict[str, Any] = {
        "monthly_volume": str(volume),
        "first_month": "2026-06",
        "shifts": ["business_hours", "after_hours"],
        "languages": "English, Spanish",
        "timezone": "UTC",
        "currency": "USD",
        "governance_fte": "1.5",
        "governance_fte_cost": "9000",
        "note": note,
    }
    data.update(
        _formset(
            "lines",
            [{"channel": c, "interaction_type": t.pk, "contacts": n} for c, t, n in lines],
        )
    )
    data.update(_formset("months", [{"month": m, "contacts": n} for m, n in months]))
    data.update(_formset("baselines", list(baselines)))
    data.update(_formset("items", list(items)))
    return data


def typical_lines(types: dict[str, InteractionType], channel: str = "voice") -> list:
    return [(channel, types[t.code], t.contacts) for t in domain.STANDARD_MIX]


def save_scope(
    user: User,
    partner: Any,
    lines: list[tuple[str, InteractionType, int]],
    **extra: Any,
) -> ScopeVersion:
    data = services.ScopeInput(
        monthly_volume=sum(n for _, _, n in lines),
        first_month=date(2025, 1, 1),
        lines=[services.LineInput(c, t, n) for c, t, n in lines],
        shifts=extra.pop("shifts", ["business_hours"]),
        **extra,
    )
    return services.scope_save(viewer=viewer_of(user), data=data, partner=partner)


# WRITING A SCOPE
# ------------------------------------------------------------------------------


def test_program_manager_writes_a_scope_then_a_second_version_keeps_the_first(
    world, buyer_pm, login, types
):
    client = login(buyer_pm)
    edit = reverse("engagements:scope-edit", args=[world.harbor.pk])
    # given: no scope yet; the page offers the typical mix
    page = client.get(edit)
    assert page.status_code == 200
    assert "Start from the typical mix" in page.content.decode()

    # when: the program manager posts the mix, a peak month, a baseline and the checklist
    response = client.post(
        edit,
        scope_post(
            typical_lines(types),
            months=(("2026-12", 9000),),
            baselines=(
                {
                    "channel": "voice",
                    "csat_pct": "88",
                    "fcr_pct": "75",
                    "aht_seconds": "360",
                    "frt_seconds": "30",
                    "cost_per_contact": "6.00",
                    "source": "entered",
                },
            ),  # fmt: skip
            items=(
                {"kind": "escalation", "framework": "", "text": "Chargebacks come back in-house"},
                {
                    "kind": "compliance",
                    "framework": "pci",
                    "text": "PCI DSS attestation",
                    "evidence": "https://evidence.example/pci.pdf\nhttps://evidence.example/aoc",
                    "done": True,
                },
            ),  # fmt: skip
            note="First statement of work",
        ),
    )

    # then: version 1, whole
    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:scope-detail", args=[world.harbor.pk])
    first = ScopeVersion.objects.get(partner=world.harbor)
    assert first.version == 1
    assert first.lines.count() == 5
    assert sum(first.lines.values_list("contacts", flat=True)) == 5000
    assert first.months.get().contacts == 9000
    assert first.baselines.get().cost_per_resolved == Decimal("8.00")
    pci = first.items.get(framework="pci")
    assert pci.evidence == ["https://evidence.example/pci.pdf", "https://evidence.example/aoc"]
    assert pci.done

    detail = client.get(response["Location"]).content.decode()
    assert "Complaint / return" in detail
    assert "Chargebacks come back in-house" in detail
    assert 'href="https://evidence.example/pci.pdf" rel="noopener noreferrer"' in detail
    assert "8.00 USD" in detail  # in-house cost per resolved contact: 6.00 / 75%
    assert "88.0 %" in detail  # the in-house CSAT, as Keel writes every percentage

    # when: the edit page starts from version 1, and a second version is saved
    again = client.get(edit).content.decode()
    assert 'name="monthly_volume" value="5000"' in again
    assert 'name="lines-INITIAL_FORMS" value="5"' in again
    lines = [("voice", types["order-status"], 3000), ("chat", types["billing"], 3000)]
    response = client.post(edit, scope_post(lines, volume=6000, note="Billing moves to chat"))
    assert response.status_code == 302

    # then: version 2 is current, version 1 is still there as it was
    assert list(
        ScopeVersion.objects.filter(partner=world.harbor).values_list("version", flat=True)
    ) == [2, 1]
    current = client.get(reverse("engagements:scope-detail", args=[world.harbor.pk]))
    assert "version 2" in current.content.decode()
    old = client.get(reverse("engagements:scope-version", args=[world.harbor.pk, 1]))
    assert old.status_code == 200
    body = old.content.decode()
    assert "has been superseded" in body
    assert "Chargebacks come back in-house" in body
    assert client.get(
        reverse("engagements:scope-version", args=[world.harbor.pk, 3])
    ).status_code == 404  # fmt: skip


def test_a_mix_that_does_not_add_up_is_refused_and_nothing_is_saved(world, buyer_pm, login, types):
    client = login(buyer_pm)
    lines = typical_lines(types)
    lines[-1] = ("voice", types["escalation"], 100)  # 4,900 in all

    response = client.post(
        reverse("engagements:scope-edit", args=[world.harbor.pk]), scope_post(lines)
    )

    assert response.status_code == 200
    assert (
        "The mix adds up to 4,900 contacts a month, not the 5,000 forecast: 100 missing."
        in response.content.decode()
    )
    assert ScopeVersion.objects.count() == 0
    assert ScopeItem.objects.count() == 0


def test_a_bad_evidence_link_is_refused_naming_it(world, buyer_pm, login, types):
    client = login(buyer_pm)
    items = (
        {"kind": "compliance", "framework": "gdpr", "text": "GDPR processing agreement",
         "evidence": "https://evidence.example/dpa\nshared drive, folder 3"},
    )  # fmt: skip

    response = client.post(
        reverse("engagements:scope-edit", args=[world.harbor.pk]),
        scope_post(typical_lines(types), items=items),
    )

    assert response.status_code == 200
    assert "“shared drive, folder 3” is not a web link" in response.content.decode()
    assert ScopeVersion.objects.count() == 0


def test_a_first_month_that_is_not_a_month_start_is_refused(world, buyer_pm, login, types):
    data = scope_post(typical_lines(types))
    data["first_month"] = "2026-06-15"

    response = login(buyer_pm).post(reverse("engagements:scope-edit", args=[world.harbor.pk]), data)

    assert response.status_code == 200
    assert "15 June 2026 is not one" in response.content.decode()
    assert ScopeVersion.objects.count() == 0


def test_the_typical_mix_needs_its_types_which_the_standard_button_adds(world, buyer_pm, login):
    client = login(buyer_pm)
    edit = reverse("engagements:scope-edit", args=[world.harbor.pk])
    page = client.get(f"{edit}?start=typical").content.decode()
    assert "Add the typical mix's interaction types" in page
    assert 'name="lines-INITIAL_FORMS" value="0"' in page

    back = f"{edit}?start=typical"
    response = client.post(reverse("engagements:types-standard"), {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert InteractionType.objects.filter(account=world.account).count() == 5

    prefilled = client.get(back).content.decode()
    assert 'name="lines-INITIAL_FORMS" value="5"' in prefilled
    assert 'name="monthly_volume" value="5000"' in prefilled
    # A next that leaves the site is ignored.
    away = client.post(reverse("engagements:types-standard"), {"next": "https://evil.example/"})
    assert away["Location"] == reverse("engagements:type-create")


def test_a_program_manager_adds_an_interaction_type_and_goes_back(world, buyer_pm, login):
    client = login(buyer_pm)
    back = reverse("engagements:scope-edit", args=[world.harbor.pk])
    url = f"{reverse('engagements:type-create')}?next={back}"
    assert client.get(url).status_code == 200

    response = client.post(url, {"code": "warranty", "name": "Warranty claim", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert InteractionType.objects.get(account=world.account, code="warranty").name == (
        "Warranty claim"
    )
    twice = client.post(url, {"code": "warranty", "name": "Again"})
    assert twice.status_code == 200
    assert "There already is an interaction type" in twice.content.decode()


def test_a_selection_scope_is_written_through_the_same_editor(world, buyer_pm, login, types):
    selection = services.selection_create(viewer=viewer_of(buyer_pm), name="Voice RFP 2026")
    url = reverse("engagements:selection-scope-edit", args=[selection.pk])
    client = login(buyer_pm)
    assert client.get(url).status_code == 200

    response = client.post(url, scope_post(typical_lines(types)))

    assert response.status_code == 302
    assert response["Location"] == reverse("engagements:selection-detail", args=[selection.pk])
    version = ScopeVersion.objects.get(selection=selection)
    assert version.partner is None
    assert version.version == 1


# READING IT
# ------------------------------------------------------------------------------


def _contact(world, type_, when: datetime, channel: str = "chat", n: list[int] = [0]) -> None:  # noqa: B006 - a serial
    n[0] += 1
    Interaction.objects.create(
        partner=world.harbor,
        agent=world.harbor_agent,
        channel=channel,
        interaction_type=type_,
        external_id=f"S-{n[0]}",
        opened_at=when,
    )


def test_the_scope_page_shows_discipline_and_forecast_against_actual(
    world, buyer_pm, login, types, fixed_today
):
    # given: chat only, order status and billing, business hours; December peaks at 9,000
    save_scope(
        buyer_pm,
        world.harbor,
        [("chat", types["order-status"], 3000), ("chat", types["billing"], 2000)],
        months={date(2025, 12, 1): 9000},
    )
    wednesday, saturday = (
        datetime(2026, 5, 13, 10, tzinfo=UTC),
        datetime(2026, 5, 16, 10, tzinfo=UTC),
    )
    for _ in range(3):
        _contact(world, types["order-status"], wednesday)  # in scope
    _contact(world, types["billing"], wednesday, channel="voice")  # channel not in scope
    _contact(world, types["complaint-return"], wednesday)  # type not in scope
    _contact(world, types["order-status"], saturday)  # weekend not covered
    april = datetime(2026, 4, 8, 10, tzinfo=UTC)
    for _ in range(2):
        _contact(world, types["order-status"], april)
    _contact(world, types["billing"], april)
    month_snapshot(world.harbor, "chat", date(2026, 3, 1), contacts=3000)
    month_snapshot(world.harbor, "chat", date(2026, 4, 1), contacts=6000)

    page = login(buyer_pm).get(reverse("engagements:scope-detail", args=[world.harbor.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    discipline = page.context["discipline"]
    assert (discipline.discipline.contacts, discipline.discipline.in_scope) == (6, 3)
    assert "50.0% in scope" in body
    assert "health-drift" in body
    for reason in domain.REASON_TEXT.values():
        assert reason in body
    assert "Weekend" in body
    assert "Complaint / return" in body

    volumes = page.context["volumes"]
    assert volumes.found.forecast_peak_to_trough == Decimal("1.80")
    assert volumes.found.actual_peak_to_trough == Decimal("2.00")
    assert "the classic case for outsourcing" in body
    april_row = next(m for m in volumes.months if m.row.month == date(2026, 4, 1))
    assert (april_row.row.forecast, april_row.row.actual) == (5000, 6000)
    assert april_row.gap == Decimal("20.0")
    assert volumes.found.by_type_month == date(2026, 4, 1)
    assert {(t.row.type_code, t.row.forecast, t.row.actual) for t in volumes.by_type} == {
        ("order-status", 3000, 2),
        ("billing", 2000, 1),
    }
    assert "Per interaction type, April 2026" in body
    # The chart is drawn from static files, never a CDN.
    assert 'data-plotly="scope-volume"' in body
    assert "/static/vendor/plotly.min.js" in body
    assert "cdn" not in body.lower()


def test_a_healthy_discipline_is_shown_as_such(world, buyer_pm, login, types, fixed_today):
    save_scope(buyer_pm, world.harbor, [("chat", types["order-status"], 5000)])
    for _ in range(20):
        _contact(world, types["order-status"], datetime(2026, 5, 13, 10, tzinfo=UTC))

    body = (
        login(buyer_pm)
        .get(reverse("engagements:scope-detail", args=[world.harbor.pk]))
        .content.decode()
    )

    assert "100.0% in scope" in body
    assert "health-good" in body
    assert "No out-of-scope work." in body


def test_the_baseline_is_filled_from_an_in_house_teams_snapshots(
    world, buyer_pm, login, types, fixed_today
):
    in_house = PartnerFactory(account=world.account, name="Northwind in-house", in_house=True)
    for month in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
        month_snapshot(
            in_house, "chat", month, contacts=1000, csat_n=400, csat_positive=360, fcr_n=1000,
            fcr_yes=780, handle_n=1000, handle_seconds=420_000, frt_n=1000, frt_seconds=90_000,
        )  # fmt: skip
    save_scope(
        buyer_pm,
        world.harbor,
        [("chat", types["order-status"], 5000)],
        baselines=[services.BaselineInput("chat", cost_per_contact=Decimal("5.50"))],
    )
    client = login(buyer_pm)
    edit = reverse("engagements:scope-edit", args=[world.harbor.pk])

    page = client.get(edit)
    assert f"?in_house={in_house.pk}" in page.content.decode()
    filled = client.get(f"{edit}?in_house={in_house.pk}")

    rows = filled.context["forms"].baselines
    assert [f.initial for f in rows.initial_forms] == [
        {
            "channel": "chat",
            "csat_pct": "90",
            "fcr_pct": "78",
            "aht_seconds": 420,
            "frt_seconds": 90,
            "cost_per_contact": "5.5",  # kept: KPI data has no cost
            "source": BaselineSource.IN_HOUSE,
        }
    ]
    assert "filled from Northwind in-house" in filled.content.decode()

    # A partner that is not in-house (or not in the account) fills nothing.
    refused = client.get(f"{edit}?in_house={world.harbor.pk}")
    assert "not one of this account&#x27;s in-house teams" in refused.content.decode()
    elsewhere = client.get(f"{edit}?in_house={world.zanzibar.pk}")
    assert elsewhere.context["forms"].baselines.initial[0]["source"] == BaselineSource.ENTERED


def test_with_no_scope_the_page_says_so_and_offers_to_write_one(world, buyer_pm, login):
    body = (
        login(buyer_pm)
        .get(reverse("engagements:scope-detail", args=[world.harbor.pk]))
        .content.decode()
    )

    assert "No scope of work yet" in body
    assert reverse("engagements:scope-edit", args=[world.harbor.pk]) in body


# WHO SEES WHAT
# ------------------------------------------------------------------------------


def test_a_partner_lead_reads_their_own_scope_only_and_cannot_edit(
    world, buyer_pm, partner_lead, login, types
):
    save_scope(
        buyer_pm,
        world.harbor,
        [("chat", types["order-status"], 5000)],
        baselines=[
            services.BaselineInput("chat", fcr_pct=Decimal(80), cost_per_contact=Decimal(4))
        ],
    )
    save_scope(buyer_pm, world.pacific, [("voice", types["billing"], 1000)])
    client = login(partner_lead)

    own = client.get(reverse("engagements:scope-detail", args=[world.harbor.pk]))
    assert own.status_code == 200
    body = own.content.decode()
    assert "Order status" in body
    assert reverse("engagements:scope-edit", args=[world.harbor.pk]) not in body
    # The buyer's in-house cost (4.00 a contact, 5.00 a resolved one) is not the partner's.
    assert "4.00 USD" not in body
    assert "5.00 USD" not in body
    older = client.get(reverse("engagements:scope-version", args=[world.harbor.pk, 1]))
    assert older.status_code == 200

    assert client.get(
        reverse("engagements:scope-detail", args=[world.pacific.pk])
    ).status_code == 404  # fmt: skip
    assert client.get(
        reverse("engagements:scope-version", args=[world.pacific.pk, 1])
    ).status_code == 404  # fmt: skip
    assert client.get(
        reverse("engagements:scope-edit", args=[world.harbor.pk])
    ).status_code == 403  # fmt: skip
    assert client.post(reverse("engagements:types-standard")).status_code == 403


def test_another_accounts_program_manager_gets_a_404(world, buyer_pm, outsider_pm, login, types):
    save_scope(buyer_pm, world.harbor, [("chat", types["order-status"], 5000)])
    client = login(outsider_pm)

    assert client.get(
        reverse("engagements:scope-detail", args=[world.harbor.pk])
    ).status_code == 404  # fmt: skip
    assert client.get(
        reverse("engagements:scope-edit", args=[world.harbor.pk])
    ).status_code == 404  # fmt: skip
    response = client.post(
        reverse("engagements:scope-edit", args=[world.harbor.pk]),
        scope_post([("chat", types["order-status"], 5000)]),
    )
    assert response.status_code == 404
    assert ScopeVersion.objects.count() == 1


# QUERY COUNT
# ------------------------------------------------------------------------------


def _page_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_scope_page_queries_do_not_grow_with_lines_items_or_versions(
    world, buyer_pm, login, types, fixed_today
):
    # given: a small scope, with out-of-scope work and actual volumes
    save_scope(
        buyer_pm,
        world.harbor,
        [("chat", types["order-status"], 5000)],
        baselines=[services.BaselineInput("chat", fcr_pct=Decimal(80))],
        items=[services.ItemInput("escalation", "Legal threats")],
    )
    _contact(world, types["billing"], datetime(2026, 5, 13, 10, tzinfo=UTC))
    month_snapshot(world.harbor, "chat", date(2026, 4, 1), contacts=4000)
    client = login(buyer_pm)
    url = reverse("engagements:scope-detail", args=[world.harbor.pk])
    small = _page_queries(client, url)

    # when: many more versions, lines, months, baselines and checklist items
    for n in range(6):
        lines = [
            (channel, kind, 100 * (n + 1))
            for channel in ("voice", "chat", "email")
            for kind in types.values()
        ]
        save_scope(
            buyer_pm,
            world.harbor,
            lines,
            months={date(2025, m, 1): 2000 + m for m in range(1, 13)},
            baselines=[
                services.BaselineInput(c, fcr_pct=Decimal(75), cost_per_contact=Decimal(5))
                for c in ("voice", "chat", "email")
            ],
            items=[
                services.ItemInput(
                    "compliance", f"Requirement {i}", "soc2", (f"https://e.example/{i}",)
                )
                for i in range(8)
            ],
        )
    _contact(world, types["escalation"], datetime(2026, 5, 16, 10, tzinfo=UTC), channel="social")
    month_snapshot(world.harbor, "voice", date(2026, 4, 1), contacts=4000)

    # then: the same number of queries
    assert _page_queries(client, url) == small
    assert (
        _page_queries(client, reverse("engagements:scope-version", args=[world.harbor.pk, 1]))
        == small
    )
