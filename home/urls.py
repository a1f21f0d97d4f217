from django.urls import path

from home import views

app_name = "home"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
]
