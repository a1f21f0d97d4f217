"""Every URL, tried across tenants: another partner's or another account's objects are 404,
and no page or API list shows them.

`URLS` must name every URL of the project: `test_every_url_is_covered` fails when a new URL
is added without saying here how it is tried across tenants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calibration import services as calibration_services
from calibration.models import Dispute
from core import clock
from engagements import services as engagement_services
from engagements.models import Candidate
from home.models import ActionItem, QuarterlyReview
from kpis.models import ImportBatch, Interaction, KpiSnapshot
from partners.models import ApiToken, InteractionType, Invitation, Membership, Role
from partners.scoping import viewer_for_membership
from partners.services import api_token_create
from sla.evaluation import evaluate_contract_month
from sla.models import BandStatus, ExitCriterion, RemediationPlan, Settlement
from tests.factories.calibration import CRITERIA as CALIBRATION_CRITERIA
from tests.factories.calibration import make_session
from tests.factories.partners import MembershipFactory, UserFactory, make_invitation
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot


@dataclass(frozen=True)
class ObjectUrl:
    """A URL about one object: `kwargs(objects)` builds its arguments for an object that
    belongs to the tenant under test; `method` is how it is called."""

    kwargs: Callable[[dict[str, Any]], dict[str, Any]]
    method: str = "get"
    buyer_only: bool = False
    query: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Account-wide data (rubrics): every member of the account sees it, partner users too;
    # only another account's is out of reach.
    account_wide: bool = False
    # Partner-side writes (disputes): a buyer is refused by role before any lookup.
    partner_only: bool = False

    def call(self, client: Any, name: str, objects: dict[str, Any]) -> Any:
        url = reverse(name, kwargs=self.kwargs(objects))
        data = self.query(objects) if self.query else None
        return getattr(client, self.method)(url, data)


@dataclass(frozen=True)
class ListUrl:
    """A URL showing many things: it must not mention another tenant's names."""

    buyer_only: bool = False
    kwargs: dict[str, Any] | None = None

    def url(self, name: str) -> str:
        return reverse(name, kwargs=self.kwargs)


@dataclass(frozen=True)
class ScopedWrite:
    """A write endpoint whose references are scoped; where that is tested."""

    tested_in: str


@dataclass(frozen=True)
class NotTenantData:
    """A URL that shows no tenant data, with the reason; tested elsewhere."""

    reason: str


def _session(o: dict[str, Any]) -> dict[str, Any]:
    return {"pk": o["session"].pk}


def _selection(o: dict[str, Any]) -> dict[str, Any]:
    return {"pk": o["selection"].pk}


def _candidate(o: dict[str, Any]) -> dict[str, Any]:
    return {"pk": o["candidate"].pk}


