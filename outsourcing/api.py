"""The REST API under /api/v1/: one router for every app's endpoints."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from calibration.api.views import (
    CalibrationSessionViewSet,
    DisputeViewSet,
    OutcomeItemViewSet,
    QaEvaluationViewSet,
    RubricViewSet,
    ScoreViewSet,
)
from engagements.api.views import (
    CandidateEvaluationViewSet,
    CandidateViewSet,
    CostViewSet,
    ScopeViewSet,
    StageViewSet,
)
from kpis.api.views import (
    AgentScorecardApi,
    ChannelScorecardApi,
    ImportBatchViewSet,
    InteractionViewSet,
    KpiSnapshotViewSet,
)
from partners.api.views import AgentViewSet, MeApi, PartnerViewSet
from sla.api.views import (
    BandStatusViewSet,
    ContractViewSet,
    ExitCriterionViewSet,
    RemediationPlanViewSet,
    SettlementViewSet,
    SlaViewSet,
)

app_name = "api"

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("agents", AgentViewSet, basename="agent")
router.register("kpi-snapshots", KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("imports", ImportBatchViewSet, basename="import")
router.register("contracts", ContractViewSet, basename="contract")
router.register("slas", SlaViewSet, basename="sla")
router.register("band-statuses", BandStatusViewSet, basename="band-status")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("remediation-plans", RemediationPlanViewSet, basename="remediation-plan")
router.register("exit-criteria", ExitCriterionViewSet, basename="exit-criterion")
router.register("rubrics", RubricViewSet, basename="rubric")
router.register("calibration-sessions", CalibrationSessionViewSet, basename="calibration-session")
router.register("scores", ScoreViewSet, basename="score")
router.register("outcome-items", OutcomeItemViewSet, basename="outcome-item")
router.register("qa-evaluations", QaEvaluationViewSet, basename="qa-evaluation")
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("scopes", ScopeViewSet, basename="scope")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("evaluations", CandidateEvaluationViewSet, basename="evaluation")
router.register("engagement-stages", StageViewSet, basename="engagement-stage")
router.register("costs", CostViewSet, basename="cost")

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("scorecards/channels/", ChannelScorecardApi.as_view(), name="scorecard-channels"),
    path("scorecards/agents/", AgentScorecardApi.as_view(), name="scorecard-agents"),
    *router.urls,
]
