from django.urls import path

from . import review_views, views

app_name = "audits"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("dashboard/", review_views.dashboard, name="dashboard"),
    path("dashboard/run/", review_views.run, name="run"),
    path("periods/<int:pk>/findings/", review_views.findings, name="findings"),
    path("periods/<int:pk>/records/", review_views.records, name="records"),
    path(
        "periods/<int:pk>/activity/<str:kind>/",
        review_views.activity_records,
        name="activity",
    ),
    path("periods/<int:pk>/sign/", review_views.sign, name="sign"),
    path(
        "periods/<int:pk>/report.<str:fmt>",
        review_views.report,
        name="report",
    ),
    path("findings/<int:pk>/", review_views.finding_detail, name="finding"),
    path("reviews/", review_views.review_queue, name="review-queue"),
    path("yearly/<int:year>.<str:fmt>", review_views.yearly, name="yearly"),
]
