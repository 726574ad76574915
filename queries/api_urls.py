from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("searches/", api.SearchListCreate.as_view(), name="searches"),
]
