from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def hours_minutes(value: timedelta | None) -> str:
    """``timedelta`` as ``5 h 07 min`` (time left on an entry)."""
    if value is None:
        return "no expiry (replaced by each import)"
    minutes = int(value.total_seconds() // 60)
    if minutes <= 0:
        return "expired"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@register.filter
def field_errors(errors: dict | None, name: str) -> list[str]:
    return (errors or {}).get(name, [])


@register.filter
def get(mapping: dict | None, key: str) -> str:
    return (mapping or {}).get(key, "")
