"""Signals other apps listen to, so the audit work and the accounts work stay apart.

``violation_confirmed`` is sent (inside the transaction that records it) when the
Captain or an administrator closes a finding as a policy violation. The accounts
app suspends the officer's account in response (§7.B.2); only the Chief restores it.
Keyword arguments: ``finding`` (the finding), ``officer`` (the account concerned),
``actor`` (an ``audits.context.Actor``), ``reference`` (text naming the finding).
"""

import django.dispatch

violation_confirmed = django.dispatch.Signal()
