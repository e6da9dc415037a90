"""The load run's users (`make load`; see reliability/load/__init__.py).

- ProviderEditor (40): saves answers one question page after another and submits, then starts
  a revision and goes on;
- Officer (10): area dashboards, the providers list and heat map, the area's gap list and the
  CSV exports;
- ApiClient (5): reads declarations, providers' results and the area summary with a token.

Every user waits a fixed time between tasks (`constant`), so that the load is the same from run
to run although the load generator shares the machine's cores with the server.

Each request is named by its kind ("page …", "save …", "api …"); reliability/load/__main__.py
groups the figures by those names.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from html.parser import HTMLParser
from typing import Any

import gevent
from locust import HttpUser, constant, task

ACCOUNTS: dict[str, Any] = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
_taken: dict[str, int] = {"editors": 0, "officers": 0, "api": 0}
MEASURE_SECONDS = int(os.environ.get("LOAD_SECONDS", "180"))
WINDOW = os.environ.get("LOAD_WINDOW", "")
_signed_in = {"count": 0}


def signed_in(environment: Any) -> None:
    """Once every person has signed in (the slow, deliberately costly password checks), the
    figures start again from nothing and the measured window of MEASURE_SECONDS begins."""
    _signed_in["count"] += 1
    if _signed_in["count"] != ProviderEditor.fixed_count + Officer.fixed_count:
        return
    stats = environment.runner.stats
    post = stats.get("sign in", "POST")
    warm_up = {
        "sign_ins": post.num_requests,
        "sign_in_p50_ms": post.get_response_time_percentile(0.5),
        "sign_in_p95_ms": post.get_response_time_percentile(0.95),
        "sign_in_failures": post.num_failures,
    }
    stats.reset_all()
    started = time.time()

    def finish() -> None:
        gevent.sleep(MEASURE_SECONDS)
        if WINDOW:
            with open(WINDOW, "w") as out:
                json.dump({**warm_up, "seconds": time.time() - started}, out)
        environment.runner.quit()

    gevent.spawn(finish)


def next_account(kind: str) -> dict[str, Any]:
    accounts = ACCOUNTS[kind]
    account = accounts[_taken[kind] % len(accounts)]
    _taken[kind] += 1
    return account


class Forms(HTMLParser):
    """The fields of each form on a page, as a browser would send them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"radio", "checkbox"}:
                if "checked" in a:
                    fields.append((name, a.get("value") or "on"))
            elif kind not in {"submit", "button", "file"}:
                fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            fields.append((self._select, a.get("value") or ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            fields = self.forms[-1]["fields"]
            name, value = fields[-1]
            fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def sign_in(user: HttpUser, email: str, password: str) -> None:
    """Sign in through the pages, as a person does. The one place that knows how: adapt it
    here if signing in gains steps (a second factor)."""
    page = user.client.get("/account/sign-in/", name="sign in")
    response = user.client.post(
        "/account/sign-in/",
        data={"csrfmiddlewaretoken": csrf_of(page.text), "username": email, "password": password},
        name="sign in",
        allow_redirects=False,
    )
    signed_in(user.environment)
    if response.status_code != 302:
        raise RuntimeError(f"signing in {email} failed: {response.status_code}")


class ProviderEditor(HttpUser):
    fixed_count = 40
    wait_time = constant(2)

    def on_start(self) -> None:
        self.account = next_account("editors")
        sign_in(self, self.account["email"], ACCOUNTS["password"])
        self.draft = self.account["draft"]
        self.questions: list[str] = self.account["questions"]
        self.position = 0

    def _post_form(self, url: str, html: str, name: str, extra: dict[str, str]) -> Any:
        form = next(
            f for f in forms_of(html) if f["fields"] and "csrfmiddlewaretoken" in dict(f["fields"])
        )
        data = [*form["fields"], *extra.items()]
        return self.client.post(form["action"] or url, data=data, name=name, allow_redirects=False)

    @task(8)
    def save_answer(self) -> None:
        """Open the next question and save its answer as it stands, as "Save and continue"."""
        key = self.questions[self.position % len(self.questions)]
        self.position += 1
        url = f"/declarations/{self.draft}/questions/{key}/"
        page = self.client.get(url, name="page question")
        if page.status_code != 200:
            return
        self._post_form(url, page.text, "save answer", {"action": "continue"})

    @task(1)
    def tasks_page(self) -> None:
        self.client.get(f"/declarations/{self.draft}/tasks/", name="page task list")

    @task(1)
    def submit(self) -> None:
        """Check the answers, submit, see the confirmation, then start a revision."""
        url = f"/declarations/{self.draft}/check/"
        page = self.client.get(url, name="page check answers")
        if page.status_code != 200:
            return
        done = self._post_form(url, page.text, "submit", {})
        if done.status_code != 302:
            return
        self.client.get(done.headers["Location"], name="page submitted")
        self.client.get(
            f"/providers/{self.account['provider']}/self-audit/", name="page self-audit"
        )
        page = self.client.get(f"/declarations/{self.draft}/", name="page declaration")
        started = self.client.post(
            f"/declarations/{self.draft}/revise/",
            data={"csrfmiddlewaretoken": csrf_of(page.text)},
            name="start revision",
            allow_redirects=False,
        )
        found = re.search(r"/declarations/(\d+)/", started.headers.get("Location", ""))
        if found:
            self.draft = int(found.group(1))


class Officer(HttpUser):
    fixed_count = 10
    wait_time = constant(3)

    def on_start(self) -> None:
        self.account = next_account("officers")
        sign_in(self, self.account["email"], ACCOUNTS["password"])
        self.area = self.account["area"]

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/dashboards/areas/{self.area}/", name="page area dashboard")

    @task(2)
    def providers(self) -> None:
        self.client.get(f"/dashboards/areas/{self.area}/providers/", name="page area providers")

    @task(1)
    def heatmap(self) -> None:
        self.client.get(f"/dashboards/areas/{self.area}/heatmap/", name="page area heat map")

    @task(3)
    def gaps(self) -> None:
        self.client.get(f"/areas/{self.area}/gaps/", name="page area gaps")

    @task(1)
    def export(self) -> None:
        self.client.get(
            f"/dashboards/areas/{self.area}/download/providers.csv", name="export providers csv"
        )

    @task(1)
    def provider_result(self) -> None:
        provider = random.choice(self.account["providers"])
        self.client.get(f"/providers/{provider}/result/", name="page provider result")


class ApiClient(HttpUser):
    fixed_count = 5
    wait_time = constant(1)

    def on_start(self) -> None:
        self.account = next_account("api")
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"

    @task(3)
    def declaration(self) -> None:
        declaration = random.choice(self.account["declarations"])
        self.client.get(f"/api/v1/declarations/{declaration}/", name="api declaration")

    @task(3)
    def result(self) -> None:
        provider = random.choice(self.account["providers"])
        self.client.get(f"/api/v1/providers/{provider}/result/", name="api provider result")

    @task(2)
    def summary(self) -> None:
        self.client.get(f"/api/v1/areas/{self.account['area']}/summary/", name="api area summary")
