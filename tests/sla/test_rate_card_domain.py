"""Rate cards without a database: each channel priced on its own line, optionally per
interaction type; the invoice is the sum of the lines; a band's credit is a share of its
channel's invoice and the caps bind on the month's whole invoice. Figures worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla import domain
from sla.domain import Band, BandKind, Decision, Pricing, PricingModel, RateLine, TypeVolume

D = Decimal
CSAT = domain.governable("csat")
LABELS = {"voice": "voice", "email": "email", "chat": "chat", "social": "social messaging"}


def line(channel: str, model: str, rate: str, type_code: str = "", **more: object) -> RateLine:
    pricing = Pricing(
        PricingModel(model),
        D(rate),
        PricingModel(more["base"]) if "base" in more else None,  # type: ignore[arg-type]
        D(str(more.get("bonus", "0"))),
    )
    return RateLine(channel, pricing, type_code, str(more.get("label", "")))


def invoice(lines: list[RateLine], label: str, **volumes: object) -> domain.Invoice:
    return domain.rate_card_invoice(
        lines, domain.Volumes(**volumes), channel_label=label, currency="USD", minor_digits=2
    )


# INVOICES
# ------------------------------------------------------------------------------


def test_voice_by_the_hour_and_chat_by_the_contact_in_one_contract():
    # 1,200 h × 18.00 = 21,600.00; 10,000 × 3.00 = 30,000.00; together 51,600.00.
    voice = invoice([line("voice", "per_hour", "18.00")], "Voice", hours=D(1200), contacts=4000)
    chat = invoice([line("chat", "per_contact", "3.00")], "Chat", contacts=10_000, resolved=7200)
    assert (voice.amount, chat.amount) == (D("21600.00"), D("30000.00"))
    assert voice.explanation == "1,200 voice agent hours × 18.00 USD = 21,600.00 USD"
    assert chat.explanation == "10,000 chat contacts × 3.00 USD = 30,000.00 USD"


def test_complaints_are_priced_above_the_rest_of_the_channel():
    # 800 complaints × 6.00 = 4,800.00; the other 9,200 × 3.00 = 27,600.00: 32,400.00.
    lines = [
        line("chat", "per_contact", "3.00"),
        line("chat", "per_contact", "6.00", "complaint", label="Complaint / return"),
    ]
    found = invoice(
        lines, "Chat", contacts=10_000, resolved=7000,
        by_type={"complaint": TypeVolume(800, 500), "order-status": TypeVolume(5000, 4000)},
    )  # fmt: skip
    assert found.amount == D("32400.00")
    assert [(p.text, p.amount) for p in found.parts] == [
        ("800 chat complaint / return contacts × 6.00 USD = 4,800.00 USD", D("4800.00")),
        ("9,200 other chat contacts × 3.00 USD = 27,600.00 USD", D("27600.00")),
    ]


def test_a_hybrid_line_adds_its_bonus_per_resolved_contact():
    # 5,000 × 2.10 + 3,600 × 0.60 = 10,500.00 + 2,160.00.
    found = invoice(
        [line("email", "hybrid", "2.10", base="per_contact", bonus="0.60")], "Email",
        contacts=5000, resolved=3600,
    )  # fmt: skip
    assert found.amount == D("12660.00")
    assert found.explanation == (
        "5,000 email contacts × 2.10 USD + 3,600 resolved × 0.60 USD = 12,660.00 USD"
    )


def test_an_hourly_line_without_hours_says_what_is_missing():
    found = invoice([line("voice", "per_hour", "18.00")], "Voice", contacts=900)
    assert (found.amount, found.missing) == (D(0), "agent hours")
    assert found.explanation == "voice agent hours not entered for this month"


amounts = st.integers(min_value=0, max_value=200_000)


@given(amounts, amounts, amounts, st.sampled_from(["1.99", "3.00", "6.125", "0.0049"]))
def test_the_invoice_is_the_sum_of_its_lines_each_rounded_once(general, typed, rest, rate):
    lines = [
        line("chat", "per_contact", rate),
        line("chat", "per_resolved", "4.25", "complaint"),
        line("chat", "per_contact", "5.50", "billing"),
    ]
    by_type = {"complaint": TypeVolume(typed, typed // 2), "billing": TypeVolume(rest, rest)}
    found = invoice(
        lines, "Chat", contacts=general + typed + rest, resolved=general, by_type=by_type
    )
    assert found.amount == sum((p.amount for p in found.parts), D(0))
    assert all(p.amount == p.amount.quantize(D("0.01")) for p in found.parts)
    # The other contacts are the channel's less every typed line's.
    assert found.parts[-1].text.startswith(f"{general:,} other chat contacts")


# CAPS ON THE WHOLE INVOICE
# ------------------------------------------------------------------------------


def test_a_credit_is_a_share_of_its_channel_and_the_cap_binds_on_the_whole_invoice():
    """Voice 21,600.00 by the hour, chat 30,000.00 by the contact: 51,600.00. Chat CSAT in
    penalty takes 15 % of the chat invoice, 4,500.00. The at-risk cap is 5 % of the whole
    invoice, 2,580.00 (not 5 % of chat's, 1,500.00): the credit is 2,580.00."""
    invoices = {
        "voice": invoice([line("voice", "per_hour", "18.00")], "Voice", hours=D(1200)),
        "chat": invoice([line("chat", "per_contact", "3.00")], "Chat", contacts=10_000),
    }
    penalty = Band(BandKind.PENALTY, None, D(75), credit_pct=D(15), opens_remediation=True)
    result = domain.BandResult(CSAT, D("71.5"), 1200, None, None, penalty, Decision.DECIDED)
    settled = domain.settle(
        invoices=invoices, items=[domain.LineInput("chat", "Chat", result)],
        credit_cap_pct=D(5), bonus_cap_pct=D(5), currency="USD", minor_digits=2,
    )  # fmt: skip
    assert settled.invoice_total == D("51600.00")
    assert settled.credit_gross == D("4500.00")
    assert (settled.credit_cap, settled.credit_total) == (D("2580.00"), D("2580.00"))
    assert settled.net == D("49020.00")
    assert "credit 15% of the chat invoice 30,000.00 USD = 4,500.00 USD" in (
        settled.lines[0].explanation
    )
    assert settled.notes == [
        "Credits of 4,500.00 USD are capped at 5% of the invoice 51,600.00 USD: 2,580.00 USD."
    ]


# WHAT A RATE CARD MAY NOT BE
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "governed", "problem"),
    [
        ([], [], "Add at least one rate line"),
        (
            [line("chat", "per_contact", "3"), line("chat", "per_contact", "3.5")], [],
            "Line 2 (chat) prices the same contacts as line 1",
        ),
        ([line("chat", "per_contact", "-0.01")], [], "Line 1 (chat): a rate cannot be negative"),
        (
            [line("chat", "hybrid", "2", bonus="-1", base="per_contact")], [],
            "Line 1 (chat): a rate cannot be negative",
        ),
        ([line("voice", "hybrid", "2")], [], "Line 1 (voice): a hybrid price needs a base"),
        (
            [line("voice", "per_hour", "18"), line("voice", "per_hour", "25", "complaint")], [],
            "Line 2 (voice complaint): agent hours, FTE and monthly fees cannot be split",
        ),
        (
            [line("chat", "per_contact", "6", "complaint")], [],
            "chat prices complaint on lines of their own: add a chat line without an "
            "interaction type",
        ),
        (
            [line("voice", "per_hour", "18"), line("voice", "per_contact", "6", "complaint")],
            [],
            "voice is priced per agent hour, which pays for all its work whatever the type",
        ),
        (
            [line("chat", "per_contact", "3")], ["chat", "voice"],
            "An SLA of this contract governs voice, but the rate card has no voice rate",
        ),
    ],
)  # fmt: skip
def test_a_rate_card_with_a_problem_says_which_line_and_why(lines, governed, problem):
    problems = domain.rate_card_problems(lines, channel_labels=LABELS, governed_channels=governed)
    assert any(problem in p for p in problems), problems


def test_a_sound_rate_card_has_no_problem():
    lines = [
        line("voice", "per_hour", "18"),
        line("chat", "per_contact", "3"),
        line("chat", "per_contact", "6", "complaint"),
        line("chat", "per_resolved", "4", "billing"),
        line("email", "hybrid", "2.1", base="per_contact", bonus="0.6"),
        line("email", "per_contact", "5", "complaint"),
        line("social", "outcome", "15000"),
    ]
    assert (
        domain.rate_card_problems(
            lines, channel_labels=LABELS, governed_channels=["voice", "chat", "email"]
        )
        == []
    )
