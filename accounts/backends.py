"""Authentication backend: Django's, letting inactive accounts authenticate.

A correct password for a pending, suspended or disabled account is answered with
why it may not enter (and audited), rather than with "wrong password". Nothing else
changes: the request gate refuses every route to an inactive account and ends its
session (``flockgov.middleware``).
"""

from django.contrib.auth.backends import ModelBackend


class OfficerBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return True