URLS: dict[str, ObjectUrl | ListUrl | ScopedWrite | NotTenantData] = {
    "home:home": ListUrl(),
    "partners:partner-list": ListUrl(),
    "partners:partner-create": ListUrl(buyer_only=True),
    "home:partner-detail": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    # The QBR of the quarter the objects' October settlements fall in.
    "home:qbr-list": ListUrl(buyer_only=True),
    "home:qbr-quarter": ListUrl(buyer_only=True, kwargs={"year": 2026, "quarter": 4}),
    "home:qbr-partner": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "partner": o["partner"].pk}, buyer_only=True
    ),
    "home:qbr-open": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "partner": o["partner"].pk},
        method="post",
        buyer_only=True,
    ),  # fmt: skip
    "home:qbr-publish": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "partner": o["partner"].pk},
        method="post",
        buyer_only=True,
    ),  # fmt: skip
    "home:qbr-health": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "partner": o["partner"].pk},
        method="post",
        buyer_only=True,
    ),  # fmt: skip
    "home:qbr-item-add": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "partner": o["partner"].pk},
        method="post",
        buyer_only=True,
    ),  # fmt: skip
    "home:qbr-actions": ListUrl(),
    "home:qbr-csv": ObjectUrl(
        lambda o: {"year": 2026, "quarter": 4, "table": "settlements"},
        query=lambda o: {"partner": o["partner"].pk},
        buyer_only=True,
    ),  # fmt: skip
    "home:qbr-item-update": ObjectUrl(lambda o: {"pk": o["qbr_item"].pk}, method="post"),
    "partners:partner-update": ObjectUrl(lambda o: {"pk": o["partner"].pk}, buyer_only=True),
    "partners:agent-list": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "partners:agent-detail": ObjectUrl(lambda o: {"pk": o["agent"].pk}),
    "partners:members": ListUrl(buyer_only=True),
    "partners:membership-update": ObjectUrl(lambda o: {"pk": o["membership"].pk}, buyer_only=True),
    "partners:membership-remove": ObjectUrl(
        lambda o: {"pk": o["membership"].pk}, method="post", buyer_only=True
    ),
    "partners:invitation-revoke": ObjectUrl(
        lambda o: {"pk": o["invitation"].pk}, method="post", buyer_only=True
    ),
    "partners:account-settings": ListUrl(buyer_only=True),
    "partners:security": ListUrl(buyer_only=True),
    "partners:api-tokens": ListUrl(buyer_only=True),
    "partners:api-token-revoke": ObjectUrl(
        lambda o: {"prefix": o["token"].prefix}, method="post", buyer_only=True
    ),
    "partners:audit-log": ListUrl(buyer_only=True),
    "partners:account-switch": NotTenantData("switches only to the user's own accounts"),
    "partners:invitation-accept": NotTenantData("public; the token is the credential"),
    "api:api-root": ListUrl(),
    "api:me": ListUrl(),
    "api:partner-list": ListUrl(),
    "api:partner-detail": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "api:agent-list": ListUrl(),
    "api:agent-detail": ObjectUrl(lambda o: {"pk": o["agent"].pk}),
    "kpis:import-list": ListUrl(),
    "kpis:import-create": ListUrl(),
    "kpis:import-detail": ObjectUrl(lambda o: {"pk": o["batch"].pk}),
    "kpis:import-status": ObjectUrl(lambda o: {"pk": o["batch"].pk}),
    "kpis:import-problems": ObjectUrl(lambda o: {"pk": o["batch"].pk}),
    "kpis:import-retry": ObjectUrl(lambda o: {"pk": o["batch"].pk}, method="post"),
    "kpis:mapping": ObjectUrl(lambda o: {"pk": o["partner"].pk, "kind": "interactions"}),
    "kpis:scorecards": NotTenantData("redirects to the viewer's own scorecard"),
    "kpis:weekly": ListUrl(),
    "kpis:scorecard-channels": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "kpis:scorecard-agents": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "kpis:interactions": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "kpis:agent-scorecard": ObjectUrl(lambda o: {"pk": o["agent"].pk}),
    "api:scorecard-channels": ObjectUrl(lambda o: {}, query=lambda o: {"partner": o["partner"].pk}),
    "api:scorecard-agents": ObjectUrl(lambda o: {}, query=lambda o: {"partner": o["partner"].pk}),
    "api:kpi-snapshot-list": ListUrl(),
    "api:kpi-snapshot-detail": ObjectUrl(lambda o: {"pk": o["snapshot"].pk}),
    "api:interaction-list": ListUrl(),
    "api:interaction-detail": ObjectUrl(lambda o: {"pk": o["interaction"].pk}),
    "api:import-list": ListUrl(),
    "api:import-detail": ObjectUrl(lambda o: {"pk": o["batch"].pk}),
    "api:import-problems": ObjectUrl(lambda o: {"pk": o["batch"].pk}),
    "api:import-interactions": ScopedWrite("tests/kpis/test_api.py (partner token, other partner)"),
    "api:import-aggregates": ScopedWrite(
        "tests/kpis/test_api.py (same serializer as interactions)"
    ),
    "api:import-roster": ScopedWrite("tests/kpis/test_api.py (same serializer as interactions)"),
    "sla:contract-list": ListUrl(),
    "sla:contract-create": ListUrl(buyer_only=True),
    "sla:contract-detail": ObjectUrl(lambda o: {"pk": o["contract"].pk}),
    "sla:contract-update": ObjectUrl(lambda o: {"pk": o["contract"].pk}, buyer_only=True),
    "sla:sla-create": ObjectUrl(lambda o: {"pk": o["contract"].pk}, buyer_only=True),
    "sla:volume-edit": ObjectUrl(lambda o: {"pk": o["contract"].pk}, buyer_only=True),
    "sla:exit-create": ObjectUrl(lambda o: {"pk": o["contract"].pk}, buyer_only=True),
    "sla:governed-create": ObjectUrl(lambda o: {"pk": o["sla"].pk}, buyer_only=True),
    "sla:governed-template": ObjectUrl(lambda o: {"pk": o["sla"].pk}, buyer_only=True),
    "sla:band-design": ObjectUrl(lambda o: {"pk": o["sla"].pk}),
    "sla:governed-update": ObjectUrl(lambda o: {"pk": o["governed"].pk}, buyer_only=True),
    "sla:governed-delete": ObjectUrl(
        lambda o: {"pk": o["governed"].pk}, method="post", buyer_only=True
    ),
    "sla:settlement-list": ListUrl(),
    "sla:settlement-detail": ObjectUrl(lambda o: {"pk": o["settlement"].pk}),
    "sla:settlement-approve": ObjectUrl(
        lambda o: {"pk": o["settlement"].pk}, method="post", buyer_only=True
    ),
    "sla:settlement-recompute": ObjectUrl(
        lambda o: {"pk": o["settlement"].pk}, method="post", buyer_only=True
    ),
    "sla:remediation-board": ListUrl(),
    "sla:plan-detail": ObjectUrl(lambda o: {"pk": o["plan"].pk}),
    "api:contract-list": ListUrl(),
    "api:contract-detail": ObjectUrl(lambda o: {"pk": o["contract"].pk}),
    "api:contract-volumes": ObjectUrl(lambda o: {"pk": o["contract"].pk}),
    "api:sla-list": ListUrl(),
    "api:sla-detail": ObjectUrl(lambda o: {"pk": o["sla"].pk}),
    "api:sla-kpis": ObjectUrl(lambda o: {"pk": o["sla"].pk}, method="post", buyer_only=True),
    "api:sla-kpi-delete": ObjectUrl(
        lambda o: {"pk": o["sla"].pk, "governed_id": o["governed"].pk},
        method="delete",
        buyer_only=True,
    ),
    "api:band-status-list": ListUrl(),
    "api:band-status-detail": ObjectUrl(lambda o: {"pk": o["band_status"].pk}),
    "api:settlement-list": ListUrl(),
    "api:settlement-detail": ObjectUrl(lambda o: {"pk": o["settlement"].pk}),
    "api:settlement-approve": ObjectUrl(
        lambda o: {"pk": o["settlement"].pk}, method="post", buyer_only=True
    ),
    "api:remediation-plan-list": ListUrl(),
    "api:remediation-plan-detail": ObjectUrl(lambda o: {"pk": o["plan"].pk}),
    "api:exit-criterion-list": ListUrl(),
    "api:exit-criterion-detail": ObjectUrl(lambda o: {"pk": o["exit_criterion"].pk}),
    "calibration:overview": ListUrl(),
    "calibration:session-list": ListUrl(),
    "calibration:session-create": ListUrl(buyer_only=True),
    "calibration:session-detail": ObjectUrl(lambda o: {"pk": o["session"].pk}),
    "calibration:session-draw": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-item-add": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-reviewer-add": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-close-scoring": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-consensus": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:outcome-add": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-no-action": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-close": ObjectUrl(_session, method="post", buyer_only=True),
    "calibration:session-submit": ObjectUrl(_session, method="post"),
    "calibration:scoring": ObjectUrl(_session),
    "calibration:scoring-save": ObjectUrl(_session, method="post"),
    "calibration:outcome-list": ListUrl(),
    "calibration:outcome-update": ObjectUrl(lambda o: {"pk": o["outcome"].pk}, method="post"),
    "calibration:rubric-list": ListUrl(),
    "calibration:rubric-create": ListUrl(buyer_only=True),
    "calibration:rubric-detail": ObjectUrl(lambda o: {"pk": o["rubric"].pk}, account_wide=True),
    "calibration:rubric-update": ObjectUrl(
        lambda o: {"pk": o["rubric"].pk}, buyer_only=True, account_wide=True
    ),
    "calibration:evaluation-list": ListUrl(),
    "calibration:evaluation-create": ListUrl(),
    "calibration:evaluation-detail": ObjectUrl(lambda o: {"pk": o["evaluation"].pk}),
    "calibration:dispute-raise": ObjectUrl(
        lambda o: {"pk": o["evaluation"].pk}, method="post", partner_only=True
    ),
    "calibration:dispute-list": ListUrl(),
    "calibration:dispute-resolve": ObjectUrl(
        lambda o: {"pk": o["dispute"].pk}, method="post", buyer_only=True
    ),
    "calibration:partner-settings": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "api:rubric-list": ListUrl(),
    "api:rubric-detail": ObjectUrl(lambda o: {"pk": o["rubric"].pk}, account_wide=True),
    "api:calibration-session-list": ListUrl(),
    "api:calibration-session-detail": ObjectUrl(_session),
    "api:calibration-session-draw": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-items": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-reviewers": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-close-scoring": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-consensus": ObjectUrl(_session),
    "api:calibration-session-no-action": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-close": ObjectUrl(_session, method="post", buyer_only=True),
    "api:calibration-session-submit": ObjectUrl(_session, method="post"),
    "api:calibration-session-disagreements": ObjectUrl(_session),
    "api:score-list": ObjectUrl(lambda o: {}, query=lambda o: {"session": o["session"].pk}),
    "api:outcome-item-list": ListUrl(),
    "api:outcome-item-detail": ObjectUrl(lambda o: {"pk": o["outcome"].pk}),
    "api:qa-evaluation-list": ListUrl(),
    "api:qa-evaluation-detail": ObjectUrl(lambda o: {"pk": o["evaluation"].pk}),
    "api:dispute-list": ListUrl(),
    "api:dispute-detail": ObjectUrl(lambda o: {"pk": o["dispute"].pk}),
    "api:dispute-resolve": ObjectUrl(
        lambda o: {"pk": o["dispute"].pk}, method="post", buyer_only=True
    ),
    "engagements:scope-detail": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "engagements:scope-edit": ObjectUrl(lambda o: {"pk": o["partner"].pk}, buyer_only=True),
    "engagements:scope-version": ObjectUrl(lambda o: {"pk": o["partner"].pk, "version": 1}),
    "engagements:selection-scope-edit": ObjectUrl(_selection, buyer_only=True),
    "engagements:type-create": ListUrl(buyer_only=True),
    "engagements:types-standard": NotTenantData(
        "POST only; creates the standard interaction types in the viewer's own account"
    ),
    "engagements:timeline": ObjectUrl(lambda o: {"pk": o["partner"].pk}),
    "engagements:stage-create": ObjectUrl(lambda o: {"pk": o["partner"].pk}, buyer_only=True),
    "engagements:cost-overview": ListUrl(buyer_only=True),
    "engagements:costs": ObjectUrl(lambda o: {"pk": o["partner"].pk}, buyer_only=True),
    "engagements:selection-list": ListUrl(buyer_only=True),
    "engagements:selection-create": ListUrl(buyer_only=True),
    "engagements:selection-detail": ObjectUrl(_selection, buyer_only=True),
    "engagements:selection-update": ObjectUrl(_selection, buyer_only=True),
    "engagements:candidate-create": ObjectUrl(_selection, buyer_only=True),
    "engagements:candidate-update": ObjectUrl(_candidate, buyer_only=True),
    "engagements:candidate-score": ObjectUrl(_candidate, buyer_only=True),
    "engagements:red-flag-add": ObjectUrl(_candidate, method="post", buyer_only=True),
    "engagements:red-flag-delete": ObjectUrl(
        lambda o: {"pk": o["red_flag"].pk}, method="post", buyer_only=True
    ),
    "engagements:candidate-choose": ObjectUrl(_candidate, method="post", buyer_only=True),
    "api:scope-list": ListUrl(),
    "api:scope-detail": ObjectUrl(lambda o: {"pk": o["scope"].pk}),
    "api:scope-discipline": ObjectUrl(lambda o: {"pk": o["scope"].pk}),
    "api:scope-forecast-vs-actual": ObjectUrl(lambda o: {"pk": o["scope"].pk}),
    "api:candidate-list": ListUrl(buyer_only=True),
    "api:candidate-detail": ObjectUrl(_candidate, buyer_only=True),
    "api:candidate-choose": ObjectUrl(_candidate, method="post", buyer_only=True),
    "api:candidate-red-flags": ObjectUrl(_candidate, method="post", buyer_only=True),
    "api:evaluation-list": ListUrl(buyer_only=True),
    "api:evaluation-detail": ObjectUrl(lambda o: {"pk": o["candidate_score"].pk}, buyer_only=True),
    "api:engagement-stage-list": ListUrl(),
    "api:engagement-stage-detail": ObjectUrl(lambda o: {"pk": o["stage"].pk}),
    "api:cost-list": ObjectUrl(
        lambda o: {}, query=lambda o: {"partner": o["partner"].pk}, buyer_only=True
    ),
    "api:cost-what-if": ObjectUrl(
        lambda o: {}, query=lambda o: {"partner": o["partner"].pk}, buyer_only=True
    ),
    "health": NotTenantData("reports only whether the database and cache answer"),
    "api-schema": NotTenantData("the API's description, the same for everyone"),
    "api-docs": NotTenantData("the API's documentation page"),
}
# Third-party URLs: allauth's login pages act on the signed-in user only; the admin is for
# superusers and has its own permission checks.
THIRD_PARTY_PREFIXES = ("accounts/", "admin/")


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(THIRD_PARTY_PREFIXES):
                continue
            inner = entry.namespace or namespace
            if entry.namespace and namespace:
                inner = f"{namespace}:{entry.namespace}"
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_url_is_covered() -> None:
    names = set(_walk(get_resolver().url_patterns))
    assert names - set(URLS) == set(), "add the new URL to URLS in this test"
    assert set(URLS) - names == set(), "remove URLs that no longer exist"


