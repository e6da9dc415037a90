"""Create a personal API token for automation; prints the token alone on one line, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from api.services import create_token


class Command(BaseCommand):
    help = "Create an API token for the person with EMAIL and print it (only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Expire after this many days (at most API_TOKEN_MAX_DAYS, the default).",
        )
        parser.add_argument(
            "--read-only", action="store_true", help="The token can only read (GET)."
        )

    def handle(
        self,
        *args: Any,
        email: str,
        name: str,
        expires_in_days: int | None,
        read_only: bool = False,
        **options: Any,
    ) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no account with the email address {email}")
        if not user.is_active:
            raise CommandError(f"The account {user.email} is deactivated")
        expires_at = None
        if expires_in_days is not None:
            if not 1 <= expires_in_days <= settings.API_TOKEN_MAX_DAYS:
                raise CommandError(
                    f"--expires-in-days must be between 1 and {settings.API_TOKEN_MAX_DAYS}"
                )
            expires_at = timezone.now() + dt.timedelta(days=expires_in_days)
        try:
            created = create_token(user=user, name=name, expires_at=expires_at, read_only=read_only)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(created.raw)
