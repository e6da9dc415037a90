from django.core.management.base import BaseCommand, CommandError, CommandParser

from standards.models import StandardVersion
from standards.selectors import diff_versions


class Command(BaseCommand):
    help = "Print the sections (by code) and requirements (by key) added, removed and changed between two versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("old")
        parser.add_argument("new")

    def handle(self, *args: object, **options: str) -> None:
        versions = {}
        for label in (options["old"], options["new"]):
            try:
                versions[label] = StandardVersion.objects.select_related("standard").get(
                    standard__slug=options["slug"], version=label
                )
            except StandardVersion.DoesNotExist as exc:
                raise CommandError(f"there is no version {label} of {options['slug']}") from exc
        diff = diff_versions(old=versions[options["old"]], new=versions[options["new"]])
        out = self.stdout
        out.write(f"{options['slug']}: {options['old']} → {options['new']}")
        out.write(
            f"sections added: {len(diff.sections_added)} removed: {len(diff.sections_removed)}"
            f" changed: {len(diff.sections_changed)}"
        )
        for section in diff.sections_added:
            out.write(f"+ section {section.code}: {section.title}")
        for section in diff.sections_removed:
            out.write(f"- section {section.code}: {section.title}")
        for section_change in diff.sections_changed:
            out.write(f"~ section {section_change.code}: {section_change.new.title}")
            for field_change in section_change.changes:
                out.write(
                    f"    {field_change.field}: {field_change.old_text} → {field_change.new_text}"
                )
        out.write(
            f"added: {len(diff.added)} removed: {len(diff.removed)}"
            f" changed: {len(diff.changed)} unchanged: {diff.unchanged_count}"
        )
        for requirement in diff.added:
            out.write(f"+ {requirement.key}: {requirement.title}")
        for requirement in diff.removed:
            out.write(f"- {requirement.key}: {requirement.title}")
        for change in diff.changed:
            out.write(f"~ {change.key}: {change.new.title}")
            for field_change in change.changes:
                out.write(
                    f"    {field_change.field}: {field_change.old_text} → {field_change.new_text}"
                )
        # The new version's own account of its changes, which names the keys above.
        notes = versions[options["new"]].change_notes
        if notes:
            out.write(f"change notes of {options['new']}:")
            for line in notes.splitlines():
                out.write(f"  {line}" if line else "")
