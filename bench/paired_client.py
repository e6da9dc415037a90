"""One side of `python -m bench.paired`: serves dashboard pages to itself, on request.

Run by the paired benchmark with a checkout's own Python, in that checkout, against a database
its dashboards benchmark has filled; it must therefore import nothing from `bench` and only
what every version of the service has (Django's test client, the accounts and dashboards
models). It signs in a national analyst, as the dashboards benchmark does, then reads lines
"PATH COUNT" on stdin and answers each with one line: the wall-clock and CPU milliseconds of
each of COUNT requests for PATH, as JSON. The page names in PATH are filled in here: AREA (the
largest area), COMPARE (the five largest) and ICB (the first board by code).

Usage: python paired_client.py DATABASE_URL STATIC_ROOT
"""

from __future__ import annotations

import json
import os
import sys
import time


def _setup(database_url: str, static_root: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="settings.local",
        DEBUG="0",
        # As the dashboards benchmark measures: a connection a request.
        DATABASE_CONN_MAX_AGE="0",
    )
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.STATIC_ROOT = static_root
    call_command("collectstatic", interactive=False, verbosity=0)


def _signed_in_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import grant_role

    analyst, _ = User.objects.get_or_create(email="bench-analyst@example.org")
    if not analyst.grants.filter(role=Role.NATIONAL_ANALYST).exists():
        grant_role(user=analyst, role=Role.NATIONAL_ANALYST, scope=None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    try:  # versions with a second factor: the session is verified by one
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return client
    device, _ = TOTPDevice.objects.get_or_create(
        user=analyst, confirmed=True, defaults={"name": "Benchmark"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _names() -> dict[str, str]:
    from dashboards.models import AreaSnapshot
    from providers.models import IcbAreaCoverage

    codes = list(
        AreaSnapshot.objects.order_by("-provider_count").values_list("area__code", flat=True)[:5]
    )
    icb = IcbAreaCoverage.objects.values("icb__code").order_by("icb__code").first()
    return {
        "AREA": codes[0],
        "COMPARE": "&".join(f"area={c}" for c in codes),
        "ICB": icb["icb__code"] if icb else "",
    }


def main() -> None:
    _setup(sys.argv[1], sys.argv[2])
    client = _signed_in_client()
    names = _names()
    print("ready", flush=True)
    for line in sys.stdin:
        path, count = line.split()
        for name, value in names.items():
            path = path.replace(name, value)
        wall, cpu = [], []
        for _ in range(int(count)):
            started, used = time.perf_counter(), time.process_time()
            response = client.get(path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            if response.status_code != 200:
                print(json.dumps({"error": f"{path} answered {response.status_code}"}), flush=True)
                break
        else:
            print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()
