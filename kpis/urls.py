from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportCreateView.as_view(), name="import-create"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/status/", views.ImportStatusView.as_view(), name="import-status"),
    path(
        "imports/<int:pk>/problems.csv",
        views.ImportProblemsCsvView.as_view(),
        name="import-problems",
    ),
    path("imports/<int:pk>/retry/", views.ImportRetryView.as_view(), name="import-retry"),
    path("partners/<int:pk>/columns/<str:kind>/", views.MappingView.as_view(), name="mapping"),
    path("scorecards/", views.scorecards_home, name="scorecards"),
    path("scorecards/weekly/", views.WeeklyScorecardView.as_view(), name="weekly"),
    path(
        "partners/<int:pk>/scorecard/",
        views.ChannelScorecardView.as_view(),
        name="scorecard-channels",
    ),
    path(
        "partners/<int:pk>/scorecard/agents/",
        views.AgentScorecardView.as_view(),
        name="scorecard-agents",
    ),
    path("partners/<int:pk>/contacts/", views.InteractionListView.as_view(), name="interactions"),
    path("agents/<int:pk>/scorecard/", views.AgentKpiView.as_view(), name="agent-scorecard"),
]
