"""What the self-audit page tests share: a signed-in client, and posting answers."""

import re

from django.test import Client

from accounts.models import User
from audits.models import Declaration
from audits.periods import period_for
from audits.services import today

THIS_YEAR = period_for(today())

KEYS = [
    "SCH-POLICY-URL",
    "SCH-POLICY-REVIEWED",
    "SCH-COUNT",
    "SCH-ONE",
    "SCH-MANY",
    "SCH-TEXT",
    "SCH-YES",
]

# The form posts that complete each question of `choices_version`.
COMPLETE_POSTS = {
    "SCH-POLICY-URL": {"value": "https://school.example.org/sen"},
    "SCH-POLICY-REVIEWED": {"value-day": "1", "value-month": "9", "value-year": "2026"},
    "SCH-COUNT": {"value": "95"},
    "SCH-ONE": {"value": "a"},
    "SCH-MANY": {"value": ["a", "b"]},
    "SCH-TEXT": {"not_applicable": "yes", "not_applicable_reason": "We have no lead yet"},
    "SCH-YES": {"value": "yes", "evidence_note": "Minutes of the governors' meeting"},
}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def question_url(declaration: Declaration, key: str) -> str:
    return f"/declarations/{declaration.pk}/questions/{key}/"


def row_version(declaration: Declaration, key: str) -> int:
    return declaration.answers.get(requirement_key=key).row_version


def post_answer(client, declaration, key, data, action="continue", query=""):
    payload = {"row_version": row_version(declaration, key), "action": action, **data}
    return client.post(question_url(declaration, key) + query, payload)


def complete(client, declaration, keys=KEYS):
    for key in keys:
        response = post_answer(client, declaration, key, COMPLETE_POSTS[key])
        assert response.status_code == 302, response.content.decode()[:2000]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
