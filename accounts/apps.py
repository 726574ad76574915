from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import receivers, signals  # noqa: F401  (connect the receivers)
        from .models import Officer

        # Bookkeeping that changes on every sign-in or request stays out of the
        # field history; the acts themselves (failures, locks, sessions) have their
        # own audit events.
        auditlog.register(
            Officer,
            exclude_fields=[
                "password",
                "last_login",
                "failed_attempts",
                "first_failed_at",
                "last_seen_at",
                "live_session_key",
                "live_session_ip",
            ],
        )
