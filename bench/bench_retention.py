"""Benchmark: purging one day of reads by partition drop versus DELETE.

Builds its own database (``fg_retention_bench`` unless ``--database``) with the
real plate-read table (``queries/sql.py``), fills ``--days`` daily partitions
with ``--per-day`` reads each using server-side ``generate_series`` (no rows
travel through Python), then, in the same run:

* exact-plate search p95 over the whole retention window (before);
* DELETE of every row of the oldest day, timed, then rolled back (the same rows
  the drop removes, so the two figures compare like with like);
* DELETE, COMMIT and VACUUM of the second day (same size): what it costs to make
  deleted rows leave the table's files, which a DELETE alone does not do;
* DETACH PARTITION ... CONCURRENTLY under a lock_timeout plus DROP TABLE of that
  day, timed, as ``retention.purge`` does it, with the commit (where the day's
  files are truncated and the file system frees their blocks) shown apart;
* exact-plate search p95 again (after).

Usage:  python bench/bench_retention.py [--days 21] [--per-day 1700000]
Needs DATABASE_URL pointing at a PostgreSQL server (only its server is used: the
bench database is created and dropped from the server's ``postgres`` database).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from queries.sql import CREATE_PLATE_READ_TABLE  # noqa: E402

DAY0 = "2026-11-01"  # Any UTC midnight; the data are synthetic.
SEARCHES = 200


def connect(url: str, dbname: str | None = None):
    parts = urlsplit(url)
    if dbname:
        parts = parts._replace(path=f"/{dbname}")
    conn = psycopg2.connect(urlunsplit(parts))
    conn.autocommit = True
    return conn


def plate_expr(n: str, day: str) -> str:
    # Deterministic synthetic plates: 3 letters + 4 digits from a hash of the
    # row number and day; ~ 17.6 M distinct values, so exact plates repeat a little
    # like real traffic does.
    return (
        f"upper(translate(substr(md5({n}::text || {day}::text), 1, 3), "
        "'0123456789', 'ghijklmnop')) || "
        f"lpad(((('x' || substr(md5({day}::text || {n}::text), 1, 7))::bit(28)::int)"
        " %% 10000)::text, 4, '0')"
    )


def search_p95(cur, plates: list[str], lo: str, hi: str) -> float:
    timings = []
    for plate in plates:
        start = time.perf_counter()
        cur.execute(
            "SELECT id, captured_at, plate, state, camera_id FROM queries_plateread "
            "WHERE plate = %s AND captured_at >= %s AND captured_at < %s "
            "ORDER BY captured_at DESC, id DESC LIMIT 500",
            [plate, lo, hi],
        )
        cur.fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(timings, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--per-day", type=int, default=1_700_000)
    parser.add_argument("--database", default="fg_retention_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    total = args.days * args.per_day
    print(f"size: days={args.days} per_day={args.per_day} rows={total}")

    admin = connect(url, "postgres")  # the server's own database, always there
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        cur.execute(f'CREATE DATABASE "{args.database}"')
    conn = connect(url, args.database)
    cur = conn.cursor()
    cur.execute("CREATE TABLE queries_camera (id bigint PRIMARY KEY)")
    cur.execute("INSERT INTO queries_camera SELECT generate_series(1, 40)")
    # Same table as the application; indexes are built after the load (as a
    # restore would), which is much faster than maintaining them row by row.
    ddl = CREATE_PLATE_READ_TABLE.split("CREATE INDEX")[0]
    indexes = [
        "CREATE INDEX" + part
        for part in CREATE_PLATE_READ_TABLE.split("CREATE INDEX")[1:]
    ]
    cur.execute(ddl)
    started = time.perf_counter()
    for day in range(args.days):
        cur.execute(
            f"""
            CREATE TABLE queries_plateread_d{day} PARTITION OF queries_plateread
            FOR VALUES FROM (timestamptz '{DAY0} 00:00+00' + interval '{day} days')
                         TO (timestamptz '{DAY0} 00:00+00' + interval '{day + 1} days')
            """
        )
        cur.execute(
            f"""
            INSERT INTO queries_plateread (captured_at, plate, state, camera_id,
                latitude, longitude, confidence, source)
            SELECT timestamptz '{DAY0} 00:00+00' + interval '{day} days'
                       + (g * (86400.0 / %s)) * interval '1 second',
                   {plate_expr("g", str(day))},
                   'VA', 1 + g %% 40, 36.69, -79.87, 0.9, 'bench'
            FROM generate_series(0, %s - 1) AS g
            """,
            [args.per_day, args.per_day],
        )
        print(
            f"  loaded day {day + 1}/{args.days} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    for statement in indexes:
        cur.execute(statement)
    cur.execute("VACUUM ANALYZE queries_plateread")
    print(f"generated and indexed in {time.perf_counter() - started:.0f} s")

    rng = random.Random(7)
    ids = [rng.randint(1, total) for _ in range(SEARCHES)]
    cur.execute("SELECT plate FROM queries_plateread WHERE id = ANY(%s)", [ids])
    plates = [row[0] for row in cur.fetchall()]
    lo = f"{DAY0} 00:00+00"
    cur.execute(f"SELECT timestamptz '{lo}' + interval '{args.days} days'")
    hi = cur.fetchone()[0].isoformat()
    search_p95(cur, plates, lo, hi)  # warm the cache; not counted
    before = search_p95(cur, plates, lo, hi)

    cur.execute("SELECT count(*) FROM queries_plateread_d0")
    day_rows = cur.fetchone()[0]
    conn.autocommit = False
    start = time.perf_counter()
    cur.execute(
        f"DELETE FROM queries_plateread WHERE captured_at >= '{lo}' "
        f"AND captured_at < timestamptz '{lo}' + interval '1 day'"
    )
    deleted = cur.rowcount
    delete_s = time.perf_counter() - start
    conn.rollback()
    conn.autocommit = True
    assert deleted == day_rows, (deleted, day_rows)

    conn.autocommit = False
    start = time.perf_counter()
    cur.execute(
        f"DELETE FROM queries_plateread WHERE captured_at >= timestamptz '{lo}' "
        f"+ interval '1 day' AND captured_at < timestamptz '{lo}' + interval '2 days'"
    )
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM queries_plateread_d1")
    delete_vacuum_s = time.perf_counter() - start

    start = time.perf_counter()
    cur.execute("SET lock_timeout = '5s'")
    cur.execute(
        "ALTER TABLE queries_plateread DETACH PARTITION queries_plateread_d0 "
        "CONCURRENTLY"
    )
    detach_s = time.perf_counter() - start
    # The DROP in a transaction of its own, to tell the catalogue work apart from
    # the commit, where PostgreSQL truncates the day's files and the file system
    # releases their blocks (on a volume mounted with online discard, TRIM).
    conn.autocommit = False
    dropping = time.perf_counter()
    cur.execute("DROP TABLE queries_plateread_d0")
    drop_statement_s = time.perf_counter() - dropping
    conn.commit()
    conn.autocommit = True
    drop_s = time.perf_counter() - start
    release_s = drop_s - detach_s - drop_statement_s
    search_p95(cur, plates, lo, hi)
    after = search_p95(cur, plates, lo, hi)

    print(f"rows_in_day={day_rows}")
    print(f"delete_seconds={delete_s:.3f}")
    print(f"delete_commit_vacuum_seconds={delete_vacuum_s:.3f}")
    print(f"detach_seconds={detach_s:.3f} drop_seconds={drop_s:.3f} (detach+drop)")
    print(
        f"  of which: detach {detach_s:.3f} s, DROP statement {drop_statement_s:.3f} s,"
        f" commit releasing the files {release_s:.3f} s"
    )
    print(f"ratio_delete={delete_s / drop_s:.1f}")
    print(f"ratio_delete_vacuum={delete_vacuum_s / drop_s:.1f}")
    catalogue_s = detach_s + drop_statement_s
    print(
        f"ratio_delete_to_catalogue_work={delete_s / catalogue_s:.0f} "
        "(the drop without the file system's release of the blocks)"
    )
    print(f"search_p95_ms_before={before:.2f} search_p95_ms_after={after:.2f}")
    conn.close()
    if not args.keep:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE "{args.database}"')
    admin.close()


if __name__ == "__main__":
    main()
