from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.request_list, name="requests"),
    path("new/", views.request_new, name="request-new"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("<int:pk>/approve/", views.request_approve, name="approve"),
    path("<int:pk>/decline/", views.request_decline, name="decline"),
    path("<int:pk>/acknowledgment/", views.request_acknowledge, name="acknowledge"),
    path("<int:pk>/disseminate/", views.request_disseminate, name="disseminate"),
    path("<int:pk>/document/", views.request_document, name="document"),
    path("approvals/", views.approvals, name="approvals"),
    path("registry/", views.registry, name="registry"),
    path("log/", views.dissemination_log, name="log"),
    path("foia/", views.foia, name="foia"),
    path("vendor-access/", views.vendor_access, name="vendor-access"),
    path("grants/", views.grants, name="grants"),
    path("grants/approve-settings/", views.approve_settings, name="approve-settings"),
    path("export/search/<int:search_id>/", views.export_search, name="export-search"),
    path("export/audit/", views.export_audit, name="export-audit"),
]
