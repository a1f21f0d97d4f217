"""Writing the engagement against the database: scope versions, selections, candidates and
their scores, choosing a partner, and stages with their gates. Every refused write leaves
the database as it was; every accepted one leaves an audit event."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.scoping import Role, Viewer
from engagements import domain, services
from engagements.models import (
    Candidate,
    CandidateRedFlag,
    CandidateScore,
    EngagementStage,
    ScopeLine,
    ScopeVersion,
    Selection,
    SelectionStatus,
    StageKind,
)
from engagements.services import (
    BaselineInput,
    ItemInput,
    LineInput,
    ScopeInput,
    ScoreInput,
    StageInput,
)
from partners.models import AuditEvent, InteractionType, Partner
from tests.factories.calibration import viewer_of
from tests.factories.engagements import line
from tests.factories.partners import PartnerFactory

D = Decimal
FIRST = date(2026, 1, 1)


@pytest.fixture
def pm(buyer_pm):
    return viewer_of(buyer_pm)


@pytest.fixture
def types(pm):
    """The five standard interaction types, by code."""
    return {t.code: t for t in services.standard_types_ensure(viewer=pm)}


def scope_input(types, **overrides) -> ScopeInput:
    """3,000 contacts a month: 2,000 order-status and 1,000 billing on chat."""
    fields = {
        "monthly_volume": 3000,
        "first_month": FIRST,
        "lines": [
            LineInput("chat", types["order-status"], 2000),
            LineInput("chat", types["billing"], 1000),
        ],
        "shifts": ["business_hours"],
        "governance_fte": D("1.5"),
        "governance_fte_cost": D("9500.00"),
    }
    fields.update(overrides)
    return ScopeInput(**fields)


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def counts() -> tuple[int, int]:
    return ScopeVersion.objects.count(), ScopeLine.objects.count()


# INTERACTION TYPES
# ------------------------------------------------------------------------------


def test_standard_types_are_created_once_with_order_status_routine(pm, world):
    first = services.standard_types_ensure(viewer=pm)
    again = services.standard_types_ensure(viewer=pm)
    assert [t.code for t in first] == [t.code for t in domain.STANDARD_MIX]
    assert [t.pk for t in again] == [t.pk for t in first]
    assert InteractionType.objects.filter(account=world.account).count() == 5
    routine = InteractionType.objects.get(account=world.account, code="order-status")
    assert routine.is_routine
    assert not routine.is_brand_sensitive
    assert InteractionType.objects.get(code="escalation").is_brand_sensitive


def test_interaction_type_create_refuses_a_duplicate_code(pm, types):
    made = services.interaction_type_create(viewer=pm, code=" Warranty ", name="Warranty claim")
    assert made.code == "warranty"
    assert audits("interaction_type.created")
    with pytest.raises(DomainError, match="already is an interaction type 'billing'"):
        services.interaction_type_create(viewer=pm, code="billing", name="Billing again")


# SCOPE OF WORK
# ------------------------------------------------------------------------------


def test_scope_save_writes_version_1_then_2(pm, world, types):
    first = services.scope_save(
        viewer=pm,
        partner=world.harbor,
        data=scope_input(
            types,
            months={date(2026, 11, 1): 5100, date(2026, 12, 1): 5400},
            baselines=[BaselineInput("chat", D(87), D(76), 540, 60, D("7.50"))],
            items=[
                ItemInput(
                    "compliance",
                    "PCI DSS for card data",
                    "pci",
                    ("https://docs.example.com/pci",),
                    done=True,
                )
            ],
        ),
    )
    assert first.version == 1
    assert first.governance_monthly == D("14250.00")
    assert [(li.channel, li.interaction_type.code, li.contacts) for li in first.lines.all()] == [
        ("chat", "billing", 1000),
        ("chat", "order-status", 2000),
    ]
    assert {m.month: m.contacts for m in first.months.all()} == {
        date(2026, 11, 1): 5100,
        date(2026, 12, 1): 5400,
    }
    assert first.baselines.get().cost_per_resolved == D("9.87")  # 7.50 / 0.76
    assert first.items.get().evidence == ["https://docs.example.com/pci"]
    data = services.scope_input_from(first)
    second = services.scope_save(
        viewer=pm,
        partner=world.harbor,
        data=ScopeInput(
            **{
                **data.__dict__,
                "shifts": ["business_hours", "weekend"],
                "note": "Weekend cover added for peak",
            }
        ),
    )
    assert second.version == 2
    assert second.shifts == ["business_hours", "weekend"]
    assert second.note == "Weekend cover added for peak"
    assert second.lines.count() == 2
    assert second.baselines.count() == 1
    first.refresh_from_db()
    assert first.shifts == ["business_hours"]  # earlier versions stay as they were
    assert [e.details["scope"] for e in audits("scope.saved")] == [first.pk, second.pk]


def test_a_mix_that_does_not_add_up_is_refused_and_nothing_written(pm, world, types):
    before = counts()
    lines = [
        LineInput("chat", types["order-status"], 1900),
        LineInput("chat", types["billing"], 1000),
    ]
    with pytest.raises(DomainError) as refused:
        services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types, lines=lines))
    assert refused.value.code == "invalid_scope"
    assert refused.value.field == "lines"
    assert "100 missing" in refused.value.message
    assert counts() == before
    assert not audits("scope.saved")


def test_an_interaction_type_of_another_account_is_refused(pm, world, types, outsider_pm):
    foreign = services.standard_types_ensure(viewer=viewer_of(outsider_pm))[0]
    before = counts()
    lines = [LineInput("chat", foreign, 2000), LineInput("chat", types["billing"], 1000)]
    with pytest.raises(DomainError, match="not part of this account"):
        services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types, lines=lines))
    assert counts() == before


def test_an_unknown_channel_is_refused(pm, world, types):
    lines = [
        LineInput("fax", types["order-status"], 2000),
        LineInput("chat", types["billing"], 1000),
    ]
    with pytest.raises(DomainError, match="'fax' is not a channel"):
        services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types, lines=lines))


def test_a_bad_timezone_is_refused(pm, world, types):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.scope_save(
            viewer=pm, partner=world.harbor, data=scope_input(types, timezone="Mars/Olympus")
        )
    assert refused.value.field == "timezone"
    assert "'Mars/Olympus' is not a time zone" in refused.value.message
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"shifts": []}, "shifts", "at least one shift"),
        ({"shifts": ["nights"]}, "shifts", "'nights' is not a shift"),
        ({"first_month": date(2026, 1, 15)}, "first_month", "first day of a month"),
        ({"months": {date(2026, 2, 3): 10}}, "months", "does not start a month"),
        ({"currency": "XYZ"}, "currency", "not an ISO 4217"),
        (
            {"baselines": [BaselineInput("chat"), BaselineInput("chat")]},
            "baselines",
            "one in-house baseline per channel",
        ),
        ({"items": [ItemInput("compliance", "  ")]}, "items", "needs its text"),
        ({"items": [ItemInput("wish", "More")]}, "items", "not a checklist kind"),
    ],
)
def test_each_scope_problem_is_named(pm, world, types, overrides, field, words):
    before = counts()
    with pytest.raises(DomainError, match=words) as refused:
        services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types, **overrides))
    assert refused.value.field == field
    assert counts() == before


def test_two_saves_of_the_same_version_keep_the_first(pm, world, types, monkeypatch):
    services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types))
    # The other program manager's save numbered its version before this one committed.
    monkeypatch.setattr("engagements.services.scope._next_version", lambda partner, selection: 1)
    with pytest.raises(DomainError, match="Version 1 of this scope was saved by someone else"):
        services.scope_save(viewer=pm, partner=world.harbor, data=scope_input(types))
    assert ScopeVersion.objects.filter(partner=world.harbor).count() == 1
    assert ScopeLine.objects.filter(scope__partner=world.harbor).count() == 2


def test_only_a_program_manager_saves_a_scope(world, types, buyer_reviewer, partner_lead):
    for user in (buyer_reviewer, partner_lead):
        with pytest.raises(DomainError) as refused:
            services.scope_save(
                viewer=viewer_of(user), partner=world.harbor, data=scope_input(types)
            )
        assert refused.value.code == "permission_denied"


def test_a_partner_of_another_account_is_refused(pm, world, types):
    with pytest.raises(DomainError, match="No such partner"):
        services.scope_save(viewer=pm, partner=world.zanzibar, data=scope_input(types))


# SELECTION
# ------------------------------------------------------------------------------


@pytest.fixture
def selection(pm):
    return services.selection_create(viewer=pm, name=" Support partner 2027 ")


def candidate(selection: Selection, name: str, **fields) -> Candidate:
    return Candidate(selection=selection, name=name, delivery_model="offshore", **fields)


QUOTE = [line("chat", "per_hour", "14.00")]


def test_selection_create_makes_the_nine_default_criteria(selection):
    assert selection.name == "Support partner 2027"
    criteria = list(selection.criteria.order_by("position"))
    assert [c.key for c in criteria] == [c.key for c in domain.DEFAULT_CRITERIA]
    heaviest = max(criteria, key=lambda c: c.weight)
    assert heaviest.key == "floor_management"
    assert all(c.weight < heaviest.weight for c in criteria if c is not heaviest)
    assert audits("selection.created")


def test_selection_create_refuses_an_unknown_currency(pm):
    with pytest.raises(DomainError, match="not an ISO 4217"):
        services.selection_create(viewer=pm, name="Bad", currency="ABC")
    assert not Selection.objects.exists()


def test_criteria_weights_save(pm, selection):
    services.criteria_weights_save(viewer=pm, selection=selection, weights={"tooling_fit": D(30)})
    assert selection.criteria.get(key="tooling_fit").weight == D(30)
    with pytest.raises(DomainError, match="No criterion 'price'"):
        services.criteria_weights_save(viewer=pm, selection=selection, weights={"price": D(1)})
    with pytest.raises(DomainError, match="cannot be negative"):
        services.criteria_weights_save(
            viewer=pm, selection=selection, weights={"tooling_fit": D(-1)}
        )
    zero = {c.key: D(0) for c in domain.DEFAULT_CRITERIA}
    with pytest.raises(DomainError, match="positive weight"):
        services.criteria_weights_save(viewer=pm, selection=selection, weights=zero)


def test_candidate_save_refuses_a_name_clash(pm, selection):
    services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Cebu Prime BPO"), rates=QUOTE
    )
    with pytest.raises(DomainError, match="already is a candidate named Cebu Prime BPO") as e:
        services.candidate_save(
            viewer=pm, candidate=candidate(selection, "Cebu Prime BPO"), rates=QUOTE
        )
    assert e.value.field == "name"
    assert Candidate.objects.count() == 1
    assert [e.summary for e in audits("candidate.created")] == [
        "Added candidate Cebu Prime BPO in Support partner 2027"
    ]


def test_candidate_save_updates_and_checks_its_fields(pm, selection):
    made = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas Nearshore"), rates=QUOTE
    )
    made.wfm_pct = D(5)
    services.candidate_save(viewer=pm, candidate=made)
    assert Candidate.objects.get().wfm_pct == D(5)
    assert audits("candidate.updated")
    made.qa_pct = D(150)
    with pytest.raises(DomainError, match="qa pct"):
        services.candidate_save(viewer=pm, candidate=made)


def test_a_candidates_quote_is_a_rate_card_saved_with_it(pm, selection, types):
    # given: voice per agent hour; chat per contact, complaints above the rest
    made = services.candidate_save(
        viewer=pm,
        candidate=candidate(selection, "Atlas Nearshore", wfm_pct=D(10)),
        rates=[
            line("chat", "per_contact", "2.50"),
            line("voice", "per_hour", "20.00"),
            line("chat", "per_contact", "4.00", kind=types["complaint-return"]),
        ],
    )
    # then: the lines in the channels' order, each channel's own line before its types'
    assert [
        (r.channel, r.interaction_type and r.interaction_type.code, r.pricing_model, r.rate)
        for r in made.rates.all()
    ] == [
        ("voice", None, "per_hour", D("20.00")),
        ("chat", None, "per_contact", D("2.50")),
        ("chat", "complaint-return", "per_contact", D("4.00")),
    ]
    assert [r.loaded_rate for r in made.rates.all()] == [D("22.00"), D("2.75"), D("4.40")]
    # when: the card is replaced, then every line is
    services.candidate_save(
        viewer=pm, candidate=made, rates=[line("email", "per_resolved", "3.00")]
    )
    assert [(r.channel, r.pricing_model) for r in made.rates.all()] == [("email", "per_resolved")]
    # and a change without `rates` keeps it
    made.notes = "Second round"
    services.candidate_save(viewer=pm, candidate=made)
    assert made.rates.count() == 1


@pytest.mark.parametrize(
    ("rates", "words"),
    [
        ([], "Give the candidate's quote at least one rate line"),
        (
            [line("chat", "per_contact", "2.00"), line("chat", "per_hour", "15.00")],
            "Line 2 (chat) prices the same contacts as line 1: one line per channel and "
            "interaction type.",
        ),
        ([line("chat", "per_contact", "-1")], "Line 1 (chat): a rate cannot be negative."),
        (
            [line("voice", "hybrid", "2.00")],
            "Line 1 (voice): a hybrid price needs a base: per agent hour, per FTE or per contact.",
        ),
        (
            [line("chat", "per_contact", "2.00", currency="EUR")],
            "Line 1 (chat) is in EUR, the selection in USD",
        ),
        ([line("fax", "per_contact", "2.00")], "Line 1: 'fax' is not a channel."),
        ([line("chat", "per_minute", "2.00")], "Line 1 (chat): 'per_minute' is not a pricing"),
        (
            [line("chat", "per_contact", "123456789012345")],
            "Line 1 (chat): rate: Ensure that there are no more than 12 digits before the "
            "decimal point.",
        ),
    ],
)
def test_a_quote_with_a_problem_is_refused_naming_the_line_and_nothing_is_written(
    pm, selection, rates, words
):
    made = services.candidate_save(viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE)
    before = list(made.rates.values_list("channel", "pricing_model", "rate"))
    with pytest.raises(DomainError) as refused:
        services.candidate_save(viewer=pm, candidate=candidate(selection, "Cebu"), rates=rates)
    assert words in refused.value.message
    assert refused.value.field == "rates"
    made.notes = "changed"
    with pytest.raises(DomainError, match=re.escape(words)):
        services.candidate_save(viewer=pm, candidate=made, rates=rates)
    assert list(Candidate.objects.values_list("name", flat=True)) == ["Atlas"]
    assert Candidate.objects.get().notes == ""
    assert list(made.rates.values_list("channel", "pricing_model", "rate")) == before


def test_a_typed_line_is_refused_beside_a_channel_priced_by_the_hour(pm, selection, types):
    with pytest.raises(DomainError) as refused:
        services.candidate_save(
            viewer=pm,
            candidate=candidate(selection, "Atlas"),
            rates=[
                line("chat", "per_hour", "15.00"),
                line("chat", "per_contact", "4.00", kind=types["complaint-return"]),
            ],
        )
    assert "chat is priced per agent hour, which pays for all its work whatever the type" in (
        refused.value.message
    )
    assert not Candidate.objects.exists()


def test_a_new_candidate_needs_its_quote(pm, selection):
    with pytest.raises(DomainError, match="Give the candidate's quote") as refused:
        services.candidate_save(viewer=pm, candidate=candidate(selection, "Atlas"))
    assert refused.value.field == "rates"
    assert not Candidate.objects.exists()


def test_another_accounts_interaction_type_is_refused_on_a_line(pm, selection, outsider_pm):
    theirs = services.standard_types_ensure(viewer=viewer_of(outsider_pm))[0]
    with pytest.raises(DomainError, match="Line 2 \\(chat\\): no such interaction type"):
        services.candidate_save(
            viewer=pm,
            candidate=candidate(selection, "Atlas"),
            rates=[
                line("chat", "per_contact", "2.00"),
                line("chat", "per_contact", "3", kind=theirs),
            ],
        )
    assert not Candidate.objects.exists()


def _score_all(value: int, evidence: str = "") -> list[ScoreInput]:
    return [ScoreInput(c.key, value, evidence) for c in domain.DEFAULT_CRITERIA]


def test_scores_are_all_or_nothing(pm, selection, buyer_reviewer):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    scores = _score_all(4)
    scores[3] = ScoreInput(scores[3].criterion, 6)
    with pytest.raises(DomainError) as refused:
        services.scores_save(viewer=viewer_of(buyer_reviewer), candidate=bidder, scores=scores)
    assert refused.value.code == "invalid_score"
    assert "Attrition transparency: A score is a whole number from 1 to 5, not 6." in (
        refused.value.message
    )
    assert not CandidateScore.objects.exists()
    assert not audits("candidate.scored")


def test_re_scoring_replaces_and_a_blank_removes(pm, selection, buyer_reviewer, buyer_exec):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    reviewer = viewer_of(buyer_reviewer)
    assert (
        services.scores_save(
            viewer=reviewer, candidate=bidder, scores=_score_all(3, " Site visit ")
        )
        == 9
    )
    services.scores_save(viewer=viewer_of(buyer_exec), candidate=bidder, scores=_score_all(5))
    written = services.scores_save(
        viewer=reviewer,
        candidate=bidder,
        scores=[
            ScoreInput("floor_management", 2, "Team leads at 1:25"),
            ScoreInput("tooling_fit", None),
        ],
    )
    assert written == 1
    mine = {s.criterion.key: s for s in CandidateScore.objects.filter(evaluator=buyer_reviewer)}
    assert len(mine) == 8
    assert "tooling_fit" not in mine
    assert (mine["floor_management"].score, mine["floor_management"].evidence) == (
        2,
        "Team leads at 1:25",
    )
    assert mine["qa_process"].evidence == "Site visit"
    assert CandidateScore.objects.filter(evaluator=buyer_exec).count() == 9  # untouched
    assert len(audits("candidate.scored")) == 3


def test_an_unknown_criterion_is_refused(pm, selection, buyer_reviewer):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    with pytest.raises(DomainError, match="No criterion 'price'"):
        services.scores_save(
            viewer=viewer_of(buyer_reviewer), candidate=bidder, scores=[ScoreInput("price", 3)]
        )


def test_a_partner_side_viewer_cannot_score_or_flag(pm, selection, partner_lead):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    lead = viewer_of(partner_lead)
    with pytest.raises(DomainError) as refused:
        services.scores_save(viewer=lead, candidate=bidder, scores=_score_all(5))
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as flagged:
        services.red_flag_add(viewer=lead, candidate=bidder, kind="opaque_qa")
    assert flagged.value.code == "permission_denied"
    assert not CandidateScore.objects.exists()
    assert not CandidateRedFlag.objects.exists()


def test_red_flags(pm, selection, buyer_reviewer):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Cebu Prime"), rates=QUOTE
    )
    reviewer = viewer_of(buyer_reviewer)
    with pytest.raises(DomainError, match="Say what the red flag is") as refused:
        services.red_flag_add(viewer=reviewer, candidate=bidder, kind="other", note="  ")
    assert refused.value.field == "note"
    with pytest.raises(DomainError, match="'cheap' is not a red flag"):
        services.red_flag_add(viewer=reviewer, candidate=bidder, kind="cheap")
    flag = services.red_flag_add(viewer=reviewer, candidate=bidder, kind="no_attrition_figure")
    other = services.red_flag_add(
        viewer=reviewer, candidate=bidder, kind="other", note=" Wants a 3-year lock-in "
    )
    assert other.note == "Wants a 3-year lock-in"
    assert flag.raised_by == buyer_reviewer
    assert [e.summary for e in audits("candidate.red_flag")] == [
        "Red flag on Cebu Prime: No attrition figure",
        "Red flag on Cebu Prime: Other",
    ]
    with pytest.raises(DomainError) as not_pm:
        services.red_flag_remove(viewer=reviewer, flag=flag)
    assert not_pm.value.code == "permission_denied"
    services.red_flag_remove(viewer=pm, flag=flag)
    assert list(bidder.red_flags.all()) == [other]
    assert audits("candidate.red_flag_removed")


# CHOOSING A CANDIDATE
# ------------------------------------------------------------------------------


@pytest.fixture
def scoped_selection(pm, selection, types):
    services.scope_save(viewer=pm, selection=selection, data=scope_input(types))
    return selection


def test_candidate_choose_makes_a_partner_with_the_selections_scope(
    pm, scoped_selection, world, today
):
    chosen = services.candidate_save(
        viewer=pm,
        candidate=candidate(scoped_selection, "Atlas Nearshore", country="Mexico"),
        rates=QUOTE,
    )
    services.candidate_save(
        viewer=pm, candidate=candidate(scoped_selection, "Cebu Prime"), rates=QUOTE
    )
    partner = services.candidate_choose(viewer=pm, candidate=chosen, today=today)
    assert (partner.account, partner.name, partner.country) == (
        world.account,
        "Atlas Nearshore",
        "Mexico",
    )
    assert partner.delivery_model == "offshore"
    version = ScopeVersion.objects.get()
    assert (version.partner, version.selection, version.version) == (partner, scoped_selection, 1)
    scoped_selection.refresh_from_db()
    assert scoped_selection.status == SelectionStatus.CHOSEN
    assert scoped_selection.decided_at is not None
    chosen.refresh_from_db()
    assert chosen.partner == partner
    stage = EngagementStage.objects.get(partner=partner)
    assert stage.kind == StageKind.SELECTION
    assert stage.ended_on == today
    assert stage.description == "Chosen in 'Support partner 2027' among 2 candidates."
    assert audits("candidate.chosen")[0].details == {"partner": partner.pk}


def test_a_selection_chooses_once(pm, scoped_selection, today):
    first = services.candidate_save(
        viewer=pm, candidate=candidate(scoped_selection, "Atlas"), rates=QUOTE
    )
    second = services.candidate_save(
        viewer=pm, candidate=candidate(scoped_selection, "Cebu"), rates=QUOTE
    )
    services.candidate_choose(viewer=pm, candidate=first, today=today)
    with pytest.raises(DomainError, match="already chose Atlas") as refused:
        services.candidate_choose(viewer=pm, candidate=second, today=today)
    assert refused.value.code == "already_chosen"
    assert not Partner.objects.filter(name="Cebu").exists()
    # And a chosen selection is closed to new candidates.
    scoped_selection.refresh_from_db()
    with pytest.raises(DomainError) as closed:
        services.candidate_save(
            viewer=pm, candidate=candidate(scoped_selection, "Late"), rates=QUOTE
        )
    assert closed.value.code == "selection_closed"


def test_choosing_without_a_scope_is_refused(pm, selection, today):
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    with pytest.raises(DomainError, match="Write the scope of work") as refused:
        services.candidate_choose(viewer=pm, candidate=bidder, today=today)
    assert refused.value.code == "scope_missing"
    assert not Partner.objects.filter(name="Atlas").exists()


def test_choosing_a_name_an_existing_partner_has_changes_nothing(pm, scoped_selection, today):
    clash = services.candidate_save(
        viewer=pm, candidate=candidate(scoped_selection, "Harbor Support"), rates=QUOTE
    )
    partners = Partner.objects.count()
    with pytest.raises(DomainError, match="already is a partner named Harbor Support") as e:
        services.candidate_choose(viewer=pm, candidate=clash, today=today)
    assert e.value.code == "partner_exists"
    assert Partner.objects.count() == partners
    scoped_selection.refresh_from_db()
    assert scoped_selection.status == SelectionStatus.OPEN
    assert ScopeVersion.objects.get().partner is None
    assert not EngagementStage.objects.exists()
    assert not audits("candidate.chosen")


# STAGES
# ------------------------------------------------------------------------------

GREEN = domain.gate(
    [domain.GateMonth("October 2026", True), domain.GateMonth("September 2026", True)],
    months_needed=2,
    alignment=D("0.9"),
    alignment_threshold=D("0.85"),
)
RED = domain.gate(
    [domain.GateMonth("October 2026", False, ("CSAT chat",))],
    months_needed=2,
    alignment=D("0.7"),
    alignment_threshold=D("0.85"),
)


@pytest.fixture
def fresh(world):
    """A partner whose engagement has not started: no go-live date yet."""
    return PartnerFactory(account=world.account, name="Fresh Partner", go_live_date=None)


def pilot(types, started_on=date(2026, 1, 5), **overrides) -> StageInput:
    fields = {
        "kind": "pilot",
        "started_on": started_on,
        "channels": ["chat"],
        "interaction_types": [types["order-status"]],
        "shifts": ["business_hours"],
    }
    fields.update(overrides)
    return StageInput(**fields)


def expansion(types, started_on, **overrides) -> StageInput:
    fields = {
        "kind": "expansion",
        "expansion": "interaction_type",
        "started_on": started_on,
        "interaction_types": [types["product-question"]],
        "ramp_weeks": 10,
    }
    fields.update(overrides)
    return StageInput(**fields)


def test_a_pilot_sets_go_live_and_ends_the_stage_before(pm, fresh, types):
    selected = services.stage_start(
        viewer=pm, partner=fresh, data=StageInput("selection", date(2025, 11, 1))
    )
    stage = services.stage_start(viewer=pm, partner=fresh, data=pilot(types, ramp_weeks=4))
    fresh.refresh_from_db()
    assert fresh.go_live_date == date(2026, 1, 5)
    selected.refresh_from_db()
    assert selected.ended_on == date(2026, 1, 5)
    assert stage.ramp_flag == ""  # four weeks on status checks only is realistic
    assert stage.gate_green is None  # a pilot is not gated
    assert stage.approved_by_label == pm.user.display_name
    assert list(stage.interaction_types.all()) == [types["order-status"]]
    assert services.current_stage(fresh) == stage
    assert [e.summary for e in audits("stage.started")] == [
        "Fresh Partner: Selection from 2025-11-01",
        "Fresh Partner: Pilot from 2026-01-05",
    ]


def test_a_pilot_keeps_an_existing_go_live_date(pm, world, types):
    before = world.harbor.go_live_date
    services.stage_start(viewer=pm, partner=world.harbor, data=pilot(types))
    world.harbor.refresh_from_db()
    assert world.harbor.go_live_date == before


@pytest.mark.parametrize(
    "wide",
    [{"channels": ["chat", "email"]}, {"shifts": ["business_hours", "weekend"]}, "types"],
)
def test_a_pilot_runs_on_a_tight_scope(pm, fresh, types, wide):
    overrides = (
        {"interaction_types": [types["order-status"], types["billing"]]}
        if wide == "types"
        else wide
    )
    with pytest.raises(DomainError, match="one channel, one interaction type, one shift") as e:
        services.stage_start(viewer=pm, partner=fresh, data=pilot(types, **overrides))
    assert e.value.code == "pilot_too_wide"
    assert not EngagementStage.objects.exists()


def test_an_expansion_needs_its_gate(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    with pytest.raises(ValueError, match="needs its gate"):
        services.stage_start(viewer=pm, partner=fresh, data=expansion(types, date(2026, 4, 1)))
    assert EngagementStage.objects.count() == 1


def test_a_green_gate_is_recorded(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    stage = services.stage_start(
        viewer=pm, partner=fresh, data=expansion(types, date(2026, 4, 1)), gate=GREEN
    )
    assert stage.gate_green is True
    assert stage.gate_reasons == []
    assert stage.gate_alignment == D("0.9")
    assert not stage.approved_despite_red
    assert stage.ramp_flag == ""  # ten weeks on product questions
    assert stage.title == "Expansion: another interaction type"


def test_a_red_gate_without_a_reason_is_refused_and_nothing_written(pm, fresh, types):
    first = services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    with pytest.raises(DomainError) as refused:
        services.stage_start(
            viewer=pm, partner=fresh, data=expansion(types, date(2026, 4, 1)), gate=RED
        )
    assert refused.value.code == "gate_red"
    assert refused.value.field == "override_reason"
    assert "October 2026: below base on CSAT chat." in refused.value.message
    assert "Calibration agreement 70.0% is below the 85.0% threshold." in refused.value.message
    assert list(EngagementStage.objects.all()) == [first]
    first.refresh_from_db()
    assert first.ended_on is None
    assert len(audits("stage.started")) == 1


def test_a_red_gate_approved_with_a_reason_is_recorded(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    reason = "Peak season staffing: approved with weekly calibration until alignment recovers"
    stage = services.stage_start(
        viewer=pm,
        partner=fresh,
        gate=RED,
        data=expansion(
            types,
            date(2026, 4, 1),
            expansion="channel",
            channels=["email"],
            interaction_types=[],
            override_reason=f" {reason} ",
        ),
    )
    stage.refresh_from_db()
    assert stage.gate_green is False
    assert stage.override_reason == reason
    assert stage.approved_despite_red
    assert stage.gate_reasons == list(RED.reasons)
    assert stage.gate_alignment == D("0.7")
    assert audits("stage.started")[-1].summary == (
        "Fresh Partner: Expansion: another channel from 2026-04-01 despite a red gate"
    )


def test_an_override_reason_on_a_green_gate_is_not_kept(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    stage = services.stage_start(
        viewer=pm,
        partner=fresh,
        gate=GREEN,
        data=expansion(types, date(2026, 4, 1), override_reason="x"),
    )
    assert stage.override_reason == ""


def test_moving_back_needs_a_reason(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    services.stage_start(
        viewer=pm, partner=fresh, gate=GREEN, data=expansion(types, date(2026, 4, 1))
    )
    with pytest.raises(DomainError, match="Moving back from expansion to pilot") as refused:
        services.stage_start(viewer=pm, partner=fresh, data=pilot(types, date(2026, 6, 1)))
    assert refused.value.code == "stage_backwards"
    assert EngagementStage.objects.count() == 2
    back = services.stage_start(
        viewer=pm,
        partner=fresh,
        data=pilot(types, date(2026, 6, 1), back_reason=" FCR fell below base for two months "),
    )
    assert back.back_reason == "FCR fell below base for two months"
    assert EngagementStage.objects.count() == 3
    fresh.refresh_from_db()
    assert fresh.go_live_date == date(2026, 1, 5)  # the first pilot set it


def test_a_stage_cannot_start_before_the_current_one(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    with pytest.raises(DomainError, match="cannot start") as refused:
        services.stage_start(
            viewer=pm, partner=fresh, gate=GREEN, data=expansion(types, date(2025, 12, 1))
        )
    assert refused.value.field == "started_on"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"kind": "holiday"}, "'holiday' is not a stage"),
        ({"expansion": ""}, "Say what the expansion adds"),
        ({"channels": ["fax"]}, "'fax' is not a channel"),
        ({"shifts": ["nights"]}, "'nights' is not a shift"),
    ],
)
def test_each_stage_problem_is_named(pm, fresh, types, overrides, words):
    with pytest.raises(DomainError, match=words):
        services.stage_start(
            viewer=pm,
            partner=fresh,
            gate=GREEN,
            data=expansion(types, date(2026, 4, 1), **overrides),
        )
    assert not EngagementStage.objects.exists()


def test_only_an_expansion_adds_an_expansion_kind(pm, fresh, types):
    with pytest.raises(DomainError, match="Only an expansion step"):
        services.stage_start(viewer=pm, partner=fresh, data=pilot(types, expansion="channel"))


def test_unrealistic_ramps_are_flagged_and_stored(pm, fresh, types):
    services.stage_start(viewer=pm, partner=fresh, data=pilot(types))
    six_weeks = services.stage_start(
        viewer=pm, partner=fresh, gate=GREEN, data=expansion(types, date(2026, 4, 1), ramp_weeks=6)
    )
    six_weeks.refresh_from_db()
    assert six_weeks.ramp_flag == (
        "A 6-week ramp is unrealistic beyond status checks: plan at least 8 weeks to full volume."
    )
    brand = services.stage_start(
        viewer=pm,
        partner=fresh,
        gate=GREEN,
        data=expansion(
            types,
            date(2026, 8, 1),
            expansion="brand_sensitive",
            interaction_types=[types["complaint-return"]],
            ramp_weeks=12,
        ),
    )
    assert brand.ramp_flag.startswith("A 12-week ramp on brand-sensitive work is unrealistic")


def test_stages_of_another_accounts_partner_are_refused(pm, world, types):
    with pytest.raises(DomainError, match="No such partner"):
        services.stage_start(viewer=pm, partner=world.zanzibar, data=pilot(types))


def test_scoped_types(pm, types):
    assert services.scoped_types(pm, ["billing", "order-status"]) == [
        types["billing"],
        types["order-status"],
    ]
    with pytest.raises(DomainError, match="No interaction type 'fax-order'"):
        services.scoped_types(pm, ["billing", "fax-order"])


# ROLES AND TENANTS
# ------------------------------------------------------------------------------


def test_a_refused_role_is_told_who_may_write(pm, selection, buyer_reviewer, partner_lead):
    with pytest.raises(DomainError) as refused:
        services.selection_create(viewer=viewer_of(buyer_reviewer), name="Mine")
    assert (refused.value.code, refused.value.message) == (
        "permission_denied",
        "Only program managers start selections.",
    )
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    with pytest.raises(DomainError) as partner_side:
        services.red_flag_add(viewer=viewer_of(partner_lead), candidate=bidder, kind="opaque_qa")
    assert partner_side.value.code == "permission_denied"
    assert partner_side.value.message.startswith("Only program managers, ")
    assert partner_side.value.message.endswith(" score candidates and raise red flags.")


def test_scores_and_red_flags_need_someone_signed_in(pm, selection):
    """A buyer-side viewer acting through no user (an API token) holds the role, but a score
    or a red flag is someone's own."""
    bidder = services.candidate_save(
        viewer=pm, candidate=candidate(selection, "Atlas"), rates=QUOTE
    )
    nobody = Viewer(account=pm.account, role=Role.PROGRAM_MANAGER)
    signed_in = "Candidates are scored by the buyer's people, each signed in as themselves."
    with pytest.raises(DomainError) as scored:
        services.scores_save(viewer=nobody, candidate=bidder, scores=_score_all(4))
    with pytest.raises(DomainError) as flagged:
        services.red_flag_add(viewer=nobody, candidate=bidder, kind="opaque_qa")
    for refused in (scored, flagged):
        assert (refused.value.code, refused.value.message) == ("permission_denied", signed_in)
    assert not CandidateScore.objects.exists()
    assert not CandidateRedFlag.objects.exists()


