"""The demonstration's local standard: Westminster's, on top of the national baseline."""

from __future__ import annotations

from pathlib import Path

from common.output import Output
from standards.canonical import content_hash
from standards.format import canonical_text, read_text
from standards.models import StandardVersion, VersionStatus
from standards.services import parse_standard_text, publish_version, store_draft

DEMO_LOCAL_STANDARD_FILE = Path(__file__).parent / "data" / "westminster-local-1.0.yaml"


def publish_demo_local_standard(*, stdout: Output) -> StandardVersion | None:
    """Load and publish the demonstration's local standard once the version it extends is
    published. Safe to run again: a published local version is left as it is."""
    text = DEMO_LOCAL_STANDARD_FILE.read_text(encoding="utf-8")
    raw = read_text(text)
    extends = raw["extends"]
    national = StandardVersion.objects.filter(
        standard__slug=extends["slug"],
        version=extends["version"],
        status__in=(VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED),
    ).first()
    if national is None:
        stdout.write(
            f"Local standard {raw['standard']['slug']} not loaded: it extends"
            f" {extends['slug']} {extends['version']}, which is not published\n"
        )
        return None
    document = parse_standard_text(text)
    slug, label = document["standard"]["slug"], document["version"]
    existing = StandardVersion.objects.filter(standard__slug=slug, version=label).first()
    if existing is not None and not existing.is_draft:
        if existing.content_hash != content_hash(canonical_text(document)):
            stdout.write(
                f"Warning: {slug} {label} is {existing.status} and differs from the file\n"
            )
        return existing
    store_draft(document=document)
    version = publish_version(slug=slug, version=label)
    stdout.write(
        f"Loaded and published the local standard {slug} {label} (area {version.standard.area_code})\n"
    )
    return version
