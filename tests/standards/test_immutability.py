import pytest
from django.core.management import call_command
from django.core.management.commands import flush as django_flush
from django.db import IntegrityError, connection, transaction

from standards.models import (
    FrozenVersionError,
    MisplacedRequirementError,
    Requirement,
    Section,
    Standard,
    StandardVersion,
    VersionStatus,
)
from standards.services import withdraw_version
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return make_version(publish=True)


def test_orm_save_of_a_requirement_is_refused(published):
    requirement = published.requirements.first()
    requirement.title = "Changed"
    with pytest.raises(FrozenVersionError):
        requirement.save()


def test_orm_save_of_a_section_is_refused(published):
    section = published.sections.first()
    section.weight = 5
    with pytest.raises(FrozenVersionError):
        section.save()


def test_orm_save_of_version_content_is_refused(published):
    published.change_notes = "Changed"
    with pytest.raises(FrozenVersionError):
        published.save()


def test_orm_delete_is_refused(published):
    with pytest.raises(FrozenVersionError), transaction.atomic():
        published.requirements.first().delete()
    with pytest.raises(FrozenVersionError), transaction.atomic():
        StandardVersion.objects.filter(pk=published.pk).delete()
    assert published.requirements.count() == 3


@pytest.mark.parametrize(
    "update",
    [
        lambda v: Requirement.objects.filter(version=v).update(title="Changed"),
        lambda v: Requirement.objects.filter(version=v).update(rule={"op": "answered"}),
        lambda v: Section.objects.filter(version=v).update(weight=9),
        lambda v: StandardVersion.objects.filter(pk=v.pk).update(content_hash="0" * 64),
        lambda v: StandardVersion.objects.filter(pk=v.pk).update(effective_from="2030-01-01"),
        lambda v: StandardVersion.objects.filter(pk=v.pk).update(status=VersionStatus.DRAFT),
    ],
    ids=[
        "requirement title",
        "requirement rule",
        "section weight",
        "hash",
        "effective date",
        "back to draft",
    ],
)
def test_queryset_update_is_refused_by_the_database(published, update):
    with pytest.raises(IntegrityError), transaction.atomic():
        update(published)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE standards_requirement SET title = 'Changed' WHERE version_id = %s",
        "UPDATE standards_section SET title = 'Changed' WHERE version_id = %s",
        "UPDATE standards_standardversion SET change_notes = 'Changed' WHERE id = %s",
    ],
)
def test_raw_sql_update_is_refused_by_the_database(published, sql):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [published.pk])
    published.refresh_from_db()
    assert published.change_notes == ""


def test_raw_sql_insert_into_a_published_version_is_refused(published):
    section = published.sections.first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO standards_section (version_id, code, title, description, "order", weight)'
            " VALUES (%s, 'NEW', 'New', '', 99, 1)",
            [section.version_id],
        )


@pytest.mark.parametrize("table", ["standards_requirement", "standards_section"])
def test_raw_sql_delete_is_refused_by_the_database(published, table):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE version_id = %s", [published.pk])
    assert published.requirements.count() == 3
    assert published.sections.count() == 2


def test_a_draft_can_still_be_deleted_with_its_content(published):
    draft = make_version(document(version="1.1"))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM standards_requirement WHERE version_id = %s AND key = 'LA-LOCAL-OFFER'",
            [draft.pk],
        )
    assert draft.requirements.count() == 2
    draft.delete()
    assert not Section.objects.filter(version_id=draft.pk).exists()
    assert not Requirement.objects.filter(version_id=draft.pk).exists()
    assert published.requirements.count() == 3


def test_status_may_move_on_from_published(published):
    withdraw_version(slug="test-standard", version="1.0")
    published.refresh_from_db()
    assert published.status == VersionStatus.WITHDRAWN


def test_raw_status_move_to_superseded_is_allowed(published):
    StandardVersion.objects.filter(pk=published.pk).update(status=VersionStatus.SUPERSEDED)
    published.refresh_from_db()
    assert published.status == VersionStatus.SUPERSEDED


def test_drafts_can_be_changed_freely():
    draft = make_version()
    Requirement.objects.filter(version=draft).update(title="Changed")
    draft.change_notes = "Edited"
    draft.save()
    assert set(draft.requirements.values_list("title", flat=True)) == {"Changed"}


