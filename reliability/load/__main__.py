"""`python -m reliability.load` (`make load`): see reliability/load/__init__.py."""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from bench.runner import ROOT, _libpq

WORK = ROOT / ".load"
# p95 targets, in milliseconds, by kind of request (the first word of its name).
TARGETS = {
    "api": 150.0,
    "page": 300.0,
    "save": 300.0,
    "submit": 300.0,
    "start": 300.0,
    "export": 300.0,
    "sign": 300.0,
}


def say(name: str, value: object) -> None:
    print(f"{name}: {value}", flush=True)


def run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


def tree_cpu_s(process: subprocess.Popen[bytes]) -> float:
    """CPU seconds of a process and its children so far (user + system)."""
    try:
        parent = psutil.Process(process.pid)
        total = sum(parent.cpu_times()[:2])
        for child in parent.children(recursive=True):
            total += sum(child.cpu_times()[:2])
        return total
    except psutil.Error:
        return 0.0


def remove_keys(url: str, prefix: str) -> None:
    """Delete this run's keys (and only them) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def report(stats: Path, seconds: float) -> None:
    rows = list(csv.DictReader(open(stats)))  # noqa: SIM115
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    say("requests", requests)
    say("failures", failures)
    say("error_rate", f"{failures / requests:.4%}" if requests else "n/a")
    say("requests_per_s", f"{requests / seconds:.1f}")
    missed = []
    print("# kind | requests | failures | p50 ms | p95 ms | p99 ms | max ms | target p95")
    for row in sorted(rows, key=lambda r: r["Name"]):
        if row["Name"] == "Aggregated" or row["Request Count"] == "0":
            continue
        target = TARGETS.get(row["Name"].split()[0], 300.0)
        p95 = float(row["95%"])
        if p95 > target:
            missed.append(row["Name"])
        print(
            f"{row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} |"
            f" {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
            f" {target:.0f}{'' if p95 <= target else ' MISSED'}"
        )
    say("p95_targets_missed", ", ".join(missed) or "none")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.load")
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    server = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if urlsplit(server).scheme not in {"postgres", "postgresql"} or not broker.startswith(
        "redis://"
    ):
        print("load: DATABASE_URL must be PostgreSQL and CELERY_BROKER_URL Redis", file=sys.stderr)
        return 2
    import psycopg

    WORK.mkdir(exist_ok=True)
    name = f"load_{os.getpid()}_{int(time.time())}"
    prefix = f"{os.environ.get('CELERY_KEY_PREFIX', 'load-')}{os.getpid()}:"
    static = WORK / "static"  # kept between runs: collecting it again is quicker
    admin = _libpq(server)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "settings.local",
        "DEBUG": "0",
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": broker,
        "CELERY_KEY_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "LOAD_STATIC_ROOT": str(static),
        "LOAD_ACCOUNTS": str(WORK / "accounts.json"),
    }
    served = {
        **env,
        "DJANGO_SETTINGS_MODULE": "reliability.load.settings",
        "SECRET_KEY": os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVACY_CONTROLLER": "Load run",
        "PRIVACY_CONTACT_EMAIL": "load@example.org",
        "RATE_LIMIT_MULTIPLIER": "100",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    gunicorn = worker = None
    try:
        started = time.monotonic()
        run([sys.executable, "manage.py", "migrate", "--no-input"], env, "migrate")
        run([sys.executable, "manage.py", "seed_demo"], env, "seed_demo")
        print(
            run(
                [sys.executable, "-m", "reliability.load.prepare", env["LOAD_ACCOUNTS"]],
                env,
                "preparing accounts",
            ).strip()
        )
        run([sys.executable, "manage.py", "collectstatic", "--no-input"], served, "collectstatic")
        say("setup_s", f"{time.monotonic() - started:.0f}")
        log = open(WORK / "server.log", "wb")  # noqa: SIM115
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "core",
                "worker",
                "-c",
                "1",
                "-Q",
                "scoring,default,rescore",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=load-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=served,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "core.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=served,
            stdout=open(WORK / "access.log", "wb"),  # noqa: SIM115
            stderr=log,
            start_new_session=True,
        )
        host = f"http://127.0.0.1:{args.port}"
        wait_for(f"{host}/healthz")
        say("machine_cpus", os.cpu_count())
        say("machine_memory_gib", f"{psutil.virtual_memory().total / 2**30:.0f}")
        say("load_average_before", " ".join(f"{x:.2f}" for x in os.getloadavg()))
        server_cpu = tree_cpu_s(gunicorn)
        window = WORK / "window.json"
        window.unlink(missing_ok=True)
        begun = time.monotonic()
        locust = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--users",
                "55",
                "--spawn-rate",
                "5",
                "--run-time",
                f"{args.seconds + 900}s",
                "--host",
                host,
                "--csv",
                str(WORK / "run"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={**env, "LOAD_SECONDS": str(args.seconds), "LOAD_WINDOW": str(window)},
            stdout=open(WORK / "locust.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(locust.pid, 0)
        locust.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - begun
        say("load_average_after", " ".join(f"{x:.2f}" for x in os.getloadavg()))
        if not window.exists():
            raise RuntimeError(f"the measured window never began; see {WORK / 'locust.log'}")
        measured = json.loads(window.read_text())
        say("warm_up_s", f"{wall - measured['seconds']:.0f}")
        for key in ("sign_ins", "sign_in_failures", "sign_in_p50_ms", "sign_in_p95_ms"):
            say(f"warm_up_{key}", measured[key])
        say("measured_s", f"{measured['seconds']:.0f}")
        cpu = usage.ru_utime + usage.ru_stime
        say("load_generator_cpu_s", f"{cpu:.0f} (whole run, warm-up included, {wall:.0f} s)")
        say("load_generator_cpu_share", f"{cpu / wall:.0%} of one core")
        say("server_cpu_s", f"{tree_cpu_s(gunicorn) - server_cpu:.0f} (gunicorn, whole run)")
        report(WORK / "run_stats.csv", measured["seconds"])
        return 0
    finally:
        stop(gunicorn)
        stop(worker)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        try:
            remove_keys(broker, prefix)
        except Exception as exc:  # leaving keys behind is not worth failing the run for
            print(f"load: could not remove the run's Redis keys: {exc}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
