"""Runs each benchmark in a process and a database of its own. See bench/__init__.py."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"
RESULTS = Path(__file__).resolve().parent / "results"
# The scoring benchmark's dataset sizes; every measure is taken at 50,000 (bench/scoring.py).
DEFAULT_SCALES = (25_000, 50_000, 100_000)
# Growth compares the fastest of each scale's first national re-scores (see bench/scoring.py).
RESCORE_FIGURE = "national_rescore_min_s"


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
    from bench import (
        api,
        dashboards,
        find_setting,
        gias,
        impact_preview,
        inclusion_plan,
        reports,
        scoring,
    )

    return [
        ("gias", gias.run),
        ("scoring", scoring.run),
        ("impact_preview", impact_preview.run),
        ("dashboards", dashboards.run),
        ("reports", reports.run),
        ("inclusion_plan", inclusion_plan.run),
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
def bench_database(server_url: str, label: str = "") -> Iterator[str]:
    """A new, empty database on the DATABASE_URL's server, dropped afterwards."""
    import psycopg

    name = f"bench_{os.getpid()}_{int(time.time())}" + (f"_{label}" if label else "")
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load() -> str:
    """The machine's load averages (1, 5 and 15 minutes), as `uptime` prints them."""
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def scales() -> list[int]:
    """The scoring benchmark's dataset sizes (`--scales`, else BENCH_SCORING_SCALES)."""
    text = os.environ.get("BENCH_SCORING_SCALES") or ",".join(map(str, DEFAULT_SCALES))
    return [int(n) for n in text.replace("_", "").split(",") if n.strip()]


