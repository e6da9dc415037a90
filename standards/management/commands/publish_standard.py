from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.models import StandardVersion
from standards.services import PublishError, notes_before_publishing, publish_version


class Command(BaseCommand):
    help = (
        "Publish a draft version: freeze it, store its hash and supersede the previous version."
        " Prints the latest impact preview's summary first, and refuses without --force when"
        " there is none or the draft changed since."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("version")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Publish even without a current impact preview.",
        )

    def handle(self, *args: object, **options: object) -> None:
        slug, label = str(options["slug"]), str(options["version"])
        draft = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
        if draft is not None and draft.is_draft:
            refusals = []
            for note in notes_before_publishing(version=draft):
                for line in note.lines:
                    self.stdout.write(line)
                if note.refusal:
                    refusals.append(note.refusal)
            if refusals and not options["force"]:
                raise CommandError(
                    "Not published: " + "; ".join(refusals) + ". Use --force to publish anyway."
                )
            for refusal in refusals:
                self.stderr.write(f"Publishing anyway (--force): {refusal}")
        try:
            version = publish_version(slug=slug, version=label)
        except PublishError as exc:
            raise CommandError(str(exc)) from exc
        message = (
            f"Published {version.standard.slug} {version.version} (sha256 {version.content_hash})"
        )
        if version.supersedes:
            message += f"; it supersedes {version.supersedes.version}"
        self.stdout.write(self.style.SUCCESS(message))
