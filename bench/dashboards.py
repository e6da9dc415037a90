"""Dashboards at national scale, on the scoring benchmark's dataset (50,000 providers).

Builds and scores the dataset `bench.scoring` builds, in a database of its own, then loads
the official statistics, rebuilds every dashboard aggregate, then measures, in this process, the server time of whole pages through Django's full stack
(middleware, sessions, templates; no network):

- area_dashboard_p95_ms: the area dashboard of the largest area (most providers);
- area_providers_p95_ms, area_heatmap_p95_ms: its providers table and heatmap, first page;
- national_dashboard_p95_ms: all 153 areas with their statistics, regional roll-ups;
- compare_p95_ms, icb_dashboard_p95_ms: a comparison of five areas; the largest ICB's view;
- area_export_xlsx_s: the largest area's providers table and heatmap as XLSX (every row), the
  slower of the two;
- dashboards_refresh_all_s: rebuilding every provider's and area's aggregates from scratch;
- dashboards_hook_p50_ms: what the scoring hook adds to scoring one submission (recording
  that the provider changed, in the scoring transaction): the median with it minus without,
  scoring alternately with and without;
- dashboards_provider_refresh_p95_ms: what the refresh task then spends on one provider.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.runner import Context

REQUESTS = 40
TARGETS = {
    "area_dashboard_p95_ms": 200.0,
    "national_dashboard_p95_ms": 200.0,
    "area_export_xlsx_s": 5.0,
}


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[18]


def _ensure_dataset(context: Context) -> None:
    """The scoring benchmark's dataset, scored; built here if that benchmark has not run."""
    from bench import scoring as scoring_bench
    from providers.models import Provider
    from scoring.models import CurrentResult

    if not Provider.objects.filter(urn__isnull=False).exists():
        scoring_bench.empty_broker()
        started = time.perf_counter()
        counts = scoring_bench.build_dataset(context)
        say("dashboards_dataset_build_s", f"{time.perf_counter() - started:.1f}")
        say("dashboards_dataset_providers", counts["providers"])
    if not CurrentResult.objects.exists():
        scoring_bench._close_django()
        workers = scoring_bench.Workers(context)
        workers.start()
        try:
            seconds, providers = scoring_bench.national_rescore()
        finally:
            workers.stop()
        say("dashboards_dataset_score_s", f"{seconds:.1f}")
        say("dashboards_dataset_rescore_providers", providers)


