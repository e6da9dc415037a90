"""Demonstration sign-ins and data. Never used in production."""

from dataclasses import dataclass

DEMO_PASSWORD = "send-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    description: str


DEMO_USERS = [
    DemoUser(
        "standards@example.org", "Sam Standards", "standards admin: authors and publishes standards"
    ),
    DemoUser("admin@example.org", "Alex Admin", "site admin: manages people and everything else"),
]
