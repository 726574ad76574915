from django.urls import path

from . import views

app_name = "queries"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("searches/mine/", views.my_searches, name="my-searches"),
]
