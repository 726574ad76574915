"""The only purposes for which the system may be used (policy §3, Code of Virginia
§ 2.2-5517). Searches, hot-list entries and shares each name one."""

from django.db import models


class Purpose(models.TextChoices):
    CRIMINAL_INVESTIGATION = (
        "A",
        (
            "A: criminal investigation of a violation of state law or a local "
            "ordinance, with reasonable suspicion that a crime was committed"
        ),
    )
    MISSING_OR_TRAFFICKING = (
        "B",
        (
            "B: active investigation of a missing or endangered person (including "
            "whether to issue an alert) or of human trafficking"
        ),
    )
    NOTIFICATION = (
        "C",
        (
            "C: follow-up of a notification about a missing or endangered person, an "
            "outstanding warrant, human trafficking, a stolen vehicle or a stolen plate"
        ),
    )

    @property
    def short_label(self) -> str:
        return {
            "A": "Criminal investigation",
            "B": "Missing/endangered person or trafficking",
            "C": "Notification follow-up",
        }[self.value]


# A case or incident number is mandatory for these purposes.
CASE_NUMBER_REQUIRED = frozenset(
    {Purpose.CRIMINAL_INVESTIGATION, Purpose.MISSING_OR_TRAFFICKING}
)