@pytest.fixture
def theirs(outsider_pm, types):
    """Another account's selection with a scope, a candidate and a red flag on it."""
    them = viewer_of(outsider_pm)
    their_types = {t.code: t for t in services.standard_types_ensure(viewer=them)}
    picked = services.selection_create(viewer=them, name="Globex pick")
    services.scope_save(viewer=them, selection=picked, data=scope_input(their_types))
    bidder = services.candidate_save(viewer=them, candidate=candidate(picked, "Zeta"), rates=QUOTE)
    flag = services.red_flag_add(viewer=them, candidate=bidder, kind="opaque_qa")
    return picked, bidder, flag, their_types


def test_another_accounts_selection_and_candidates_are_refused(pm, types, theirs, today):
    """Each write names what it did not find, with the code `not_found`, and changes
    nothing."""
    picked, bidder, flag, _ = theirs
    refusals = {
        "No such selection.": [
            lambda: services.scope_save(viewer=pm, selection=picked, data=scope_input(types)),
            lambda: services.selection_update(viewer=pm, selection=picked, name="Ours now"),
            lambda: services.criteria_weights_save(
                viewer=pm, selection=picked, weights={"tooling_fit": D(30)}
            ),
            lambda: services.candidate_save(
                viewer=pm, candidate=candidate(picked, "Ours"), rates=QUOTE
            ),
        ],
        "No such candidate.": [
            lambda: services.scores_save(viewer=pm, candidate=bidder, scores=_score_all(5)),
            lambda: services.red_flag_add(viewer=pm, candidate=bidder, kind="other", note="x"),
            lambda: services.candidate_choose(viewer=pm, candidate=bidder, today=today),
        ],
        "No such red flag.": [lambda: services.red_flag_remove(viewer=pm, flag=flag)],
    }
    for message, writes in refusals.items():
        for write in writes:
            with pytest.raises(DomainError) as refused:
                write()
            assert (refused.value.code, refused.value.message) == ("not_found", message)
    picked.refresh_from_db()
    assert (picked.name, picked.status) == ("Globex pick", SelectionStatus.OPEN)
    assert list(picked.candidates.all()) == [bidder]
    assert picked.scopes.count() == 1
    assert not CandidateScore.objects.exists()
    assert list(CandidateRedFlag.objects.all()) == [flag]
    assert not Partner.objects.filter(name="Zeta").exists()


def test_a_stage_with_another_accounts_interaction_type_is_refused(pm, fresh, types, theirs):
    their_types = theirs[3]
    with pytest.raises(DomainError) as refused:
        services.stage_start(
            viewer=pm,
            partner=fresh,
            data=pilot(types, interaction_types=[their_types["order-status"]]),
        )
    assert (refused.value.code, refused.value.message) == (
        "not_found",
        "An interaction type is not part of this account.",
    )
    assert not fresh.stages.exists()
