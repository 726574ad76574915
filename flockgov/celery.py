"""The Celery application; its beat schedule lives in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flockgov.settings")

app = Celery("flockgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
