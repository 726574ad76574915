from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "ori", "jurisdiction", "kind", "needs_classification")
    list_filter = ("jurisdiction", "kind", "needs_classification")
    search_fields = ("name", "ori")
