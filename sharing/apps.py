from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing and the organisation registry"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Organisation

        auditlog.register(Organisation)
