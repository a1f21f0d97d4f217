"""The SLA pages: contracts, SLAs and their bands, band design, settlements and the
remediation board."""

from django.urls import path

from sla.views import contracts, design, remediation, settlements, slas

app_name = "sla"

urlpatterns = [
    # Contracts
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", contracts.ContractFormView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", contracts.ContractFormView.as_view(), name="contract-update"),
    path("contracts/<int:pk>/slas/new/", slas.SlaCreateView.as_view(), name="sla-create"),
    path("contracts/<int:pk>/volumes/", contracts.VolumeEditView.as_view(), name="volume-edit"),
    path(
        "contracts/<int:pk>/exit-criteria/new/",
        contracts.ExitCriterionCreateView.as_view(),
        name="exit-create",
    ),
    # SLAs and their bands
    path("slas/<int:pk>/kpis/new/", slas.GovernedKpiEditView.as_view(), name="governed-create"),
    path(
        "slas/<int:pk>/kpis/template/",
        slas.GovernedTemplateView.as_view(),
        name="governed-template",
    ),
    path("slas/<int:pk>/design/", design.BandDesignView.as_view(), name="band-design"),
    path("kpis/<int:pk>/edit/", slas.GovernedKpiUpdateView.as_view(), name="governed-update"),
    path("kpis/<int:pk>/delete/", slas.GovernedKpiDeleteView.as_view(), name="governed-delete"),
    # Settlements
    path("settlements/", settlements.SettlementListView.as_view(), name="settlement-list"),
    path(
        "settlements/<int:pk>/",
        settlements.SettlementDetailView.as_view(),
        name="settlement-detail",
    ),
    path(
        "settlements/<int:pk>/approve/",
        settlements.SettlementApproveView.as_view(),
        name="settlement-approve",
    ),
    path(
        "settlements/<int:pk>/recompute/",
        settlements.SettlementRecomputeView.as_view(),
        name="settlement-recompute",
    ),
    # Remediation
    path("remediation/", remediation.RemediationBoardView.as_view(), name="remediation-board"),
    path("remediation/<int:pk>/", remediation.PlanDetailView.as_view(), name="plan-detail"),
]
