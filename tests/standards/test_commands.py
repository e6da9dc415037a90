import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from standards.models import Requirement, Section, StandardVersion, VersionStatus
from tests.standards.builders import as_yaml, document, make_version

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, doc, name="v.yaml"):
    path = tmp_path / name
    path.write_text(as_yaml(doc), encoding="utf-8")
    return path


def test_load_creates_a_draft(tmp_path):
    out, _ = run("load_standard", str(write(tmp_path, document())))
    version = StandardVersion.objects.get()
    assert version.status == VersionStatus.DRAFT
    assert version.requirements.count() == 3
    assert version.sections.count() == 2
    assert "Loaded draft test-standard 1.0: 2 sections, 3 requirements" in out


def test_load_replaces_a_draft_with_the_same_label(tmp_path):
    run("load_standard", str(write(tmp_path, document())))
    changed = document(change_notes="Second try")
    out, _ = run("load_standard", str(write(tmp_path, changed)))
    assert "Replaced draft" in out
    assert StandardVersion.objects.get().change_notes == "Second try"


def test_load_refuses_to_replace_a_published_version(tmp_path):
    make_version(publish=True)
    with pytest.raises(CommandError, match="nothing was loaded"):
        run("load_standard", str(write(tmp_path, document(change_notes="sneaky"))))
    assert StandardVersion.objects.get().change_notes == ""


def test_load_with_problems_loads_nothing_and_names_each_place(tmp_path):
    doc = document()
    doc["sections"][0]["requirements"][1]["rule"] = {"op": "gte "}
    path = write(tmp_path, doc)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was loaded"):
        call_command("load_standard", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}: sections[0].requirements[1].rule.op: unknown operator 'gte '" in err.getvalue()
    assert not StandardVersion.objects.exists()


def test_load_of_an_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="cannot read the file"):
        run("load_standard", str(path))


def test_check_validates_without_loading(tmp_path):
    out, _ = run("load_standard", str(write(tmp_path, document())), "--check")
    assert "valid: 2 sections, 3 requirements, content hash" in out
    assert not StandardVersion.objects.exists()


def test_publish_stores_the_hash_of_exactly_what_export_prints():
    make_version()
    out, _ = run("publish_standard", "test-standard", "1.0")
    version = StandardVersion.objects.get()
    exported, _ = run("export_standard", "test-standard", "1.0")
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None
    assert version.content_hash == hashlib.sha256(exported.encode("utf-8")).hexdigest()
    assert version.content_hash in out


def test_publish_supersedes_the_previous_version():
    first = make_version(publish=True)
    make_version(document(version="1.1"))
    run("preview_standard", "test-standard", "1.1")
    out, _ = run("publish_standard", "test-standard", "1.1")
    first.refresh_from_db()
    second = StandardVersion.objects.get(version="1.1")
    assert first.status == VersionStatus.SUPERSEDED
    assert second.supersedes == first
    assert "supersedes 1.0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "1.0"), "there is no version 1.0 of nope"),
        (("test-standard", "1.0"), "already published"),
    ],
)
def test_publish_errors(args, message):
    make_version(publish=True)
    with pytest.raises(CommandError, match=message):
        run("publish_standard", *args)


def test_export_then_load_gives_the_same_hash(tmp_path):
    version = make_version(publish=True)
    exported, _ = run("export_standard", "test-standard", "1.0")
    assert json.loads(exported)["version"] == "1.0"
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")
    out, _ = run("load_standard", str(path), "--check")
    assert version.content_hash in out


def test_export_is_stable_across_calls():
    make_version(publish=True)
    assert run("export_standard", "test-standard", "1.0") == run(
        "export_standard", "test-standard", "1.0"
    )


def test_export_unknown_version():
    with pytest.raises(CommandError, match="there is no version"):
        run("export_standard", "test-standard", "9.9")


