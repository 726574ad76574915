from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import receivers, signals  # noqa: F401  (connect the receivers)
        from .models import Officer

        auditlog.register(
            Officer,
            exclude_fields=["password", "last_login"],
        )
