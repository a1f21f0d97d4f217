from django.urls import path

from engagements.views import candidates, costs, interaction_types, scope, selection, stages

app_name = "engagements"

urlpatterns = [
    # Scope of work
    path("partners/<int:pk>/scope/", scope.ScopeDetailView.as_view(), name="scope-detail"),
    path("partners/<int:pk>/scope/edit/", scope.ScopeEditView.as_view(), name="scope-edit"),
    path(
        "partners/<int:pk>/scope/v<int:version>/",
        scope.ScopeVersionView.as_view(),
        name="scope-version",
    ),
    path(
        "selections/<int:pk>/scope/edit/",
        scope.SelectionScopeEditView.as_view(),
        name="selection-scope-edit",
    ),
    path(
        "interaction-types/new/",
        interaction_types.InteractionTypeCreateView.as_view(),
        name="type-create",
    ),
    path(
        "interaction-types/standard/",
        interaction_types.StandardTypesView.as_view(),
        name="types-standard",
    ),
    # Engagement stages and gates
    path("partners/<int:pk>/engagement/", stages.TimelineView.as_view(), name="timeline"),
    path(
        "partners/<int:pk>/engagement/stages/new/",
        stages.StageCreateView.as_view(),
        name="stage-create",
    ),
    # Cost per resolved contact
    path("costs/", costs.CostOverviewView.as_view(), name="cost-overview"),
    path("partners/<int:pk>/costs/", costs.PartnerCostView.as_view(), name="costs"),
    # Partner selection
    path("selections/", selection.SelectionListView.as_view(), name="selection-list"),
    path("selections/new/", selection.SelectionCreateView.as_view(), name="selection-create"),
    path("selections/<int:pk>/", selection.SelectionDetailView.as_view(), name="selection-detail"),
    path(
        "selections/<int:pk>/edit/",
        selection.SelectionUpdateView.as_view(),
        name="selection-update",
    ),
    path(
        "selections/<int:pk>/candidates/new/",
        candidates.CandidateCreateView.as_view(),
        name="candidate-create",
    ),
    path(
        "candidates/<int:pk>/edit/",
        candidates.CandidateUpdateView.as_view(),
        name="candidate-update",
    ),
    path(
        "candidates/<int:pk>/score/",
        candidates.CandidateScoreView.as_view(),
        name="candidate-score",
    ),
    path(
        "candidates/<int:pk>/red-flags/", candidates.RedFlagAddView.as_view(), name="red-flag-add"
    ),
    path(
        "red-flags/<int:pk>/delete/", candidates.RedFlagDeleteView.as_view(), name="red-flag-delete"
    ),
    path(
        "candidates/<int:pk>/choose/",
        selection.CandidateChooseView.as_view(),
        name="candidate-choose",
    ),
]
