from django.urls import path

from sla.board_urls import urlpatterns as board_urlpatterns
from sla.views import contracts

app_name = "sla"

urlpatterns = [
    path("contracts/", contracts.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", contracts.ContractFormView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", contracts.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", contracts.ContractFormView.as_view(), name="contract-update"),
    path("contracts/<int:pk>/slas/new/", contracts.SlaCreateView.as_view(), name="sla-create"),
    path("contracts/<int:pk>/volumes/", contracts.VolumeEditView.as_view(), name="volume-edit"),
    path(
        "contracts/<int:pk>/exit-criteria/new/",
        contracts.ExitCriterionCreateView.as_view(),
        name="exit-create",
    ),
    path(
        "slas/<int:pk>/kpis/new/", contracts.GovernedKpiEditView.as_view(), name="governed-create"
    ),
    path(
        "slas/<int:pk>/kpis/template/",
        contracts.GovernedTemplateView.as_view(),
        name="governed-template",
    ),
    path("slas/<int:pk>/design/", contracts.BandDesignView.as_view(), name="band-design"),
    path("kpis/<int:pk>/edit/", contracts.GovernedKpiUpdateView.as_view(), name="governed-update"),
    path(
        "kpis/<int:pk>/delete/", contracts.GovernedKpiDeleteView.as_view(), name="governed-delete"
    ),
    *board_urlpatterns,
]
