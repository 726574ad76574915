"""Showing values kept in audit records (ISO strings, ids) the way people read them."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def local_time(value: object) -> str:
    """An ISO-8601 instant from a record's data, in the department's zone.

    Criteria are stored as ISO strings (the record must read on its own); an
    officer and the Captain read them as local wall-clock times. Anything that is
    not an instant is shown as it is (and escaped by the template).
    """
    if not isinstance(value, str):
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


@register.filter
def lookup(mapping: object, key: object) -> object:
    """``mapping[key]``, or the key itself when the mapping does not know it."""
    if isinstance(mapping, dict):
        return mapping.get(key, key)
    return key
