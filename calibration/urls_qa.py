"""Rubric and QA evaluation pages (calibration.views.qa), included by calibration.urls in the
`calibration` namespace."""

from django.urls import path

from calibration.views import qa

urlpatterns = [
    path("calibration/rubrics/", qa.RubricListView.as_view(), name="rubric-list"),
    path("calibration/rubrics/new/", qa.RubricCreateView.as_view(), name="rubric-create"),
    path("calibration/rubrics/<int:pk>/", qa.RubricDetailView.as_view(), name="rubric-detail"),
    path("calibration/rubrics/<int:pk>/edit/", qa.RubricUpdateView.as_view(), name="rubric-update"),
    path("calibration/evaluations/", qa.EvaluationListView.as_view(), name="evaluation-list"),
    path(
        "calibration/evaluations/new/",
        qa.EvaluationCreateView.as_view(),
        name="evaluation-create",
    ),
    path(
        "calibration/evaluations/<int:pk>/",
        qa.EvaluationDetailView.as_view(),
        name="evaluation-detail",
    ),
    path(
        "calibration/evaluations/<int:pk>/disputes/new/",
        qa.DisputeRaiseView.as_view(),
        name="dispute-raise",
    ),
    path("calibration/disputes/", qa.DisputeListView.as_view(), name="dispute-list"),
    path(
        "calibration/disputes/<int:pk>/resolve/",
        qa.DisputeResolveView.as_view(),
        name="dispute-resolve",
    ),
    path(
        "calibration/partners/<int:pk>/settings/",
        qa.PartnerSettingsView.as_view(),
        name="partner-settings",
    ),
]
