"""Print a demo account's current second-factor code, for trying the service without an
authenticator app. Refused with production settings and for any account not enrolled with the
published demo secret."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from accounts.models import User
from accounts.selectors import authenticator
from core.demo import DEMO_USERS, demo_totp_key


class Command(BaseCommand):
    help = "Print the current 6-digit second-factor code of a demo account (not in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="a demo account, for example officer@example.org")

    def handle(self, *args: object, **options: object) -> None:
        if getattr(settings, "ENVIRONMENT", "") == "production":
            raise CommandError("demo_code refuses to run with production settings.")
        email = str(options["email"]).strip().lower()
        if email not in {demo.email for demo in DEMO_USERS}:
            raise CommandError(f"{email} is not a demo account: demo_code prints only theirs.")
        user = User.objects.filter(email__iexact=email).first()
        device = authenticator(user=user) if user is not None else None
        if device is None or device.key != demo_totp_key():
            raise CommandError(
                f"{email} has no second factor with the demo secret: run seed_demo first."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
