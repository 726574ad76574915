"""The project's Celery app with a beat schedule for the two-beat fault test: the
purge every second, on a queue of the test's own (FLOCKGOV_TEST_PURGE_QUEUE), so
two beat processes send it many times over in a few seconds."""

import os

from flockgov.celery import app

app.conf.beat_schedule = {
    "purge-expired": {
        "task": "retention.tasks.purge_expired",
        "schedule": 1.0,
        "options": {"expires": 5, "queue": os.environ["FLOCKGOV_TEST_PURGE_QUEUE"]},
    }
}
