from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Notice, Officer


@admin.register(Officer)
class OfficerAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "badge_number",
        "is_active",
    )
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "badge_number", "email")
    fieldsets = (
        *UserAdmin.fieldsets,
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
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (
            "Department",
            {"fields": ("first_name", "last_name", "email", "role", "badge_number")},
        ),
    )


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "level", "created_at", "read_at")
    list_filter = ("level",)
