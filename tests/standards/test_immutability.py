import pytest
from django.db import IntegrityError, connection, transaction

from standards.models import (
    FrozenVersionError,
    Requirement,
    Section,
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


@pytest.mark.postgres
def test_raw_sql_delete_is_refused_by_postgresql(published):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM standards_requirement WHERE version_id = %s", [published.pk])
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
