from django.urls import path

from . import pages, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("step-up/", views.step_up, name="step-up"),
    path("logout/", views.sign_out, name="logout"),
    path("password/", pages.password_change, name="password"),
    path("me/", pages.me, name="me"),
    path("me/recovery-codes/", pages.recovery_codes, name="recovery-codes"),
    path("manage/", pages.account_list, name="list"),
    path("manage/new/", pages.account_new, name="new"),
    path("manage/<int:pk>/", pages.account_detail, name="detail"),
    path("manage/<int:pk>/<slug:action>/", pages.account_action, name="action"),
    path("certificates/<int:pk>/file/", pages.certificate_file, name="certificate"),
    path("review/", pages.account_review, name="review"),
]
