from django.urls import path

from . import api, views

app_name = "hotlists"

urlpatterns = [
    path("hotlists/", views.index, name="index"),
    path("hotlists/new/", views.create_list, name="create"),
    path("hotlists/<int:pk>/", views.detail, name="detail"),
    path("hotlists/<int:pk>/entries/", views.add_entry, name="add-entry"),
    path("hotlists/entries/<int:pk>/verify/", views.reverify, name="reverify"),
    path("hotlists/entries/<int:pk>/remove/", views.remove, name="remove"),
    path("hotlists/entries/<int:pk>/history/", views.history, name="history"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/feed/", views.alert_feed, name="alert-feed"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/disposition/", views.dispose, name="dispose"),
    path("alerts/<int:pk>/stop/", views.stop, name="stop"),
    # Machine ingest: per-source key, no officer session (see hotlists/api.py).
    path("api/v1/reads/", api.ReadIngest.as_view(), name="reads-ingest"),
]
