"""Revoke API tokens: every token (after a suspected leak or a secret key rotation), or one
person's."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from api.services import revoke_all_tokens, revoke_every_token


class Command(BaseCommand):
    help = "Revoke every API token (--all) or the tokens of the person with --email."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help="Every token of everyone.")
        group.add_argument("--email", help="The tokens of this person.")
        parser.add_argument("--reason", default="revoked by an operator")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            count = revoke_every_token(reason=options["reason"])
        else:
            user = User.objects.filter(email__iexact=options["email"].strip()).first()
            if user is None:
                raise CommandError(f"There is no account with the email address {options['email']}")
            count = revoke_all_tokens(user=user, reason=options["reason"])
        self.stdout.write(f"{count} token{'s' if count != 1 else ''} revoked")
