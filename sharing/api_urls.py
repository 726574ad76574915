from django.urls import path

from . import api

app_name = "sharing-api"

urlpatterns = [
    path("requests/", api.SharingRequestListCreate.as_view(), name="requests"),
    path("requests/<int:pk>/", api.SharingRequestDetail.as_view(), name="request"),
    path(
        "requests/<int:pk>/approve/",
        api.SharingRequestApprove.as_view(),
        name="approve",
    ),
    path(
        "requests/<int:pk>/decline/",
        api.SharingRequestDecline.as_view(),
        name="decline",
    ),
    path(
        "requests/<int:pk>/acknowledgment/",
        api.SharingRequestAcknowledge.as_view(),
        name="acknowledge",
    ),
    path(
        "requests/<int:pk>/disseminate/",
        api.SharingRequestDisseminate.as_view(),
        name="disseminate",
    ),
    path("approvals/", api.PendingApprovals.as_view(), name="approvals"),
    path("organisations/", api.OrganisationListCreate.as_view(), name="organisations"),
    path("disseminations/", api.DisseminationList.as_view(), name="disseminations"),
]
