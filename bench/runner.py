"""Runs every benchmark against a database of its own. See bench/__init__.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Context:
    database_url: str
    work: Path
    failures: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "settings.local",
            "DEBUG": "0",
        }

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `manage.py ARGS` in a child process against the bench database."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )

    def measure(self, *args: str) -> Measured:
        """Run `manage.py ARGS` in a child process: its wall time and its own peak RSS (wait4)."""
        out_path = self.work / "child.out"
        err_path = self.work / "child.err"
        with open(out_path, "w") as out, open(err_path, "w") as err:
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=err,
            )
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
        return Measured(
            seconds=seconds,
            peak_rss_mb=round(usage.ru_maxrss / 1024),  # Linux reports KiB
            returncode=child.returncode,
            stdout=out_path.read_text(),
            stderr=err_path.read_text(),
        )

    def target(self, name: str, ok: bool, text: str) -> None:
        if not ok:
            self.failures.append(f"{name}: {text}")


Bench = Callable[[Context], None]


def benches() -> list[tuple[str, Bench]]:
    from bench import api, dashboards, find_setting, gias, scoring

    return [
        ("gias", gias.run),
        ("scoring", scoring.run),
        ("dashboards", dashboards.run),
        ("find_setting", find_setting.run),
        ("api", api.run),
    ]


def check_services() -> list[str]:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if urlsplit(database_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        problems.append("DATABASE_URL must name a PostgreSQL database (postgres://…)")
    else:
        try:
            import psycopg

            psycopg.connect(_libpq(database_url), connect_timeout=5).close()
        except Exception as exc:
            problems.append(f"cannot connect to DATABASE_URL: {exc}")
    if urlsplit(broker_url).scheme not in {"redis", "rediss"}:
        problems.append("CELERY_BROKER_URL must name a Redis server (redis://…)")
    else:
        try:
            import redis

            redis.Redis.from_url(broker_url, socket_connect_timeout=5).ping()
        except Exception as exc:
            problems.append(f"cannot reach CELERY_BROKER_URL: {exc}")
    return problems


def _libpq(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "pgsql"} else parts.scheme
    return urlunsplit(parts._replace(scheme=scheme))


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def bench_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the DATABASE_URL's server, dropped afterwards."""
    import psycopg

    name = f"bench_{os.getpid()}_{int(time.time())}"
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    problems = check_services()
    if problems:
        for problem in problems:
            print(f"bench: {problem}", file=sys.stderr)
        print("bench: refusing to run; nothing was measured", file=sys.stderr)
        return 2
    chosen = [(name, fn) for name, fn in benches() if not argv or name in argv]
    if not chosen:
        print(f"bench: no benchmark named {' '.join(argv)}", file=sys.stderr)
        return 2
    WORK.mkdir(exist_ok=True)
    print(f"machine_cpus: {os.cpu_count()}")
    with bench_database(os.environ["DATABASE_URL"]) as url:
        context = Context(database_url=url, work=WORK)
        migrated = context.manage("migrate", "--no-input")
        if migrated.returncode != 0:
            print(migrated.stderr, file=sys.stderr)
            return 1
        for name, fn in chosen:
            print(f"# {name}", flush=True)
            fn(context)
    for failure in context.failures:
        print(f"bench: target missed: {failure}", file=sys.stderr)
    return 1 if context.failures else 0
