"""``manage.py check`` refuses a retention period above the statute, however the
setting was changed."""

from django.core import checks

from . import rules


@checks.register()
def retention_periods(app_configs, **kwargs):
    errors = []
    for getter in (rules.read_period_days, rules.audit_period_years):
        try:
            getter()
        except rules.RetentionSettingError as exc:
            errors.append(checks.Error(str(exc), id="retention.E001"))
    return errors
