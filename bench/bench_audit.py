"""Benchmark of the Captain's audit at size N (default 1,000,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fg_audits_bench \\
    REDIS_URL=redis://127.0.0.1:6379/14 python bench/bench_audit.py 1000000

Loads N searches into one month (2026-10, 200 officers, a realistic mix of
reasons) and N hash-chained audit records into a database of its own (created if
missing, migrated), then times ``monthly_audit``, the dashboard's response (in
Django's test client, then its first paint in headless Chromium against gunicorn)
and ``verify_audit_trail``. Prints the size it ran at and each figure.
"""

import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import psycopg2
from benchenv import production_settings

production_settings()

REASONS = [
    "Vehicle seen leaving the burglary on Church St",
    "Stolen vehicle report, owner called this morning",
    "Robbery suspect vehicle described by the victim",
    "Missing juvenile last seen in a grey sedan",
    "Hit and run on Commonwealth Blvd, partial plate",
    "Warrant service, vehicle registered to the subject",
    "investigation",
    "inv",
    "bolo",
    "Larceny from vehicle, neighbour camera shows plate",
    "Follow up of stolen plate alert on Starling Ave",
    "Assault suspect fled in a pickup, witness plate",
]


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main(n: int) -> None:
    url = os.environ["DATABASE_URL"]
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.models import Officer
    from accounts.roles import Role
    from audits.models import AuditEvent
    from queries.models import Search
    from tests.conftest import make_account

    print(f"size={n}", flush=True)
    captain = Officer.objects.filter(username="benchcaptain").first()
    if captain is None:
        captain = make_account("benchcaptain", Role.CAPTAIN)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audits_finding, audits_auditperiod CASCADE")
    if Search.objects.count() == n and AuditEvent.objects.count() >= n:
        print("reusing the searches and audit records already loaded", flush=True)
    else:
        load(n)
    run_timings(captain)


