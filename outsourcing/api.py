"""The REST API under /api/v1/: one router for every app's endpoints."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from partners.api.views import AgentViewSet, MeApi, PartnerViewSet

app_name = "api"

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("agents", AgentViewSet, basename="agent")

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    *router.urls,
]