def _timed(call: Callable[[], Any], count: int) -> list[float]:
    call()  # warm caches, as a running server would be
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _page(client: Any, path: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response

    return get


def _stored(marks: dict[str, float]) -> None:
    marks.setdefault("stored", time.perf_counter())


def _single_scores_with_and_without_hook(
    provider_ids: list[int],
) -> tuple[list[float], list[float]]:
    """Score new revisions one at a time, to the result being stored, alternately with the
    dashboards' hook and without it: what the hook adds to the scoring transaction."""
    from django.db import transaction

    from bench.scoring import new_revisions
    from dashboards import receivers
    from scoring import services
    from scoring.signals import results_changed

    def listen(on: bool) -> None:
        # The signal holds its own reference to the receiver: connect and disconnect it.
        results_changed.disconnect(dispatch_uid="dashboards-results")
        if on:
            results_changed.connect(receivers.on_results_changed, dispatch_uid="dashboards-results")

    with_hook: list[float] = []
    without: list[float] = []
    try:
        for n, declaration_id in enumerate(new_revisions(provider_ids, submitted=True)):
            listen(bool(n % 2))
            marks: dict[str, float] = {}
            started = time.perf_counter()
            with transaction.atomic():
                transaction.on_commit(partial(_stored, marks))
                services.score_declaration(declaration_id=declaration_id)
            (with_hook if n % 2 else without).append((marks["stored"] - started) * 1000)
    finally:
        listen(True)
    return with_hook, without


def run(context: Context) -> None:
    from bench import scoring as scoring_bench

    scoring_bench._setup_django(context)
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import grant_role
    from dashboards.models import AreaSnapshot, ProviderSnapshot
    from dashboards.services import (
        import_statistics,
        refresh_all,
        refresh_provider_snapshots,
        refresh_requested,
    )
    from providers.models import IcbAreaCoverage
    from scoring.models import CurrentResult

    _ensure_dataset(context)
    # Pages are served as in production: static files collected, with their manifest.
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = str(context.work / "static")
    call_command("collectstatic", interactive=False, verbosity=0)
    reports = import_statistics()
    say("dashboards_statistics_figures", sum(r.figures for r in reports))

    started = time.perf_counter()
    report = refresh_all()
    say("dashboards_refresh_all_s", f"{time.perf_counter() - started:.1f}")
    say("dashboards_providers", report.providers)
    say("dashboards_provider_rows", ProviderSnapshot.objects.count())
    scoring_bench.settle("dashboards")

    largest = AreaSnapshot.objects.select_related("area").order_by("-provider_count").first()
    assert largest is not None
    area = largest.area
    say("dashboards_largest_area", f"{area.name} ({area.code}), {largest.provider_count} providers")

    analyst, _ = User.objects.get_or_create(email="bench-analyst@example.org")
    grant_role(user=analyst, role=Role.NATIONAL_ANALYST, scope=None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    # An analyst must sign in with a second factor: the session is marked as verified by one.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=analyst, confirmed=True, defaults={"name": "Benchmark"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    results: dict[str, float] = {}
    pages = {
        "area_dashboard_p95_ms": f"/dashboards/areas/{area.code}/",
        "area_providers_p95_ms": f"/dashboards/areas/{area.code}/providers/",
        "area_heatmap_p95_ms": f"/dashboards/areas/{area.code}/heatmap/",
        "national_dashboard_p95_ms": "/dashboards/national/",
    }
    codes = list(
        AreaSnapshot.objects.order_by("-provider_count").values_list("area__code", flat=True)[:5]
    )
    pages["compare_p95_ms"] = "/dashboards/national/compare/?" + "&".join(
        f"area={c}" for c in codes
    )
    icb = IcbAreaCoverage.objects.values("icb__code").order_by("icb__code").first()
    if icb:
        pages["icb_dashboard_p95_ms"] = f"/dashboards/icbs/{icb['icb__code']}/"
    for name, path in pages.items():
        times = _timed(_page(client, path), REQUESTS)
        results[name] = p95(times)
        say(name.replace("_p95_ms", "_p50_ms"), f"{statistics.median(times):.1f}")
        say(name, f"{results[name]:.1f}")

    slowest = 0.0
    for table in ("providers", "heatmap"):
        path = f"/dashboards/areas/{area.code}/download/{table}.xlsx"
        times = _timed(_page(client, path), 3)
        seconds = max(times) / 1000
        slowest = max(slowest, seconds)
        say(f"area_export_{table}_xlsx_s", f"{seconds:.2f}")
    results["area_export_xlsx_s"] = slowest
    say("area_export_xlsx_s", f"{slowest:.2f}")

    # What the scoring hook adds to scoring one submission (a row saying what changed), and
    # what the refresh task then spends on that provider's row.
    provider_ids = list(CurrentResult.objects.values_list("provider_id", flat=True)[:5000])
    sample = random.Random(6).sample(provider_ids, min(200, len(provider_ids)))

    def refresh(provider_id: int) -> None:
        refresh_provider_snapshots(provider_ids=[provider_id], reason="submission")

    refresh(sample[0])
    times = []
    for provider_id in sample:
        begun = time.perf_counter()
        refresh(provider_id)
        times.append((time.perf_counter() - begun) * 1000)
    say("dashboards_provider_refresh_p95_ms", f"{p95(times):.1f}")
    with_hook, without = _single_scores_with_and_without_hook(sample[:120])
    say("dashboards_single_score_with_hook_p50_ms", f"{statistics.median(with_hook):.1f}")
    say("dashboards_single_score_without_hook_p50_ms", f"{statistics.median(without):.1f}")
    say(
        "dashboards_hook_p50_ms",
        f"{statistics.median(with_hook) - statistics.median(without):.1f}",
    )
    started = time.perf_counter()
    pending = refresh_requested(hold_rescore=False)
    say(
        "dashboards_pending_refresh_s",
        f"{time.perf_counter() - started:.2f} ({pending.providers} providers, {pending.areas} areas)",
    )

    for name, limit in TARGETS.items():
        value = results[name]
        context.target(name, value <= limit, f"{value:.3g} > {limit}")
