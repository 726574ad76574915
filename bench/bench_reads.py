"""Benchmark: importing plate reads and searching them.

    python bench/bench_reads.py [N] [--searches K] [--keep]

Uses its own database (``fg_bench_reads`` on the server of ``DATABASE_URL``,
dropped and re-created, then migrated), generates N synthetic reads (default
1,000,000) across 50 cameras as a generic-layout CSV, and prints:

* raw COPY reads/s: the same reads copied straight into ``queries_plateread``
  (the limit an importer can approach), then the table is emptied;
* import reads/s through ``manage.py import_reads`` (the real command, checking
  every record, creating the cameras, storing in batches, announcing each batch to
  the ``reads_ingested`` listeners and writing the audit record);
* p50/p95 of K exact-plate and K wildcard searches (default 300 each) through
  ``queries.services.perform_search``, each with its ``Search`` row and audit record.

Targets at 1 M reads: import >= 20,000 reads/s, exact p95 <= 20 ms, wildcard
p95 <= 300 ms.
"""

import argparse
import io
import os
import random
import statistics
import string
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchenv import production_settings

BENCH_DB = "fg_bench_reads"
CAMERAS = 50


def _point_at_bench_database() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flockgov")
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return urlunsplit(parts._replace(path="/postgres"))


def _recreate_database(admin_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        name = sql.Identifier(BENCH_DB)
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    conn.close()


def _plate(rng: random.Random) -> str:
    letters = "".join(rng.choices(string.ascii_uppercase, k=3))
    digits = "".join(rng.choices(string.digits, k=4))
    return letters + digits


def generate(n: int, now: datetime, rng: random.Random) -> tuple[str, list[str]]:
    """A generic-layout CSV of ``n`` reads over the last 20 days, and the plates."""
    # A fleet of vehicles seen repeatedly, as on real roads: about five reads each.
    pool = [_plate(rng) for _ in range(max(n // 5, 1))]
    states = ["VA"] * 8 + ["NC", "TN", "MD", "WV"]
    cameras = [
        (f"BENCH-CAM-{i:02d}", 36.6 + i / 1000, -79.9 + i / 1000)
        for i in range(CAMERAS)
    ]
    span = timedelta(days=20).total_seconds()
    out = io.StringIO()
    out.write("plate,state,captured_at,camera,lat,lon,make,color,confidence\n")
    for _ in range(n):
        device, lat, lon = cameras[rng.randrange(CAMERAS)]
        at = now - timedelta(seconds=rng.random() * span)
        out.write(
            f"{rng.choice(pool)},{rng.choice(states)},"
            f"{at.strftime('%Y-%m-%dT%H:%M:%S')}Z,{device},{lat:.5f},{lon:.5f},"
            f"Ford,Blue,{rng.randint(60, 99)}\n"
        )
    return out.getvalue(), pool


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()

    production_settings()
    admin_url = _point_at_bench_database()
    _recreate_database(admin_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Officer
    from accounts.roles import Role
    from audits.context import Actor
    from flockgov.db import partitions
    from queries import criteria, services
    from queries.models import Camera, PlateRead
    from queries.sql import INGEST_COLUMNS

    call_command("migrate", verbosity=0)
    print(f"size: {args.n:,} reads across {CAMERAS} cameras", flush=True)
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    text, pool = generate(args.n, now, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-reads.csv"
        path.write_text(text)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB")

        # The limit: the same reads, already in COPY form, straight into the table.
        cameras = [
            Camera.objects.create(device_id=f"RAW-{i:02d}", name=f"RAW-{i:02d}")
            for i in range(CAMERAS)
        ]
        copy_buffer = io.StringIO()
        for line in text.splitlines()[1:]:
            plate, state, at, _device, lat, lon, make, color, conf = line.split(",")
            copy_buffer.write(
                f"{at}\t{plate}\tf\t{state}\t{rng.choice(cameras).pk}\t{lat}\t{lon}"
                f"\t{make}\t{color}\t{int(conf) / 100}\t\tbench\n"
            )
        copy_buffer.seek(0)
        partitions.ensure_range(
            partitions.READS, now - timedelta(days=21), now + timedelta(days=1)
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY queries_plateread ({', '.join(INGEST_COLUMNS)}) FROM STDIN",
                copy_buffer,
            )
        copy_seconds = time.perf_counter() - started
        del copy_buffer
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE queries_plateread")

        # The real command.
        started = time.perf_counter()
        call_command("import_reads", str(path), stdout=io.StringIO())
        import_seconds = time.perf_counter() - started
    stored = PlateRead.objects.count()
    assert stored == args.n, f"imported {stored} of {args.n}"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum does to freshly filled partitions soon after an import
        # (insert-triggered vacuum): statistics, and the trigram index's pending
        # list merged. Searched before that, wildcards scan the pending list.
        cursor.execute("VACUUM ANALYZE queries_plateread")
    vacuum_seconds = time.perf_counter() - started

    print(
        f"raw COPY: {args.n / copy_seconds:,.0f} reads/s "
        f"({copy_seconds:.1f} s for {args.n:,})"
    )
    print(
        f"import_reads: {args.n / import_seconds:,.0f} reads/s "
        f"({import_seconds:.1f} s for {args.n:,}; "
        f"{import_seconds / copy_seconds:.2f} x the raw COPY time)"
    )
    print(f"VACUUM ANALYZE afterwards: {vacuum_seconds:.1f} s")

    officer = Officer.objects.create_user(
        username="bench", password=None, role=Role.OFFICER
    )
    actor = Actor.for_officer(officer)

    def timed(plate: str) -> tuple[float, int]:
        wanted = criteria.validate(
            purpose="A",
            case_number="26-004512",
            offense_type="Robbery",
            justification="Benchmark of the search service",
            plate=plate,
            window_start=None,
            window_end=None,
        )
        began = time.perf_counter()
        outcome = services.perform_search(actor=actor, criteria=wanted)
        return (time.perf_counter() - began) * 1000, outcome.search.result_count

    exact = [rng.choice(pool) for _ in range(args.searches - args.searches // 10)]
    exact += [_plate(rng) for _ in range(args.searches // 10)]  # some never seen
    shapes = {
        "ABC*": lambda p: p[:3] + "*",
        "*123?": lambda p: "*" + p[3:6] + "?",
        "*BC12*": lambda p: "*" + p[1:5] + "*",
        "AB*34": lambda p: p[:2] + "*" + p[-2:],
        "A?C1*": lambda p: p[0] + "?" + p[2] + p[3] + "*",
    }
    names = list(shapes)
    wildcard = [
        (names[i % len(names)], shapes[names[i % len(names)]](rng.choice(pool)))
        for i in range(args.searches)
    ]
    for plate in exact[:5] + [p for _, p in wildcard[:5]]:  # warm the connection
        timed(plate)

    def report(label: str, plates: list[str]) -> None:
        times, counts = zip(*(timed(p) for p in plates), strict=True)
        print(
            f"{label} ({len(plates)}): p50 {percentile(list(times), 50):.1f} ms, "
            f"p95 {percentile(list(times), 95):.1f} ms, max {max(times):.1f} ms, "
            f"mean results {statistics.mean(counts):.1f}",
            flush=True,
        )

    report("exact search", exact)
    report("wildcard search, all shapes", [p for _, p in wildcard])
    for shape in names:
        report(f"  wildcard {shape}", [p for n, p in wildcard if n == shape])
    print(
        "targets: import >= 20,000 reads/s, exact p95 <= 20 ms, wildcard p95 <= 300 ms"
    )


if __name__ == "__main__":
    main()
