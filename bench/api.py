"""The API at national scale: a declaration with all its answers, read by 4 concurrent clients
through gunicorn with 2 workers, on the national dataset (bench/scoring.py's build_dataset:
50,000 providers, each with a submitted declaration).

- api_declaration_get_p95_ms: GET /api/v1/declarations/{id}/ with a bearer token (a school's
  headteacher), 95th percentile, 4 clients; target ≤ 150.
- api_vs_floor: its median ÷ the median of a minimal hand-written Django view returning the same
  JSON (bench/api_site.py), measured in the same run; target ≤ 2. floor_json_matches checks that
  the two bodies are equal.
- api_area_summary_p95_ms: GET /api/v1/areas/{code}/summary/ as the area's officer, 4 clients,
  95th percentile; target ≤ 150. The area's dashboard figures are added up first
  (`refresh_dashboards`).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from bench.runner import ROOT, Context

CLIENTS = 4
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_API_REQUESTS", "150"))
WARM_UP = 40
TARGETS = {
    "api_declaration_get_p95_ms": 150.0,
    "api_area_summary_p95_ms": 150.0,
    "api_vs_floor": 2.0,
}


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


def _setup_django(context: Context) -> None:
    # As the scoring bench does: its workers (if the dataset must be scored here) use Redis
    # database 15, and Django must queue to the same place.
    from bench import scoring as scoring_bench

    scoring_bench._setup_django(context)


def dataset(context: Context) -> None:
    """The national dataset, scored, with the dashboards' aggregates added up, made in this
    benchmark's own database as bench/dashboards.py makes it."""
    from bench import scoring as scoring_bench
    from bench.dashboards import _ensure_dataset
    from dashboards.services import refresh_all

    started = time.perf_counter()
    _ensure_dataset(context)
    refresh_all()
    say("api_dataset_s", f"{time.perf_counter() - started:.1f}")
    scoring_bench.settle("api")


def fixtures() -> dict[str, Any]:
    """A school's declaration with the most answers, and a token for its headteacher."""
    from django.db.models import Count

    from accounts.models import Role, User
    from accounts.services import grant_role
    from api.services import create_token
    from audits.models import Declaration

    declaration = (
        Declaration.objects.filter(provider__provider_type="mainstream_school")
        .annotate(n=Count("answers"))
        .order_by("-n", "pk")
        .select_related("provider")
        .first()
    )
    assert declaration is not None, "the dataset has no school declaration"
    user, _ = User.objects.get_or_create(email="bench-head@example.org")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=declaration.provider)
    token = create_token(user=user, name=f"bench {time.time():.0f}").raw
    area = declaration.provider.area
    officer, _ = User.objects.get_or_create(email="bench-officer@example.org")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=area)
    return {
        "declaration": declaration.pk,
        "answers": declaration.n,  # type: ignore[attr-defined]
        "area": area.code,
        "token": token,
        "officer_token": create_token(user=officer, name=f"bench {time.time():.0f}").raw,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, context: Context) -> None:
        self.port = free_port()
        env = {
            **context.env(),
            "DJANGO_SETTINGS_MODULE": "bench.api_settings",
            "API_THROTTLE_RATE": "1000000/minute",
            "DATABASE_CONN_MAX_AGE": "60",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "core.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = self.get("/healthz", {})
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def measure(server: Server, path: str, headers: dict[str, str]) -> list[float]:
    """Milliseconds per request, CLIENTS threads each making REQUESTS_PER_CLIENT requests."""
    for _ in range(WARM_UP):
        server.get(path, headers)
    times: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        mine = []
        for _ in range(REQUESTS_PER_CLIENT):
            started = time.perf_counter()
            status, _ = server.get(path, headers)
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} requests failed, e.g. {failures[0]}")
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def run(context: Context) -> None:
    _setup_django(context)
    dataset(context)
    data = fixtures()
    from django.db import connections

    connections.close_all()
    say("api_declaration_answers", data["answers"])
    server = Server(context)
    try:
        auth = {"Authorization": f"Bearer {data['token']}", "Accept": "application/json"}
        api_path = f"/api/v1/declarations/{data['declaration']}/"
        floor_path = f"/bench/floor/declarations/{data['declaration']}/"
        status, api_body = server.get(api_path, auth)
        floor_status, floor_body = server.get(floor_path, {})
        if status != 200 or floor_status != 200:
            context.target("api_declaration_get", False, f"GET answered {status}/{floor_status}")
            return
        same = json.loads(api_body) == json.loads(floor_body)
        say("floor_json_matches", same)
        context.target("floor_json_matches", same, "the floor view's JSON differs from the API's")
        api = measure(server, api_path, auth)
        floor = measure(server, floor_path, {})
        api_again = measure(server, api_path, auth)  # interleaved, against drift
        api += api_again
        api_p95 = p95(api)
        ratio = statistics.median(api) / statistics.median(floor)
        say("api_declaration_get_median_ms", f"{statistics.median(api):.1f}")
        say("api_declaration_get_p95_ms", f"{api_p95:.1f}")
        say("floor_median_ms", f"{statistics.median(floor):.1f}")
        say("floor_p95_ms", f"{p95(floor):.1f}")
        say("api_vs_floor", f"{ratio:.2f}")
        context.target(
            "api_declaration_get_p95_ms",
            api_p95 <= TARGETS["api_declaration_get_p95_ms"],
            f"{api_p95:.1f} ms > 150 ms",
        )
        context.target("api_vs_floor", ratio <= TARGETS["api_vs_floor"], f"{ratio:.2f} > 2")
        summary = f"/api/v1/areas/{data['area']}/summary/"
        auth = {"Authorization": f"Bearer {data['officer_token']}", "Accept": "application/json"}
        status, _ = server.get(summary, auth)
        if status == 404:
            say(
                "api_area_summary_p95_ms",
                "not measured: the area summary endpoint is not built yet",
            )
        else:
            times = measure(server, summary, auth)
            value = p95(times)
            say("api_area_summary_p95_ms", f"{value:.1f}")
            context.target(
                "api_area_summary_p95_ms",
                value <= TARGETS["api_area_summary_p95_ms"],
                f"{value:.1f} ms > 150 ms",
            )
    finally:
        server.stop()
