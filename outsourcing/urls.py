from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from outsourcing import views

urlpatterns = [
    path("", include("home.urls")),
    path("", include("partners.urls")),
    path("", include("kpis.urls")),
    path("", include("sla.urls")),
    path("", include("calibration.urls")),
    path("", include("engagements.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("api/v1/", include("outsourcing.api", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "outsourcing.views.handler403"
handler404 = "outsourcing.views.handler404"
handler500 = "outsourcing.views.handler500"
