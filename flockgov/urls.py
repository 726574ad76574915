from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

admin.site.login = views.admin_login

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/passkeys/", include("accounts.passkeys")),
    path("accounts/", include("accounts.urls")),
    path("", include("queries.urls")),
    path("audit/", include("audits.urls")),
    path("sharing/", include("sharing.urls")),
    path("api/v1/sharing/", include("sharing.api_urls")),
    path("transparency/", include("audits.public_urls")),
    path("holds/", include("retention.urls")),
    path("", include("hotlists.urls")),
    path("api/v1/", include("queries.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]
