from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.services import PublishError, publish_version


class Command(BaseCommand):
    help = "Publish a draft version: freeze it, store its hash and supersede the previous version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("version")

    def handle(self, *args: object, **options: str) -> None:
        try:
            version = publish_version(slug=options["slug"], version=options["version"])
        except PublishError as exc:
            raise CommandError(str(exc)) from exc
        message = (
            f"Published {version.standard.slug} {version.version} (sha256 {version.content_hash})"
        )
        if version.supersedes:
            message += f"; it supersedes {version.supersedes.version}"
        self.stdout.write(self.style.SUCCESS(message))