def short(n: int) -> str:
    """25000 → 25k: the scale in figure names."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# ---- one benchmark, in a process and a database of its own --------------------------------


def run_one(name: str) -> int:
    """Run one benchmark (one scale of the scoring benchmark) in this process, against a new
    database created for it alone and dropped afterwards."""
    chosen = dict(benches())[name]
    WORK.mkdir(exist_ok=True)
    with bench_database(os.environ["DATABASE_URL"], name) as url:
        database = urlsplit(url).path.lstrip("/")
        # The Redis cache is shared by every process using the broker's server: a key left by
        # an earlier benchmark (the dashboards' "refresh already queued" mark) must not count.
        os.environ["CACHE_KEY_PREFIX"] = database
        context = Context(database_url=url, work=WORK)
        migrated = context.manage("migrate", "--no-input")
        if migrated.returncode != 0:
            print(migrated.stderr, flush=True)
            return 1
        print(f"database: {database}", flush=True)
        chosen(context)
    for failure in context.failures:
        print(f"target_missed: {failure}", flush=True)
    return 1 if context.failures else 0


def _child(name: str, extra_env: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Run `python -m bench --one NAME` in a child process; echo and collect its figures."""
    env = {**os.environ, **extra_env}
    child = subprocess.Popen(
        [sys.executable, "-m", "bench", "--one", name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    figures: dict[str, str] = {}
    assert child.stdout is not None
    for line in child.stdout:
        emit(line.rstrip("\n"))
        key, sep, value = line.partition(": ")
        if sep and key.strip() and " " not in key.strip():
            figures[key.strip()] = value.strip()
    return child.wait(), figures


_record: list[Any] = []


def emit(line: str) -> None:
    print(line, flush=True)
    for handle in _record:
        handle.write(line + "\n")
        handle.flush()


def _figure(figures: dict[str, str], key: str) -> float | None:
    try:
        return float(figures[key].split()[0])
    except (KeyError, ValueError, IndexError):
        return None


def scoring_growth(by_scale: dict[int, dict[str, str]]) -> list[str]:
    """How the first national re-score (and the floor) grow from one scale to the next."""
    failures = []
    points = sorted(by_scale)
    for n in points:
        figures = by_scale[n]
        seconds = _figure(figures, RESCORE_FIGURE)
        providers = _figure(figures, "national_rescore_providers")
        if seconds and providers:
            emit(f"rescore_{short(n)}_s: {seconds:.2f}")
            emit(f"rescore_{short(n)}_providers: {int(providers)}")
            emit(f"rescore_{short(n)}_s_per_1000_providers: {seconds / providers * 1000:.3f}")
    for small, large in itertools.pairwise(points):
        names = f"{short(large)}_vs_{short(small)}"
        for figure, label in ((RESCORE_FIGURE, "rescore"), ("floor_s", "floor")):
            a = _figure(by_scale[small], figure)
            b = _figure(by_scale[large], figure)
            if not a or not b:
                continue
            growth = b / a
            emit(f"{label}_growth_{names}: {growth:.2f}")
            if label == "rescore":
                pa = _figure(by_scale[small], "national_rescore_providers") or 0
                pb = _figure(by_scale[large], "national_rescore_providers") or 0
                if pa:
                    emit(f"{label}_growth_{names}_providers: {pb / pa:.2f} ({int(pb)} ÷ {int(pa)})")
                aa = _figure(by_scale[small], "scoring_answers") or 0
                ab = _figure(by_scale[large], "scoring_answers") or 0
                if aa:
                    emit(f"{label}_growth_{names}_answers: {ab / aa:.2f} ({int(ab)} ÷ {int(aa)})")
                # Linear cost: the time grows no faster than the size, with 10% to spare.
                limit = 1.1 * large / small
                if growth > limit:
                    failures.append(f"rescore_growth_{names}: {growth:.2f} > {limit:.2f}")
    return failures


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python -m bench", *argv])
    problems = check_services()
    if problems:
        for problem in problems:
            print(f"bench: {problem}", file=sys.stderr)
        print("bench: refusing to run; nothing was measured", file=sys.stderr)
        return 2
    if "--one" in argv:  # a child process: one benchmark, one database
        return run_one(argv[argv.index("--one") + 1])
    if "--scales" in argv:
        at = argv.index("--scales")
        os.environ["BENCH_SCORING_SCALES"] = argv[at + 1]
        del argv[at : at + 2]
    record = os.environ.get("BENCH_RECORD", "")
    if "--record" in argv:
        at = argv.index("--record")
        record = argv[at + 1]
        del argv[at : at + 2]
    known = [name for name, _ in benches()]
    unknown = [name for name in argv if name not in known]
    if unknown:
        print(f"bench: no benchmark named {' '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = [name for name in known if not argv or name in argv]
    WORK.mkdir(exist_ok=True)
    if record:
        RESULTS.mkdir(exist_ok=True)
        _record.append(open(RESULTS / f"{record}.txt", "w"))  # noqa: SIM115
    started = time.perf_counter()
    emit(f"command: {command}")
    emit(f"date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    emit(f"commit: {_git('rev-parse', 'HEAD')} ({_git('rev-parse', '--abbrev-ref', 'HEAD')})")
    emit(f"machine_cpus: {os.cpu_count()}")
    emit(f"machine_memory_gb: {_memory_gb()}")
    emit(f"load_at_start: {load()}")
    failures: list[str] = []
    for name in chosen:
        if name == "scoring":
            by_scale = {}
            for n in scales():
                emit(f"# scoring at {n} providers")
                code, figures = _child(name, {"BENCH_SCORING_SCALE": str(n)})
                by_scale[n] = figures
                if code:
                    failures.append(f"scoring at {n} providers (exit {code})")
            emit("# scoring growth")
            failures += scoring_growth(by_scale)
        else:
            emit(f"# {name}")
            code, _ = _child(name, {})
            if code:
                failures.append(f"{name} (exit {code})")
    emit(f"load_at_end: {load()}")
    emit(f"bench_duration_s: {time.perf_counter() - started:.0f}")
    for failure in failures:
        emit(f"bench: missed or failed: {failure}")
    for handle in _record:
        handle.close()
    return 1 if failures else 0


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def _memory_gb() -> str:
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        return f"{kib / 2**20:.1f}"
    except (OSError, ValueError, IndexError):
        return "unknown"
