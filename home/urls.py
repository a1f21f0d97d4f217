from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("qbr/", views.QbrListView.as_view(), name="qbr-list"),
    path("qbr/<int:year>-Q<int:quarter>/", views.QbrQuarterView.as_view(), name="qbr-quarter"),
    path(
        "qbr/<int:year>-Q<int:quarter>/<int:partner>/",
        views.QbrPartnerView.as_view(),
        name="qbr-partner",
    ),
]
