"""The Django admin for accounts: for looking, and for fields no rule governs.

Status, activation, lockout, training and second factors change only through the
account pages (``accounts.pages``), whose services enforce who may do what and
audit it; here they are read-only. django-otp's own device admins are removed:
flockgov does not use those device types (plain-text static tokens, unsealed TOTP
seeds). The whole admin site sits behind the second factor (flockgov.middleware).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Notice, Officer, SealedTOTPDevice, TrainingCertificate

for model in (StaticDevice, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

STATUS_FIELDS = (
    "is_active",
    "status",
    "suspension_kind",
    "status_changed_at",
    "status_changed_by",
    "status_reason",
    "status_reference",
    "activation_prepared_by",
    "activation_prepared_at",
    "activated_by",
    "activated_at",
    "failed_attempts",
    "first_failed_at",
    "locked_at",
    "password_changed_at",
    "must_change_password",
    "retraining_due_by",
    "last_seen_at",
    "last_login",
    "date_joined",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Officer)
class OfficerAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "badge_number",
        "status",
        "locked_at",
    )
    list_filter = ("role", "status")
    search_fields = ("username", "first_name", "last_name", "badge_number", "email")
    # Role and admin-site access change only through ``services.change_role``
    # (the account page), which keeps staff status in step with the role.
    readonly_fields = (*STATUS_FIELDS, "role", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        (
            "Department",
            {
                "fields": (
                    "role",
                    "badge_number",
                    "supervisor",
                    "shift_start",
                    "shift_end",
                )
            },
        ),
        ("Status (change it on the account pages)", {"fields": STATUS_FIELDS}),
        ("Admin site access", {"fields": ("is_staff", "is_superuser")}),
    )

    def has_add_permission(self, request) -> bool:
        # Accounts are created on /accounts/manage/new/, pending until activated.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Audit records point at accounts; deactivate instead.
        return False


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(ReadOnlyAdmin):
    list_display = ("officer", "course", "completed_on", "expires_on")
    search_fields = ("officer__username", "issuer_reference")
    exclude = ("file",)


@admin.register(SealedTOTPDevice)
class SealedTOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = ("user", "name", "confirmed", "key_id", "created_at", "last_used_at")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "level", "created_at", "read_at")
    list_filter = ("level",)