@pytest.fixture
def objects(world, buyer_pm, outsider_pm, other_partner_lead) -> dict[str, dict[str, Any]]:
    """One object of each kind for Quetzal (the other partner) and for Globex (the other
    account)."""

    def tokens_for(user):
        membership = Membership.objects.get(user=user)
        token, _ = api_token_create(
            viewer=viewer_for_membership(membership), name="Nightly", partner=None, read_only=True
        )
        return token

    def kpi_objects(partner, agent):
        kind = InteractionType.objects.get_or_create(
            account=partner.account, code="billing", defaults={"name": "Billing"}
        )[0]
        return {
            "batch": ImportBatch.objects.create(
                account=partner.account, partner=partner, kind="interactions", source="upload",
                status="failed", file_name="secret.csv", file=ContentFile(b"x", name="x.csv"),
            ),
            "snapshot": KpiSnapshot.objects.create(
                partner=partner, channel="chat", period_type="month",
                period_start=date(2026, 10, 1), contacts=3,
            ),
            "interaction": Interaction.objects.create(
                partner=partner, agent=agent, channel="chat", interaction_type=kind,
                external_id=f"SECRET-{partner.name[:3]}", opened_at=clock.now(),
            ),
        }  # fmt: skip

    def sla_objects(partner):
        """A contract whose October settled with a remediation plan, and all around it."""
        tag = f"SECRET-{partner.name[:3]}"
        contract = make_contract(partner, name=f"{tag} contract")
        sla = make_sla(contract, name=f"{tag} SLA")
        governed = govern_template(sla, "chat", "csat")
        month_snapshot(partner, "chat", date(2026, 10, 1), contacts=900, csat_n=300,
                       csat_positive=200)  # fmt: skip
        evaluate_contract_month(contract, date(2026, 10, 1), date(2026, 11, 5))
        plan = RemediationPlan.objects.get(partner=partner)
        review = QuarterlyReview.objects.create(
            account=partner.account, partner=partner, quarter_start=date(2026, 10, 1),
            opened_at=clock.now(),
        )  # fmt: skip
        qbr_item = ActionItem.objects.create(
            review=review, description=f"{tag} QBR action", side="partner",
            owner=UserFactory(email=f"owner-{partner.pk}@example.test"), due_date=date(2026, 12, 1),
            created_at=clock.now(), updated_at=clock.now(),
        )  # fmt: skip
        plan.actions = f"{tag} actions"
        plan.save()
        return {
            "contract": contract,
            "sla": sla,
            "governed": governed,
            "settlement": Settlement.objects.get(contract=contract),
            "band_status": BandStatus.objects.get(governed=governed),
            "plan": plan,
            "qbr_item": qbr_item,
            "exit_criterion": ExitCriterion.objects.create(
                contract=contract, kpi="csat", comparison="below", threshold=80,
                period_type="quarter", periods=2,
            ),
        }  # fmt: skip

    def calibration_objects(partner, agent, pm):
        """A revealed session with an outcome, and a disputed buyer QA evaluation."""
        tag = f"SECRET-{partner.name[:3]}"
        pm_viewer = viewer_for_membership(Membership.objects.get(user=pm))
        # Rubrics are the account's: Harbor's lead may read Northwind's, never Globex's.
        name = f"{tag} rubric" if partner.account_id != world.account.pk else "Northwind QA"
        rubric = calibration_services.rubric_create(
            viewer=pm_viewer, name=name, channel="", criteria=CALIBRATION_CRITERIA
        )
        session = make_session(pm, partner, rubric, [(pm, "buyer")], items=1)
        item = session.items.get()
        calibration_services.score_save(
            viewer=pm_viewer, session=session, item=item,
            values={c.pk: Decimal(1) for c in session.version.criteria.all()},
        )  # fmt: skip
        calibration_services.submit(viewer=pm_viewer, session=session)
        outcome = calibration_services.outcome_add(
            viewer=pm_viewer, session=session, kind="policy", owner=pm,
            description=f"{tag} outcome", due_date=date(2026, 12, 1),
        )  # fmt: skip
        evaluation = calibration_services.evaluation_save(
            viewer=pm_viewer, agent=agent, version=session.version, external_id=f"{tag}-QA",
            channel="chat", values={c.pk: Decimal(1) for c in session.version.criteria.all()},
        )  # fmt: skip
        criterion = session.version.criteria.first()
        dispute = Dispute.objects.create(
            evaluation=evaluation, criterion=criterion, proposed_value=0, reason=f"{tag} reason",
            raised_by_label="lead", raised_at=clock.now(), value_before=1,
        )  # fmt: skip
        return {
            "rubric": rubric, "session": session, "outcome": outcome,
            "evaluation": evaluation, "dispute": dispute,
        }  # fmt: skip

    def engagement_objects(partner, pm):
        """A scope, a stage, and a selection with a scored, red-flagged candidate."""
        tag = f"SECRET-{partner.name[:3]}"
        pm_viewer = viewer_for_membership(Membership.objects.get(user=pm))
        kind = InteractionType.objects.get_or_create(
            account=partner.account, code="billing", defaults={"name": "Billing"}
        )[0]
        data = engagement_services.ScopeInput(
            monthly_volume=100, first_month=date(2026, 1, 1), shifts=["24_7"],
            lines=[engagement_services.LineInput("chat", kind, 100)], note=f"{tag} scope",
        )  # fmt: skip
        scope = engagement_services.scope_save(viewer=pm_viewer, data=data, partner=partner)
        selection = engagement_services.selection_create(viewer=pm_viewer, name=f"{tag} selection")
        engagement_services.scope_save(viewer=pm_viewer, data=data, selection=selection)
        candidate = engagement_services.candidate_save(
            viewer=pm_viewer,
            candidate=Candidate(
                selection=selection, name=f"{tag} candidate", delivery_model="offshore",
            ),
            rates=[
                engagement_services.RateInput(
                    channel="chat", pricing_model="per_hour", rate=Decimal(12)
                )
            ],
        )  # fmt: skip
        engagement_services.scores_save(
            viewer=pm_viewer, candidate=candidate,
            scores=[engagement_services.ScoreInput("floor_management", 4, f"{tag} evidence")],
        )  # fmt: skip
        flag = engagement_services.red_flag_add(
            viewer=pm_viewer, candidate=candidate, kind="other", note=f"{tag} flag"
        )
        stage = engagement_services.stage_start(
            viewer=pm_viewer, partner=partner,
            data=engagement_services.StageInput(
                kind="pilot", started_on=date(2026, 2, 1), description=f"{tag} pilot"
            ),
        )  # fmt: skip
        return {
            "scope": scope, "selection": selection, "candidate": candidate, "red_flag": flag,
            "stage": stage, "candidate_score": candidate.scores.get(),
        }  # fmt: skip

    pacific_member = Membership.objects.get(user=other_partner_lead)
    globex_member = MembershipFactory(
        user=UserFactory(email="analyst@globex.test"),
        account=world.other_account,
        role=Role.EXECUTIVE,
    )
    return {
        "pacific": {
            "partner": world.pacific,
            "agent": world.pacific_agent,
            "membership": pacific_member,
            "invitation": make_invitation(
                account=world.account,
                email="new@pacific.test",
                role=Role.PARTNER_VIEWER,
                partner=world.pacific,
            )[0],
            "token": tokens_for(buyer_pm),
            **kpi_objects(world.pacific, world.pacific_agent),
            **sla_objects(world.pacific),
            **calibration_objects(world.pacific, world.pacific_agent, buyer_pm),
            **engagement_objects(world.pacific, buyer_pm),
        },
        "globex": {
            "partner": world.zanzibar,
            "agent": world.zanzibar_agent,
            "membership": globex_member,
            "invitation": make_invitation(account=world.other_account, email="x@globex.test")[0],
            "token": tokens_for(outsider_pm),
            **kpi_objects(world.zanzibar, world.zanzibar_agent),
            **sla_objects(world.zanzibar),
            **calibration_objects(world.zanzibar, world.zanzibar_agent, outsider_pm),
            **engagement_objects(world.zanzibar, outsider_pm),
        },
    }


