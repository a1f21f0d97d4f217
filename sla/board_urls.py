"""Settlements and the remediation board (sla.views.board)."""

from django.urls import path

from sla.views import board

urlpatterns = [
    path("settlements/", board.SettlementListView.as_view(), name="settlement-list"),
    path("settlements/<int:pk>/", board.SettlementDetailView.as_view(), name="settlement-detail"),
    path(
        "settlements/<int:pk>/approve/",
        board.SettlementApproveView.as_view(),
        name="settlement-approve",
    ),
    path(
        "settlements/<int:pk>/recompute/",
        board.SettlementRecomputeView.as_view(),
        name="settlement-recompute",
    ),
    path("remediation/", board.RemediationBoardView.as_view(), name="remediation-board"),
    path("remediation/<int:pk>/", board.PlanDetailView.as_view(), name="plan-detail"),
]