def test_only_one_published_version_per_standard(published):
    other = make_version(document(version="2.0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=other.pk).update(
            status=VersionStatus.PUBLISHED,
            content_hash="a" * 64,
            published_at=published.published_at,
        )


# ---- a requirement's section belongs to the requirement's version ---------------------------


@pytest.fixture
def draft(published):
    return make_version(document(version="1.1"))


def test_orm_refuses_a_section_of_another_version(published, draft):
    requirement = draft.requirements.first()
    requirement.section = published.sections.first()
    with pytest.raises(MisplacedRequirementError):
        requirement.save()


@pytest.mark.parametrize(
    "move",
    [
        lambda draft, other: Requirement.objects.filter(version=draft).update(
            section=other.sections.first()
        ),
        lambda draft, other: Requirement.objects.filter(version=draft).update(version=other),
    ],
    ids=["section", "version"],
)
def test_database_refuses_a_section_of_another_version(published, draft, move):
    # Into the published version, and (where no version is frozen) into another draft.
    other_draft = make_version(document(version="2.0"))
    for other in (published, other_draft):
        with pytest.raises(IntegrityError), transaction.atomic():
            move(draft, other)
    assert published.requirements.count() == 3


def test_raw_sql_insert_of_a_requirement_in_another_versions_section_is_refused(published, draft):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO standards_requirement (version_id, section_id, "order", key, title,'
            " question, guidance, theme, applies_to, strength, weight, answer_type,"
            " answer_options, rule, allow_not_applicable, evidence_prompt, evidence_required,"
            " citations) VALUES (%s, %s, 9, 'SCH-SNEAKY', 'T', 'Q', '', 'governance',"
            " '[\"mainstream_school\"]', 'should', 1, 'yes_no', '{}', '{\"op\": \"is_yes\"}',"
            " false, '', false, '[]')",
            [draft.pk, published.sections.first().pk],
        )
    assert published.requirements.count() == 3


def test_a_section_with_requirements_cannot_move_to_another_version(draft):
    other_draft = make_version(document(version="2.0"))
    section = draft.sections.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(pk=section.pk).update(version=other_draft)
    section.version = other_draft
    with pytest.raises(MisplacedRequirementError):
        section.save()


# ---- the slug is part of every published export -------------------------------------------


def test_the_slug_cannot_change_once_a_version_has_left_draft(published):
    standard = Standard.objects.get()
    standard.slug = "renamed"
    with pytest.raises(FrozenVersionError):
        standard.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.update(slug="renamed")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE standards_standard SET slug = 'renamed'")
    standard.title = "A new title"  # not part of any export
    standard.slug = "test-standard"
    standard.save()
    assert Standard.objects.get().slug == "test-standard"


def test_the_slug_may_change_while_every_version_is_a_draft():
    make_version()
    Standard.objects.update(slug="renamed")
    assert Standard.objects.get().slug == "renamed"


TRIGGERS = {
    "sqlite": {
        "standards_version_guard_update",
        "standards_standard_guard_update",
        "standards_section_move_guard",
        "standards_requirement_section_insert",
        "standards_requirement_section_update",
        *(
            f"{table}_guard_{op}"
            for table in ("standards_section", "standards_requirement")
            for op in ("insert", "update", "delete")
        ),
    },
    "postgresql": {
        "standards_version_guard",
        "standards_standard_guard",
        "standards_section_guard",
        "standards_section_move_guard",
        "standards_requirement_guard",
        "standards_requirement_section_guard",
    },
}


def test_the_guards_survive_every_migration():
    # SQLite drops a table's triggers when a later migration rebuilds the table; this notices.
    if connection.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = {row[0] for row in cursor.fetchall()}
    assert TRIGGERS[connection.vendor] <= names


@pytest.mark.django_db(transaction=True)
def test_flush_empties_published_versions_whatever_order_it_takes(monkeypatch):
    # Django's flush empties tables in no fixed order; on SQLite, content first is refused.
    make_version(publish=True)
    real = django_flush.sql_flush

    def content_first(*args, **kwargs):
        return sorted(real(*args, **kwargs), key=lambda sql: "standards_standardversion" in sql)

    monkeypatch.setattr(django_flush, "sql_flush", content_first)
    call_command("flush", interactive=False, verbosity=0)
    assert not StandardVersion.objects.exists()
    assert not Requirement.objects.exists()