def test_diff_prints_added_removed_and_changed_by_key():
    make_version(publish=True)
    doc = document(version="1.1")
    reqs = doc["sections"][0]["requirements"]
    reqs[0]["weight"] = 3
    reqs[0]["rule"] = {"op": "answered"}
    removed = reqs.pop(1)
    reqs.append({**removed, "key": "SCH-POLICY-APPROVED", "title": "SEN policy approved"})
    make_version(doc)
    out, _ = run("diff_standard", "test-standard", "1.0", "1.1")
    assert "added: 1 removed: 1 changed: 1 unchanged: 1" in out
    assert "+ SCH-POLICY-APPROVED: SEN policy approved" in out
    assert "- SCH-POLICY-REVIEWED: SEN policy reviewed" in out
    assert "~ SCH-POLICY-URL" in out
    assert "weight: 1 → 3" in out
    assert 'rule: {"op": "https_url"} → {"op": "answered"}' in out


def test_loading_an_export_as_a_draft_then_publishing_gives_the_same_hash(tmp_path):
    original = make_version(publish=True)
    exported, _ = run("export_standard", "test-standard", "1.0")
    # The same content under a new label is a different document, so compare the draft's own export.
    relabelled = exported.replace('"version": "1.0"', '"version": "2.0"')
    path = tmp_path / "export.json"
    path.write_text(relabelled, encoding="utf-8")
    run("load_standard", str(path))
    again, _ = run("export_standard", "test-standard", "2.0")
    assert again == relabelled
    assert original.content_hash == hashlib.sha256(exported.encode()).hexdigest()


def test_publishing_sends_version_published_on_commit(django_capture_on_commit_callbacks):
    from standards.signals import version_published

    received = []

    def receiver(sender, version_id, **kwargs):
        received.append(version_id)

    version_published.connect(receiver, dispatch_uid="test-publish")
    try:
        make_version()
        with django_capture_on_commit_callbacks(execute=True):
            run("publish_standard", "test-standard", "1.0")
    finally:
        version_published.disconnect(dispatch_uid="test-publish")
    assert received == [StandardVersion.objects.get().pk]


def test_load_names_an_impossible_date_instead_of_crashing(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(as_yaml(document()).replace("'2026-09-01'", "2026-02-30"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was loaded"):
        call_command("load_standard", str(path), stdout=io.StringIO(), stderr=err)
    assert "effective_from: '2026-02-30' is not a real date" in err.getvalue()


def test_publish_rechecks_a_draft_edited_after_loading():
    draft = make_version()
    Requirement.objects.filter(version=draft, key="SCH-POLICY-URL").update(
        applies_to=["castle"],
        citations=[{"document": "Children and Families Act 2014"}],
        answer_options={"bogus": 1},
    )
    with pytest.raises(CommandError) as caught:
        run("publish_standard", "test-standard", "1.0")
    message = str(caught.value)
    place = "sections[0].requirements[0]"
    assert f"{place}.applies_to[0]: unknown provider type 'castle'" in message
    assert f"{place}.citations[0]: missing required field 'reference'" in message
    assert f"{place}.answer: unexpected field 'bogus'" in message
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publish_refuses_a_draft_whose_export_would_load_differently():
    draft = make_version()
    Requirement.objects.filter(version=draft, key="SCH-POLICY-URL").update(
        applies_to=["special_school", "mainstream_school"]
    )
    with pytest.raises(CommandError, match=r"sections\[0\]\.requirements\[0\]\.applies_to"):
        run("publish_standard", "test-standard", "1.0")
    assert StandardVersion.objects.get().status == VersionStatus.DRAFT


def test_diff_shows_section_changes():
    make_version(publish=True)
    doc = document(version="1.1")
    doc["sections"][0]["weight"] = 5
    doc["sections"][0]["title"] = "Leadership and governance"
    moved = doc["sections"].pop(1)
    doc["sections"].insert(0, {**moved, "code": "OFFER"})
    make_version(doc)
    out, _ = run("diff_standard", "test-standard", "1.0", "1.1")
    assert "sections added: 1 removed: 1 changed: 1" in out
    assert "+ section OFFER: Local offer" in out
    assert "- section LOCAL-OFFER: Local offer" in out
    assert "~ section GOVERNANCE: Leadership and governance" in out
    assert "    title: Leadership → Leadership and governance" in out
    assert "    weight: 1 → 5" in out
    assert "    order: 1 → 2" in out
    assert Section.objects.count() == 4
