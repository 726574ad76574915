from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.hold_list, name="holds"),
    path("open/", views.hold_open, name="open"),
    path("<int:pk>/", views.hold_detail, name="hold"),
    path("<int:pk>/extend/", views.hold_extend, name="extend"),
    path("<int:pk>/release/", views.hold_release, name="release"),
]
