from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "queries"
    verbose_name = "Plate reads and searches"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Camera, OffenseType, ProhibitedTerm

        for model in (Camera, OffenseType, ProhibitedTerm):
            auditlog.register(model)
