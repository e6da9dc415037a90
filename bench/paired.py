"""Two versions of the service, measured in turns: `python -m bench.paired BEFORE [AFTER]`.

`python -m bench.compare` sets two whole runs side by side, minutes apart. On a shared virtual
machine the speed of the processor drifts by 10 to 20% over minutes, as much as the change
being measured, so that comparison cannot tell a 10% difference from the drift. This one
measures both versions in the same minutes: each side is a process of its own checkout
(BEFORE, AFTER: git checkouts, each with its `.venv` made by `make install`; AFTER defaults to
this one) serving the dashboard pages to itself, against a database that its own dashboards
benchmark filled (the same seeded dataset of about 50,000 providers, built by each version's
code: their schemas differ). Then, page by page, the two sides take turns, ROUNDS rounds of
REQUESTS requests each, the side going first alternating; drift touches both alike.

Prints, for each page, both sides' median (`paired_<page>_before_p50_ms`, `…_after_p50_ms`),
after ÷ before (`paired_<page>_ratio`, the target: ≤ 1.10) and the same ratio of the CPU the
side's process used a request (`paired_<page>_cpu_ratio`: Django's side; PostgreSQL's work is
in the wall-clock time only). Exits 1 if a page's ratio is above the target.

Needs DATABASE_URL (a PostgreSQL server; the two databases are created on it and dropped
afterwards) and CELERY_BROKER_URL, as `make bench` does. Takes about 8 minutes: most of it
the two dashboards benchmarks that build the datasets.

Options: --rounds N (12), --requests N (30), --record NAME (also write bench/results/NAME.txt).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.runner import ROOT, _libpq, _with_database, load

TARGET = 1.10
PAGES = {
    "area_dashboard": "/dashboards/areas/AREA/",
    "area_providers": "/dashboards/areas/AREA/providers/",
    "area_heatmap": "/dashboards/areas/AREA/heatmap/",
    "national_dashboard": "/dashboards/national/",
    "compare": "/dashboards/national/compare/?COMPARE",
    "icb_dashboard": "/dashboards/icbs/ICB/",
}
# Runs a checkout's own dashboards benchmark into a database that is kept afterwards.
BUILD = """
import sys
from contextlib import contextmanager
sys.path.insert(0, ".")
from bench import runner

@contextmanager
def kept(server_url, label=""):
    yield sys.argv[1]

runner.bench_database = kept
sys.exit(runner.run_one("dashboards"))
"""


_said: list[str] = []


def say(name: str, value: Any) -> None:
    _said.append(f"{name}: {value}")
    print(f"{name}: {value}", flush=True)


def _python(checkout: Path) -> str:
    python = checkout / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{checkout} has no .venv: run `make install` there first")
    return str(python)


def _database(server_url: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(server_url, name)


def _build(checkout: Path, url: str, label: str) -> None:
    """The checkout's dashboards benchmark, run into `url` (its figures are not used)."""
    started = time.perf_counter()
    log = Path(tempfile.gettempdir()) / f"paired-{label}-{os.getpid()}.log"
    (checkout / ".bench").mkdir(exist_ok=True)  # its workers' logs; a new clone has none
    with open(log, "w") as out:
        done = subprocess.run(
            [_python(checkout), "-c", BUILD, url],
            cwd=checkout,
            env={**os.environ, "CACHE_KEY_PREFIX": f"paired-{label}-{os.getpid()}"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        raise SystemExit(f"the dashboards benchmark of {checkout} failed: see {log}")
    say(f"paired_{label}_dataset_s", f"{time.perf_counter() - started:.0f}")


class Side:
    """A checkout's client process, answering "PATH COUNT" with the requests' times."""

    def __init__(self, checkout: Path, url: str, label: str) -> None:
        static = tempfile.mkdtemp(prefix=f"paired-static-{label}-")
        self.process = subprocess.Popen(
            [_python(checkout), str(ROOT / "bench" / "paired_client.py"), url, static],
            cwd=checkout,
            env={**os.environ, "CACHE_KEY_PREFIX": f"paired-{label}-{os.getpid()}"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() == "ready":
                break
        else:
            raise SystemExit(f"the {label} side did not start")

    def measure(self, path: str, count: int) -> tuple[list[float], list[float]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{path} {count}\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise SystemExit(answer["error"])
        return answer["wall"], answer["cpu"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def compare(sides: dict[str, Side], rounds: int, requests: int) -> list[str]:
    """Each page in turns; the pages whose ratio is above the target."""
    missed = []
    for page, path in PAGES.items():
        wall: dict[str, list[float]] = {"before": [], "after": []}
        cpu: dict[str, list[float]] = {"before": [], "after": []}
        for side in sides.values():  # warm each side's caches, as a running server's are
            side.measure(path, 3)
        for n in range(rounds):
            for label in ("before", "after") if n % 2 == 0 else ("after", "before"):
                times, used = sides[label].measure(path, requests)
                wall[label] += times
                cpu[label] += used
        before, after = statistics.median(wall["before"]), statistics.median(wall["after"])
        ratio = after / before
        say(f"paired_{page}_before_p50_ms", f"{before:.1f}")
        say(f"paired_{page}_after_p50_ms", f"{after:.1f}")
        say(f"paired_{page}_ratio", f"{ratio:.2f}")
        cpu_ratio = statistics.median(cpu["after"]) / statistics.median(cpu["before"])
        say(f"paired_{page}_cpu_ratio", f"{cpu_ratio:.2f}")
        if ratio > TARGET:
            missed.append(f"paired_{page}_ratio {ratio:.2f} > {TARGET:.2f}")
    return missed


def _option(argv: list[str], name: str, default: str) -> str:
    if name in argv:
        at = argv.index(name)
        value = argv[at + 1]
        del argv[at : at + 2]
        return value
    return default


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    rounds = int(_option(argv, "--rounds", "12"))
    requests = int(_option(argv, "--requests", "30"))
    record = _option(argv, "--record", "")
    if not argv or len(argv) > 2:
        print(__doc__)
        return 2
    checkouts = {
        "before": Path(argv[0]).resolve(),
        "after": Path(argv[1] if len(argv) > 1 else ROOT).resolve(),
    }
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL server", file=sys.stderr)
        return 2
    for label, checkout in checkouts.items():
        say(f"paired_{label}_commit", _commit(checkout))
    say("paired_rounds", f"{rounds} of {requests} requests a side and page")
    names = {label: f"paired_{label}_{os.getpid()}" for label in checkouts}
    sides: dict[str, Side] = {}
    missed: list[str] = []
    try:
        for label, checkout in checkouts.items():
            _build(checkout, _database(server, names[label]), label)
        say("paired_load_at_start", load())
        sides = {
            label: Side(checkout, _with_database(server, names[label]), label)
            for label, checkout in checkouts.items()
        }
        missed = compare(sides, rounds, requests)
        say("paired_load_at_end", load())
    finally:
        for side in sides.values():
            side.close()
        for name in names.values():
            _database(server, name, drop_only=True)
    for failure in missed:
        say("target_missed", failure)
    if record:
        path = ROOT / "bench" / "results" / f"{record}.txt"
        path.write_text(
            f"command: python -m bench.paired {' '.join(sys.argv[1:])}\n"
            f"date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n"
            + "\n".join(_said)
            + "\n"
        )
    return 1 if missed else 0


def _commit(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
