from django.http import HttpRequest

from flockgov import alarms


def ncic_banner(request: HttpRequest) -> dict[str, object]:
    """The stale-NCIC alarm, for the banner every signed-in officer sees."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    for alarm in alarms.active_alarms():
        if alarm["name"] == alarms.NCIC_STALE:
            return {"ncic_stale_alarm": alarm}
    return {}
