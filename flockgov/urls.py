from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("", include("queries.urls")),
    path("audit/", include("audits.urls")),
    path("", include("hotlists.urls")),
    path("api/v1/", include("queries.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