def load(n: int) -> None:
    from django.db import connection

    from accounts.models import Officer
    from accounts.roles import Role
    from audits.models import GENESIS_HASH, AuditEvent
    from flockgov.db import partitions

    with connection.cursor() as cursor:
        # Other apps (sharing) refer to searches; this database is the bench's own.
        cursor.execute("TRUNCATE queries_search CASCADE")
        cursor.execute("ALTER TABLE audits_auditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audits_auditevent")
        cursor.execute("ALTER TABLE audits_auditevent ENABLE TRIGGER USER")
    officers = [
        o
        for o in Officer.objects.filter(username__startswith="bench")
        if o.username != "benchcaptain"
    ]
    for i in range(len(officers), 200):
        officers.append(
            Officer.objects.create_user(
                username=f"bench{i:03d}", password=None, role=Role.OFFICER
            )
        )
    rng = random.Random(7)
    month_start = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # local midnight
    span = 31 * 86400 - 1
    t0 = time.monotonic()
    buf = io.StringIO()
    for i in range(n):
        # Mostly daytime (local), a tenth at night, as a patrol department works.
        hour = rng.randint(6, 21) if rng.random() < 0.9 else rng.choice([23, 0, 2, 4])
        at = month_start + timedelta(
            days=rng.randrange(31), hours=hour, seconds=rng.randint(0, 3599)
        )
        officer = officers[rng.randrange(len(officers))].pk
        purpose = rng.choice("AABC")
        case = f"26-{rng.randint(1000, 99999):06d}" if purpose in "AB" else ""
        reason = REASONS[rng.randrange(len(REASONS))]
        plate = f"ABC{rng.randint(1000, 9999)}"
        back = timedelta(days=rng.choice([1, 1, 2, 3, 3, 7, 7, 14, 20, 30]))
        buf.write(
            f"{officer}\t{at.isoformat()}\t{purpose}\t{case}\tRobbery\t{reason}\t"
            f"{plate}\texact\t{(at - back).isoformat()}\t{at.isoformat()}"
            "\t{}\t0\t{}\n"
        )
        if (i + 1) % 200_000 == 0 or i + 1 == n:
            buf.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY queries_search (officer_id, created_at, purpose, "
                    "case_number, offense_type, justification, plate_query, kind, "
                    "window_start, window_end, camera_ids, result_count, read_ids) "
                    "FROM STDIN",
                    buf,
                )
            buf = io.StringIO()
    print(f"load_searches_s={time.monotonic() - t0:.1f}", flush=True)

    # N hash-chained audit records, written as the trail would have written them,
    # continuing the chain after the records of the accounts just made.
    t0 = time.monotonic()
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    first_seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    partitions.ensure_range(
        partitions.AUDIT, month_start, month_start + timedelta(days=62)
    )
    cols = (
        "occurred_at, seq, prev_hash, hash, event_type, outcome, actor_label, "
        "actor_role, os_user, request_id, object_type, object_id, object_repr, "
        "summary, data"
    )
    buf = io.StringIO()
    for seq in range(first_seq, first_seq + n):
        event = AuditEvent(
            occurred_at=month_start
            + timedelta(seconds=(seq - first_seq + 1) * span // n),
            seq=seq,
            prev_hash=prev,
            event_type="search.performed",
            outcome="success",
            actor_label="bench",
            actor_role="officer",
            os_user="",
            ip=None,
            request_id="",
            object_type="queries.search",
            object_id=str(seq),
            object_repr=f"Search {seq}",
            summary="bench",
            data={"purpose": "A", "result_count": seq % 7},
            logentry_id=None,
        )
        event.hash = event.compute_hash()
        prev = event.hash
        data = f'{{"purpose": "A", "result_count": {seq % 7}}}'
        buf.write(
            f"{event.occurred_at.isoformat()}\t{seq}\t{event.prev_hash}\t"
            f"{event.hash}\tsearch.performed\tsuccess\tbench\tofficer\t\t\t"
            f"queries.search\t{seq}\tSearch {seq}\tbench\t{data}\n"
        )
        if (seq - first_seq + 1) % 200_000 == 0 or seq == first_seq + n - 1:
            buf.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(f"COPY audits_auditevent ({cols}) FROM STDIN", buf)
            buf = io.StringIO()
    with connection.cursor() as cursor:
        # A month's searches accrue over the month, and autovacuum has long
        # visited them when the audit runs; freshly copied rows would instead
        # have their visibility settled (and written back) by the first run.
        cursor.execute("VACUUM ANALYZE queries_search")
        cursor.execute("VACUUM ANALYZE audits_auditevent")
    print(f"load_audit_records_s={time.monotonic() - t0:.1f}", flush=True)


def run_timings(captain) -> None:
    from django.core.management import call_command

    from audits.models import AuditPeriod, Finding
    from tests.conftest import verified_client

    out = io.StringIO()
    t0 = time.monotonic()
    call_command("monthly_audit", "--month", "2026-10", stdout=out)
    first = time.monotonic() - t0
    print(
        f"monthly_audit_first_run_s={first:.2f} ({out.getvalue().splitlines()[-1]})",
        flush=True,
    )
    t0 = time.monotonic()
    call_command("monthly_audit", "--month", "2026-10", stdout=io.StringIO())
    print(f"monthly_audit_rerun_s={time.monotonic() - t0:.2f}", flush=True)
    print(f"findings_stored={Finding.objects.count()}")
    assert AuditPeriod.objects.count() == 1

    # The dashboard's pages name their static files as a deployment serves them.
    call_command("collectstatic", "--noinput", verbosity=0)
    client = verified_client(captain)
    timings = []
    for _ in range(5):
        t0 = time.monotonic()
        response = client.get("/audit/dashboard/?month=2026-10")
        timings.append(time.monotonic() - t0)
        assert response.status_code == 200, response.status_code
    print(
        f"dashboard_response_ms first={timings[0] * 1000:.0f} "
        f"median={sorted(timings)[2] * 1000:.0f} bytes={len(response.content)}",
        flush=True,
    )

    first_paint(captain)

    out = io.StringIO()
    t0 = time.monotonic()
    with contextlib.suppress(SystemExit):
        call_command("verify_audit_trail", stdout=out, stderr=io.StringIO())
    elapsed = time.monotonic() - t0
    last = out.getvalue().splitlines()[-1]
    verified = int(last.split()[0].split("=")[1])
    print(
        f"verify_audit_trail_s={elapsed:.1f} records_per_s={verified / elapsed:.0f} "
        f"({last})",
        flush=True,
    )


# The page's first contentful paint, from the navigation's start (milliseconds).
FIRST_PAINT = """() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
        const paint = list.getEntriesByName("first-contentful-paint")[0];
        if (paint) resolve(paint.startTime);
    }).observe({type: "paint", buffered: true});
})"""


def first_paint(captain) -> None:
    """The dashboard's first paint in headless Chromium, served by gunicorn as in
    production, after the Captain signs in through the real pages. Skipped, and
    said so, where Chromium or Playwright is missing."""
    chromium = os.environ.get("FLOCKGOV_CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("dashboard_first_paint_ms=not measured (no Playwright)")
        return
    if not os.path.exists(chromium):
        print(f"dashboard_first_paint_ms=not measured (no Chromium at {chromium})")
        return
    from tests.conftest import PASSWORD, current_code

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Plain http on the loopback: cookies without the Secure flag.
    env = {**os.environ, "FLOCKGOV_SECURE_COOKIES": "0"}
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "flockgov.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # it answers; what the health page says is not the point
            except OSError:
                time.sleep(0.2)
        # A code is accepted once: the test client used this step's code.
        time.sleep(30 - time.time() % 30 + 1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page(base_url=base)
            page.goto("/accounts/login/")
            page.fill("#id_username", captain.username)
            page.fill("#id_password", PASSWORD)
            page.check("#id_acknowledge")
            page.click("main button[type=submit]")
            page.wait_for_url("**/accounts/verify/**")
            page.fill("#id_token", current_code(captain))
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            paints = []
            for _ in range(5):
                page.goto("/audit/dashboard/?month=2026-10")
                assert "/audit/dashboard/" in page.url, page.url
                paints.append(page.evaluate(FIRST_PAINT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"dashboard_first_paint_ms first={paints[0]:.0f} "
        f"median={sorted(paints)[2]:.0f} (headless Chromium, gunicorn)",
        flush=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
