"""The REST API under /api/v1/: one router for every app's endpoints."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from kpis.api.views import (
    AgentScorecardApi,
    ChannelScorecardApi,
    ImportBatchViewSet,
    InteractionViewSet,
    KpiSnapshotViewSet,
)
from partners.api.views import AgentViewSet, MeApi, PartnerViewSet

app_name = "api"

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("agents", AgentViewSet, basename="agent")
router.register("kpi-snapshots", KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("imports", ImportBatchViewSet, basename="import")

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("scorecards/channels/", ChannelScorecardApi.as_view(), name="scorecard-channels"),
    path("scorecards/agents/", AgentScorecardApi.as_view(), name="scorecard-agents"),
    *router.urls,
]
