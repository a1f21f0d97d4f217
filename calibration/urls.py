"""Calibration pages: sessions (calibration.views.sessions) here, rubrics and QA evaluations
in calibration.urls_qa."""

from django.urls import path

from calibration.urls_qa import urlpatterns as qa_urlpatterns
from calibration.views import sessions

app_name = "calibration"

urlpatterns = [
    path("calibration/", sessions.OverviewView.as_view(), name="overview"),
    path("calibration/sessions/", sessions.SessionListView.as_view(), name="session-list"),
    path("calibration/sessions/new/", sessions.SessionCreateView.as_view(), name="session-create"),
    path(
        "calibration/sessions/<int:pk>/",
        sessions.SessionDetailView.as_view(),
        name="session-detail",
    ),
    path(
        "calibration/sessions/<int:pk>/draw/",
        sessions.SessionDrawView.as_view(),
        name="session-draw",
    ),
    path(
        "calibration/sessions/<int:pk>/items/add/",
        sessions.SessionItemAddView.as_view(),
        name="session-item-add",
    ),
    path(
        "calibration/sessions/<int:pk>/reviewers/add/",
        sessions.SessionReviewerAddView.as_view(),
        name="session-reviewer-add",
    ),
    path(
        "calibration/sessions/<int:pk>/close-scoring/",
        sessions.SessionCloseScoringView.as_view(),
        name="session-close-scoring",
    ),
    path(
        "calibration/sessions/<int:pk>/submit/",
        sessions.SessionSubmitView.as_view(),
        name="session-submit",
    ),
    path(
        "calibration/sessions/<int:pk>/consensus/",
        sessions.SessionConsensusView.as_view(),
        name="session-consensus",
    ),
    path(
        "calibration/sessions/<int:pk>/outcomes/add/",
        sessions.OutcomeAddView.as_view(),
        name="outcome-add",
    ),
    path(
        "calibration/sessions/<int:pk>/no-action/",
        sessions.SessionNoActionView.as_view(),
        name="session-no-action",
    ),
    path(
        "calibration/sessions/<int:pk>/close/",
        sessions.SessionCloseView.as_view(),
        name="session-close",
    ),
    path("calibration/sessions/<int:pk>/score/", sessions.ScoringView.as_view(), name="scoring"),
    path(
        "calibration/sessions/<int:pk>/score/save/",
        sessions.ScoringSaveView.as_view(),
        name="scoring-save",
    ),
    path("calibration/outcomes/", sessions.OutcomeListView.as_view(), name="outcome-list"),
    path(
        "calibration/outcomes/<int:pk>/update/",
        sessions.OutcomeUpdateView.as_view(),
        name="outcome-update",
    ),
    *qa_urlpatterns,
]
