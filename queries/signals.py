"""Signals about plate reads.

``reads_ingested`` is sent by ``queries.ingest.store_reads`` inside the transaction
that stored a batch, with ``reads`` (a list of ``queries.ingest.StoredRead``) and
``actor``. Hot-list matching and the daily statistics listen to it; a receiver that
raises rolls the batch back.
"""

import django.dispatch

reads_ingested = django.dispatch.Signal()
