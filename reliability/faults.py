"""`python -m reliability.faults` (`make faults`): measured fault tests. See reliability/__init__.py."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.runner import ROOT, _libpq
from reliability.processes import PrivateRedis

WORK = ROOT / ".faults"


def faults() -> list[tuple[str, Callable[..., None]]]:
    from reliability import scenarios, submissions

    return [
        ("kill_worker", scenarios.kill_worker),
        ("kill_all_workers", scenarios.kill_all_workers),
        ("redis_restart", scenarios.redis_restart),
        ("pg_terminate", scenarios.pg_terminate),
        ("double_rescore", scenarios.double_rescore),
        ("broker_down", submissions.broker_down),
        ("poison_chunk", submissions.poison_chunk),
    ]


@contextmanager
def own_database(server_url: str) -> Iterator[tuple[str, str]]:
    """A new database on DATABASE_URL's server, dropped afterwards: (its URL, its name)."""
    import psycopg

    name = f"faults_{os.getpid()}_{int(time.time())}"
    admin = _libpq(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")), name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reliability.faults", description=__doc__)
    parser.add_argument("only", nargs="*", help="run only these faults (default: all)")
    parser.add_argument("--providers", type=int, default=50_000, help="dataset size")
    parser.add_argument("--redis-port", type=int, default=6390, help="the private Redis's port")
    parser.add_argument(
        "--requeue-after",
        type=int,
        default=60,
        help="SCORING_CHUNK_REQUEUE_AFTER for this run, in seconds (production: 900)",
    )
    parser.add_argument(
        "--sweep-every",
        type=float,
        default=10.0,
        help="seconds between sweeps (production: beat, every 300 s)",
    )
    parser.add_argument("--timeout", type=float, default=1200.0, help="per fault, in seconds")
    return parser.parse_args(argv)


def environment(database_url: str, broker_url: str, requeue_after: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "settings.local",
        "DEBUG": "0",
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": broker_url.rsplit("/", 1)[0] + "/1",
        "CELERY_KEY_PREFIX": f"faults-{os.getpid()}:",
        "CACHE_KEY_PREFIX": f"faults-{os.getpid()}",
        "SCORING_CHUNK_REQUEUE_AFTER": str(requeue_after),
        "PYTHONUNBUFFERED": "1",
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    chosen = [(n, f) for n, f in faults() if not args.only or n in args.only]
    if not chosen:
        print(f"faults: no fault named {' '.join(args.only)}", file=sys.stderr)
        return 2
    server = os.environ.get("DATABASE_URL", "")
    if urlsplit(server).scheme not in {"postgres", "postgresql"}:
        print("faults: DATABASE_URL must name a PostgreSQL server (postgres://…)", file=sys.stderr)
        return 2
    os.environ["BENCH_SCORING_PROVIDERS"] = str(args.providers)
    WORK.mkdir(exist_ok=True)
    redis = PrivateRedis(args.redis_port)
    redis.start()
    started = time.monotonic()
    print(f"machine_cpus: {os.cpu_count()}")
    print(f"load_average_at_start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        with own_database(server) as (url, name):
            env = environment(url, redis.url, args.requeue_after)
            os.environ.update(env)
            os.environ["DATABASE_CONN_MAX_AGE"] = "0"
            import subprocess

            migrated = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if migrated.returncode != 0:
                print(migrated.stderr, file=sys.stderr)
                return 1
            return _run(args, chosen, env, url, name, redis)
    finally:
        redis.close()
        print(f"load_average_at_end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"faults_total_s: {time.monotonic() - started:.0f}", flush=True)


def _run(
    args: argparse.Namespace,
    chosen: list[tuple[str, Callable[..., None]]],
    env: dict[str, str],
    url: str,
    name: str,
    redis: PrivateRedis,
) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import bench.scoring as bench_scoring
    from bench.runner import Context
    from reliability.processes import Worker
    from reliability.scenarios import Run, clean_run, say
    from scoring.services import assessment_date
    from standards.selectors import current_version

    bench_scoring.PROVIDERS = args.providers
    built = time.monotonic()
    counts = bench_scoring.build_dataset(Context(database_url=url, work=WORK))
    say("providers", counts["providers"])
    say("answers", counts["answers"])
    say("dataset_build_s", f"{time.monotonic() - built:.1f}")
    version = current_version(slug="send-statutory-baseline")
    assert version is not None
    worker = Worker({**env, "DATABASE_CONN_MAX_AGE": "60"}, Path(WORK / "worker.log"))
    worker.start()
    run = Run(
        worker=worker,
        redis=redis,
        database_name=name,
        on=assessment_date(),
        version_id=version.pk,
        requeue_after=args.requeue_after,
        requeue_every=args.sweep_every,
        timeout=args.timeout,
    )
    say("requeue_after_s", args.requeue_after)
    say("sweep_every_s", args.sweep_every)
    failed = []
    try:
        clean_run(run)
        for fault_name, fault in chosen:
            print(f"# {fault_name}", flush=True)
            try:
                fault(run)
            except Exception as exc:  # one fault's failure must not stop the others
                import traceback

                traceback.print_exc()
                say(f"{fault_name}_error", f"{type(exc).__name__}: {exc}")
                failed.append(fault_name)
                if worker.process is None or worker.process.poll() is not None:
                    worker.start()
            print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    finally:
        worker.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
