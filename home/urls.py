from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("qbr/", views.QbrListView.as_view(), name="qbr-list"),
    path("qbr/actions/", views.QbrActionsView.as_view(), name="qbr-actions"),
    path("qbr/actions/<int:pk>/", views.QbrItemUpdateView.as_view(), name="qbr-item-update"),
    path("qbr/<int:year>-Q<int:quarter>/", views.QbrQuarterView.as_view(), name="qbr-quarter"),
    path(
        "qbr/<int:year>-Q<int:quarter>/<slug:table>.csv",
        views.QbrCsvView.as_view(),
        name="qbr-csv",
    ),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/",
        views.QbrPartnerView.as_view(),
        name="qbr-partner",
    ),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/open/",
        views.QbrOpenView.as_view(),
        name="qbr-open",
    ),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/publish/",
        views.QbrPublishView.as_view(),
        name="qbr-publish",
    ),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/health/",
        views.QbrHealthScoreView.as_view(),
        name="qbr-health",
    ),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/actions/",
        views.QbrItemAddView.as_view(),
        name="qbr-item-add",
    ),
]
