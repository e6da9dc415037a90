"""Every page reachable by links, at 320 CSS pixels wide, for a visitor, a headteacher and an
area officer: none is wider than the window (WCAG 2.2, 1.4.10 Reflow). Wide tables scroll inside
their own container instead of the page.

The demo data (`seed_demo`) gives each role real pages to reach. Pages that differ only in an
id (one provider's result or another's) are visited twice at most per shape of address.
"""

import io
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from core.demo import DEMO_PASSWORD
from tests import mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 320
PER_SHAPE = 2
MAX_PAGES = 150
SKIP = re.compile(
    r"^/(admin|api|static|account/sign-out)(/|$)"
    r"|\.(csv|xlsx|json|pdf|yaml|txt)$"
    r"|/(download|export|exports)/"
)
WIDTH_SCRIPT = """() => {
  const root = document.documentElement;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && !el.closest('.app-table-scroll, [tabindex="0"]')) {
      wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(box.right));
      if (wide.length > 3) break;
    }
  }
  return {scroll: root.scrollWidth, inner: window.innerWidth, wide: wide};
}"""


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def sign_in(page: Page, base: str, email: str) -> None:
    """Email and password, then the code from the demo secret for those who need one."""
    mfa.sign_in(page, base, email, DEMO_PASSWORD)


def crawl(page: Page, base: str) -> tuple[list[str], list[str]]:
    """Visit every page reachable by links from the home page; return (visited, too wide)."""
    host = urlsplit(base).netloc
    seen_shapes: Counter[str] = Counter()
    queued = {"/"}
    queue = deque(["/"])
    visited: list[str] = []
    too_wide: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(base + path)
        assert response is not None
        if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        found = page.evaluate(WIDTH_SCRIPT)
        if found["scroll"] > found["inner"]:
            too_wide.append(f"{path}: {found['scroll']} px wide; {', '.join(found['wide'])}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(urldefrag(href)[0])
            if url.scheme not in ("http", "https") or url.netloc != host:
                continue
            target = url.path or "/"
            if target in queued or SKIP.search(target):
                continue
            queued.add(target)
            if seen_shapes[shape(target)] >= PER_SHAPE:
                continue
            seen_shapes[shape(target)] += 1
            queue.append(target)
    return visited, too_wide


@pytest.mark.parametrize("email", [None, "headteacher@example.org", "officer@example.org"])
def test_no_page_is_wider_than_320_pixels(live_server, page: Page, demo, email):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    if email:
        sign_in(page, live_server.url, email)
    visited, too_wide = crawl(page, live_server.url)
    assert len(visited) >= (10 if email is None else 25), visited
    assert not too_wide, "\n".join(too_wide)
