"""Benchmark: ingest N reads against N active hot-list entries with matching on,
beside raw COPY of the same reads, and the NCIC import of N records.

    python bench/bench_hotlists.py [N]        # default 1,000,000

Runs in its own database (``<DATABASE_URL's name>_bench``, dropped and created
afresh). Targets (issue 4): >= 20,000 reads/s with matching; NCIC import of
1 M records <= 60 s.
"""

import io
import os
import random
import string
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchenv import production_settings

BATCH = 10_000
ALPHABET = string.ascii_uppercase + string.digits
LOOKALIKE_SWAP = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S"}


def prepare_database() -> str:
    import psycopg2

    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_bench"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return name


def plate(rng: random.Random) -> str:
    return "".join(rng.choices(ALPHABET, k=7))


def ncic_line(number: int, plate_text: str) -> str:
    return f"V{number:09d}VA000000020261101{plate_text:<10}VA2026PC2019CHEVMAL4DBLK    "


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    production_settings()
    db_name = prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audits.context import Actor
    from hotlists import importing
    from hotlists.models import Alert, HotListEntry
    from queries.ingest import NewRead, store_reads
    from queries.models import Camera
    from queries.sql import INGEST_COLUMNS

    call_command("migrate", verbosity=0)
    print(f"benchmark size N={n:,} (database {db_name}, batches of {BATCH:,})")
    rng = random.Random(20261204)
    actor = Actor.system("bench_hotlists")
    camera = Camera.objects.create(device_id="BENCH-1", name="Bench camera")

    # --- NCIC import of N records -------------------------------------------------
    listed = [plate(rng) for _ in range(n)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "VEHEXTRT.txt"
        with path.open("w", newline="") as out:
            out.write("VEHEXTRT NCIC LPR EXTRACT BENCHMARK\r\n")
            for i, text in enumerate(listed):
                out.write(ncic_line(i, text) + "\r\n")
        started = time.perf_counter()
        report = importing.import_ncic_file(path, actor=actor)
        first_import = time.perf_counter() - started
        started = time.perf_counter()
        importing.import_ncic_file(path, actor=actor)
        replace_import = time.perf_counter() - started
    active = HotListEntry.objects.active().count()
    print(
        f"NCIC import of {report.imported:,} records into an empty list: "
        f"{first_import:.1f} s"
    )
    print(
        f"NCIC import replacing a list of {n:,} with {n:,}: {replace_import:.1f} s "
        f"(active entries now {active:,})"
    )

    # --- The reads: 1% exact hits, 0.5% look-alikes, the rest misses ---------------
    now = datetime.now(UTC)
    reads = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.01:
            text = rng.choice(listed)
        elif roll < 0.015:
            text = rng.choice(listed)
            spots = [k for k, ch in enumerate(text) if ch in LOOKALIKE_SWAP]
            if spots:
                k = rng.choice(spots)
                text = text[:k] + LOOKALIKE_SWAP[text[k]] + text[k + 1 :]
        else:
            text = plate(rng)
        reads.append(
            NewRead(
                captured_at=now - timedelta(seconds=(n - i) * 0.05),
                plate=text,
                state="VA",
                camera_id=camera.pk,
            )
        )
    from flockgov.db import partitions

    partitions.ensure_range(partitions.READS, reads[0].captured_at, now)

    # --- Raw COPY of the same reads (no staging, no matching) ----------------------
    def copy_text(read) -> str:
        values = []
        for column in INGEST_COLUMNS:
            value = getattr(read, column)
            if value is None:
                values.append(r"\N")
            elif isinstance(value, bool):
                values.append("t" if value else "f")
            elif isinstance(value, datetime):
                values.append(value.isoformat())
            else:
                values.append(str(value))
        return "\t".join(values)

    started = time.perf_counter()
    for start in range(0, n, BATCH):
        buffer = io.StringIO(
            "\n".join(copy_text(r) for r in reads[start : start + BATCH]) + "\n"
        )
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY queries_plateread ({', '.join(INGEST_COLUMNS)}) FROM STDIN",
                buffer,
            )
    raw_copy = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE queries_plateread")
        cursor.execute("VACUUM ANALYZE queries_plateread")
        cursor.execute("ANALYZE hotlists_hotlistentry")

    # --- store_reads without matching: what the ingest path costs by itself -------
    from hotlists import matching
    from queries.signals import reads_ingested

    reads_ingested.disconnect(dispatch_uid="hotlists.match_reads")
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        store_reads(reads[start : start + BATCH], actor=actor)
    unmatched = time.perf_counter() - started
    reads_ingested.connect(matching.match_reads, dispatch_uid="hotlists.match_reads")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE queries_plateread")
        cursor.execute("VACUUM ANALYZE queries_plateread")

    # --- store_reads with matching on --------------------------------------------
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        store_reads(reads[start : start + BATCH], actor=actor)
    matched = time.perf_counter() - started
    alerts = Alert.objects.count()
    exact = Alert.objects.filter(match_kind="exact").count()
    print(f"raw COPY of {n:,} reads: {raw_copy:.1f} s = {n / raw_copy:,.0f} reads/s")
    print(
        f"store_reads without matching: {unmatched:.1f} s = "
        f"{n / unmatched:,.0f} reads/s"
    )
    print(
        f"store_reads with matching against {active:,} entries: {matched:.1f} s = "
        f"{n / matched:,.0f} reads/s ({alerts:,} alerts: {exact:,} exact, "
        f"{alerts - exact:,} look-alike)"
    )
    ok_ingest = n / matched >= 20_000
    ok_import = first_import <= 60 * n / 1_000_000 and replace_import <= (
        60 * n / 1_000_000
    )
    print(
        f"targets: ingest >= 20,000 reads/s {'met' if ok_ingest else 'MISSED'}; "
        f"NCIC import <= 60 s per 1 M {'met' if ok_import else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
