from django.conf import settings
from django.http import HttpRequest


def department(request: HttpRequest) -> dict[str, object]:
    return {
        "department_name": settings.FLOCKGOV_DEPARTMENT_NAME,
        "department_time_zone": settings.TIME_ZONE,
    }
