from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.canonical import content_hash
from standards.format import StandardFormatError, canonical_text
from standards.services import parse_standard_text, store_draft


class Command(BaseCommand):
    help = (
        "Validate a standard version file (YAML or JSON), national or local (extends:),"
        " and load it as a draft."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Validate only and print the content hash the version would have; load nothing.",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file: {exc}") from exc
        try:
            document = parse_standard_text(text)
            if options["check"]:
                sections = document["sections"]
                count = sum(len(s["requirements"]) for s in sections)
                self.stdout.write(
                    f"{path}: valid: {len(sections)} sections, {count} requirements,"
                    f" content hash {content_hash(canonical_text(document))}"
                )
                return
            result = store_draft(document=document)
        except StandardFormatError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}; nothing was loaded"
            ) from exc
        version = result.version
        verb = "Replaced draft" if result.replaced else "Loaded draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {version.standard.slug} {version.version}:"
                f" {result.sections} sections, {result.requirements} requirements"
            )
        )