OBJECT_URLS = [name for name, how in URLS.items() if isinstance(how, ObjectUrl)]
LIST_URLS = [name for name, how in URLS.items() if isinstance(how, ListUrl)]


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_partner_user_gets_404_for_another_partners_and_another_accounts_objects(
    name, objects, partner_lead, login
) -> None:
    how = URLS[name]
    client = login(partner_lead)
    for tenant in ("globex",) if how.account_wide else ("pacific", "globex"):
        response = how.call(client, name, objects[tenant])
        expected = {403} if how.buyer_only else {404}
        # A buyer-only page refuses the role before looking anything up: 403, no data either.
        assert response.status_code in expected | {404}, (name, tenant, response.status_code)
        assert b"Quetzal" not in response.content
        assert b"Zanzibar" not in response.content


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_buyer_gets_404_for_another_accounts_objects(name, objects, buyer_pm, login) -> None:
    how = URLS[name]
    response = how.call(login(buyer_pm), name, objects["globex"])
    assert response.status_code in ({403, 404} if how.partner_only else {404}), (
        name,
        response.status_code,
    )
    assert b"Zanzibar" not in response.content


@pytest.mark.parametrize("name", [n for n in OBJECT_URLS if n.startswith("api:")])
def test_api_token_of_one_account_gets_404_for_another_accounts_objects(
    name, objects, buyer_pm
) -> None:
    from rest_framework.test import APIClient

    how = URLS[name]
    membership = Membership.objects.get(user=buyer_pm)
    _, key = api_token_create(
        viewer=viewer_for_membership(membership), name="Sync", partner=None, read_only=False
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = how.call(client, name, objects["globex"])
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_never_show_another_partners_data_to_a_partner_user(
    name, objects, partner_lead, login
) -> None:
    how = URLS[name]
    assert isinstance(how, ListUrl)
    response = login(partner_lead).get(how.url(name))
    assert response.status_code == (403 if how.buyer_only else 200)
    for other in ("Quetzal", "Pablo Quetzal", "Zanzibar", "Zed Zanzibar", "Globex", "SECRET"):
        assert other.encode() not in response.content, (name, other)


@pytest.mark.parametrize("name", LIST_URLS)
def test_lists_never_show_another_accounts_data_to_a_buyer(name, objects, buyer_pm, login) -> None:
    how = URLS[name]
    assert isinstance(how, ListUrl)
    response = login(buyer_pm).get(how.url(name))
    assert response.status_code == 200
    for other in ("Zanzibar", "Zed Zanzibar", "Globex", "analyst@globex.test", "SECRET-Zan"):
        assert other.encode() not in response.content, (name, other)


@pytest.mark.parametrize(
    "name", ["home:home", "partners:partner-list", "api:partner-list", "api:agent-list"]
)
def test_lists_show_the_buyer_every_partner_of_its_account(name, objects, buyer_pm, login):
    content = login(buyer_pm).get(reverse(name)).content
    assert b"Harbor" in content
    assert b"Quetzal" in content


def test_objects_of_the_partner_users_own_partner_are_visible(world, partner_lead, login):
    client = login(partner_lead)
    assert client.get(reverse("home:partner-detail", args=[world.harbor.pk])).status_code == 200
    assert (
        client.get(reverse("partners:agent-detail", args=[world.harbor_agent.pk])).status_code
        == 200
    )


def test_revoking_another_accounts_token_changes_nothing(objects, buyer_pm, login):
    token = objects["globex"]["token"]
    login(buyer_pm).post(reverse("partners:api-token-revoke", args=[token.prefix]))
    assert ApiToken.objects.get(pk=token.pk).revoked is False


def test_withdrawing_another_accounts_invitation_changes_nothing(objects, buyer_pm, login):
    invitation = objects["globex"]["invitation"]
    login(buyer_pm).post(reverse("partners:invitation-revoke", args=[invitation.pk]))
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_a_contract_started_from_another_accounts_candidate_is_a_404(
    objects, buyer_pm, outsider_pm, partner_lead, login
):
    """`/contracts/new/?from_candidate=<id>` reads the chosen candidate through scoping:
    another account's is a 404 to a program manager, and partner users are refused the
    page."""
    url = reverse("sla:contract-create")
    ours, theirs = objects["pacific"]["candidate"], objects["globex"]["candidate"]
    for candidate, user in ((ours, buyer_pm), (theirs, outsider_pm)):
        engagement_services.candidate_choose(
            viewer=viewer_for_membership(Membership.objects.get(user=user)),
            candidate=candidate,
            today=clock.today(),
        )
    response = login(buyer_pm).get(url, {"from_candidate": theirs.pk})
    assert response.status_code == 404
    assert b"SECRET-Zan" not in response.content
    assert login(buyer_pm).get(url, {"from_candidate": ours.pk}).status_code == 200
    for candidate in (ours, theirs):
        response = login(partner_lead).get(url, {"from_candidate": candidate.pk})
        assert response.status_code == 403
        assert b"SECRET" not in response.content
