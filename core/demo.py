"""Demonstration sign-ins and data. Never used in production."""

from dataclasses import dataclass

DEMO_PASSWORD = "send-demo-2026"
# The demo accounts that must use a second factor share this published authenticator secret
# (base32, as apps take it). Add it to any authenticator app, or run
# `python manage.py demo_code EMAIL` for the current code. Never used in production.
DEMO_TOTP_SECRET = "CHECKSENDPROVISIONDEMOSECRET2345"


def demo_totp_key() -> str:
    """The demo secret as django-otp stores it (hex)."""
    import base64

    return base64.b32decode(DEMO_TOTP_SECRET).hex()


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    description: str


DEMO_USERS = [
    DemoUser(
        "headteacher@example.org",
        "Hana Head",
        "provider_editor",
        "headteacher: edits and submits a demo primary school's declarations",
    ),
    DemoUser(
        "officer@example.org",
        "Omar Officer",
        "area_officer",
        "area officer for that school's local authority",
    ),
    DemoUser("icb@example.org", "Ines ICB", "icb_officer", "officer of an ICB covering that area"),
    DemoUser(
        "analyst@example.org",
        "Ada Analyst",
        "national_analyst",
        "national analyst: reads everything",
    ),
    DemoUser(
        "standards@example.org",
        "Sam Standards",
        "standards_admin",
        "standards admin: authors and publishes standards",
    ),
    DemoUser(
        "admin@example.org",
        "Alex Admin",
        "site_admin",
        "site admin: manages people and everything else",
    ),
]
