"""Calibration pages, in the `calibration` namespace: sessions, scoring and debriefs, then
rubrics, QA evaluations and disputes, and a partner's calibration settings."""

from django.urls import path

from calibration.views import debrief, evaluations, partner_settings, rubrics, scoring, sessions

app_name = "calibration"

SESSION = "calibration/sessions/<int:pk>"

urlpatterns = [
    # Sessions
    path("calibration/", sessions.OverviewView.as_view(), name="overview"),
    path("calibration/sessions/", sessions.SessionListView.as_view(), name="session-list"),
    path("calibration/sessions/new/", sessions.SessionCreateView.as_view(), name="session-create"),
    path(f"{SESSION}/", sessions.SessionDetailView.as_view(), name="session-detail"),
    path(f"{SESSION}/draw/", sessions.SessionDrawView.as_view(), name="session-draw"),
    path(f"{SESSION}/items/add/", sessions.SessionItemAddView.as_view(), name="session-item-add"),
    path(
        f"{SESSION}/reviewers/add/",
        sessions.SessionReviewerAddView.as_view(),
        name="session-reviewer-add",
    ),
    path(
        f"{SESSION}/close-scoring/",
        sessions.SessionCloseScoringView.as_view(),
        name="session-close-scoring",
    ),
    path(f"{SESSION}/submit/", sessions.SessionSubmitView.as_view(), name="session-submit"),
    # The debrief and its outcome items
    path(f"{SESSION}/consensus/", debrief.SessionConsensusView.as_view(), name="session-consensus"),
    path(f"{SESSION}/outcomes/add/", debrief.OutcomeAddView.as_view(), name="outcome-add"),
    path(f"{SESSION}/no-action/", debrief.SessionNoActionView.as_view(), name="session-no-action"),
    path(f"{SESSION}/close/", debrief.SessionCloseView.as_view(), name="session-close"),
    path("calibration/outcomes/", debrief.OutcomeListView.as_view(), name="outcome-list"),
    path(
        "calibration/outcomes/<int:pk>/update/",
        debrief.OutcomeUpdateView.as_view(),
        name="outcome-update",
    ),
    # Scoring
    path(f"{SESSION}/score/", scoring.ScoringView.as_view(), name="scoring"),
    path(f"{SESSION}/score/save/", scoring.ScoringSaveView.as_view(), name="scoring-save"),
    # Rubrics
    path("calibration/rubrics/", rubrics.RubricListView.as_view(), name="rubric-list"),
    path("calibration/rubrics/new/", rubrics.RubricCreateView.as_view(), name="rubric-create"),
    path("calibration/rubrics/<int:pk>/", rubrics.RubricDetailView.as_view(), name="rubric-detail"),
    path(
        "calibration/rubrics/<int:pk>/edit/",
        rubrics.RubricUpdateView.as_view(),
        name="rubric-update",
    ),
    # QA evaluations and disputes
    path(
        "calibration/evaluations/",
        evaluations.EvaluationListView.as_view(),
        name="evaluation-list",
    ),
    path(
        "calibration/evaluations/new/",
        evaluations.EvaluationCreateView.as_view(),
        name="evaluation-create",
    ),
    path(
        "calibration/evaluations/<int:pk>/",
        evaluations.EvaluationDetailView.as_view(),
        name="evaluation-detail",
    ),
    path(
        "calibration/evaluations/<int:pk>/disputes/new/",
        evaluations.DisputeRaiseView.as_view(),
        name="dispute-raise",
    ),
    path("calibration/disputes/", evaluations.DisputeListView.as_view(), name="dispute-list"),
    path(
        "calibration/disputes/<int:pk>/resolve/",
        evaluations.DisputeResolveView.as_view(),
        name="dispute-resolve",
    ),
    # A partner's settings
    path(
        "calibration/partners/<int:pk>/settings/",
        partner_settings.PartnerSettingsView.as_view(),
        name="partner-settings",
    ),
]
