from django.contrib import admin

from .models import Camera, OffenseType, ProhibitedTerm


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "device_id",
        "kind",
        "location",
        "installed_on",
        "removed_on",
    )
    list_filter = ("kind",)
    search_fields = ("name", "device_id", "location")

    def has_delete_permission(self, request, obj=None) -> bool:
        # A camera leaves service with ``removed_on``; the database refuses
        # deletion (reads, alerts and searches name it).
        return False


@admin.register(OffenseType)
class OffenseTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)


@admin.register(ProhibitedTerm)
class ProhibitedTermAdmin(admin.ModelAdmin):
    list_display = ("term", "category", "active")
    list_filter = ("category", "active")
