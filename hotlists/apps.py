from django.apps import AppConfig


class HotlistsConfig(AppConfig):
    name = "hotlists"
    verbose_name = "Hot lists and alerts"

    def ready(self) -> None:
        from . import matching  # noqa: F401  (matches every stored batch of reads)
