"""The admin offers only what may change, and refuses what the loader would refuse."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from standards.canonical import content_hash, export_text
from standards.format import parse_version_text
from standards.models import Requirement, Section, Standard, StandardVersion
from standards.services import publish_version
from tests.standards.builders import document, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions() -> tuple[StandardVersion, StandardVersion]:
    published = make_version(publish=True)
    draft = make_version(document(version="1.1"))
    return published, draft


def requirement_data(requirement: Requirement, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": requirement.version_id,
        "section": requirement.section_id,
        "order": requirement.order,
        "key": requirement.key,
        "title": requirement.title,
        "question": requirement.question,
        "guidance": requirement.guidance,
        "theme": requirement.theme,
        "applies_to": requirement.applies_to,
        "strength": requirement.strength,
        "weight": requirement.weight,
        "answer_type": requirement.answer_type,
        "answer_options": requirement.answer_options,
        "rule": requirement.rule,
        "allow_not_applicable": requirement.allow_not_applicable,
        "evidence_prompt": requirement.evidence_prompt,
        "evidence_required": requirement.evidence_required,
        "citations": requirement.citations,
        "effective_from": "",
        "effective_to": "",
    }
    data.update(changes)
    for name in ("applies_to", "answer_options", "rule", "citations"):
        data[name] = json.dumps(data[name])
    # An unticked checkbox is absent from the POST.
    return {k: v for k, v in data.items() if v is not False}


def section_data(section: Section, **changes: object) -> dict[str, object]:
    data = {
        "version": section.version_id,
        "code": section.code,
        "title": section.title,
        "description": section.description,
        "order": section.order,
        "weight": section.weight,
    }
    data.update(changes)
    return data


def form_of(response):  # type: ignore[no-untyped-def]
    return response.context["adminform"].form


def test_a_draft_requirement_cannot_move_into_a_published_versions_section(
    admin_client: Client, versions
):
    published, draft = versions
    before = export_text(published)
    requirement = draft.requirements.get(key="SCH-POLICY-URL")
    response = admin_client.post(
        f"/admin/standards/requirement/{requirement.pk}/change/",
        requirement_data(requirement, section=published.sections.first().pk),
    )
    assert response.status_code == 200
    assert "section" in form_of(response).errors
    assert export_text(published) == before
    assert content_hash(before) == published.content_hash


def test_requirement_choices_are_drafts_and_the_versions_own_sections(
    admin_client: Client, versions
):
    _, draft = versions
    other_draft = make_version(document(version="2.0"))
    requirement = draft.requirements.first()
    form = form_of(admin_client.get(f"/admin/standards/requirement/{requirement.pk}/change/"))
    assert set(form.fields["version"].queryset) == {draft, other_draft}
    assert set(form.fields["section"].queryset) == set(draft.sections.all())
    add_form = form_of(admin_client.get("/admin/standards/requirement/add/"))
    assert set(add_form.fields["section"].queryset) == set(
        Section.objects.filter(version__in=[draft, other_draft])
    )


def test_adding_a_requirement_to_a_published_version_is_a_form_error(
    admin_client: Client, versions
):
    published, _ = versions
    template = published.requirements.first()
    response = admin_client.post(
        "/admin/standards/requirement/add/",
        requirement_data(template, key="SCH-NEW-ONE"),
    )
    assert response.status_code == 200
    assert "version" in form_of(response).errors
    assert not Requirement.objects.filter(key="SCH-NEW-ONE").exists()


def test_saving_a_section_with_a_published_version_is_a_form_error(admin_client: Client, versions):
    published, draft = versions
    section = draft.sections.first()
    response = admin_client.post(
        f"/admin/standards/section/{section.pk}/change/",
        section_data(section, version=published.pk, weight=5),
    )
    assert response.status_code == 200
    assert "version" in form_of(response).errors
    assert published.sections.count() == 2


def test_the_models_guards_are_validation_errors_for_forms(versions):
    # Whatever the choices offer, a form never gets a FrozenVersionError (a 500) from save().
    published, draft = versions
    with pytest.raises(ValidationError):
        Section(version=published, code="NEW", title="New", order=9).full_clean()
    requirement = draft.requirements.first()
    requirement.section = published.sections.first()
    with pytest.raises(ValidationError) as caught:
        requirement.full_clean()
    assert "section" in caught.value.message_dict


def test_the_slug_is_read_only_once_a_version_has_left_draft(admin_client: Client, versions):
    standard = Standard.objects.get()
    response = admin_client.post(
        f"/admin/standards/standard/{standard.pk}/change/",
        {"slug": "renamed", "title": standard.title, "owner": standard.owner},
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.slug == "test-standard"


def test_the_slug_is_editable_while_every_version_is_a_draft(admin_client: Client):
    make_version()
    standard = Standard.objects.get()
    response = admin_client.post(
        f"/admin/standards/standard/{standard.pk}/change/",
        {"slug": "renamed", "title": standard.title, "owner": standard.owner},
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.slug == "renamed"


def test_the_requirement_form_refuses_what_the_loader_refuses(admin_client: Client, versions):
    _, draft = versions
    requirement = draft.requirements.get(key="SCH-POLICY-URL")
    response = admin_client.post(
        f"/admin/standards/requirement/{requirement.pk}/change/",
        requirement_data(
            requirement,
            applies_to=["castle"],
            citations=[{"document": "Children and Families Act 2014"}],
            answer_options={"bogus": 1},
        ),
    )
    assert response.status_code == 200
    errors = form_of(response).errors
    assert errors["applies_to"] == ["applies_to[0]: unknown provider type 'castle'"]
    assert errors["citations"] == ["citations[0]: missing required field 'reference'"]
    assert errors["answer_options"] == ["answer: unexpected field 'bogus'"]
    requirement.refresh_from_db()
    assert requirement.applies_to == ["mainstream_school", "special_school"]


def test_the_requirement_form_refuses_an_impossible_rule_date(admin_client: Client, versions):
    _, draft = versions
    requirement = draft.requirements.get(key="SCH-POLICY-REVIEWED")
    response = admin_client.post(
        f"/admin/standards/requirement/{requirement.pk}/change/",
        requirement_data(requirement, rule={"op": "date_on_or_after", "date": "2024-02-30"}),
    )
    assert response.status_code == 200
    assert form_of(response).errors["rule"] == [
        "rule.date: '2024-02-30' is not a real date (day is out of range for month)"
    ]


def test_the_requirement_form_stores_the_canonical_form_so_the_export_loads_back(
    admin_client: Client, versions
):
    _, draft = versions
    requirement = draft.requirements.get(key="SCH-POLICY-REVIEWED")
    response = admin_client.post(
        f"/admin/standards/requirement/{requirement.pk}/change/",
        requirement_data(
            requirement,
            applies_to=["special_school", "mainstream_school"],
            citations=[{"document": "SEND Code of Practice", "reference": "6.79"}],
        ),
    )
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.applies_to == ["mainstream_school", "special_school"]
    assert requirement.citations[0]["verified"] is True
    published = publish_version(slug="test-standard", version="1.1")
    text = export_text(published)
    assert content_hash(text) == published.content_hash
    assert parse_version_text(text)["sections"][0]["requirements"][1]["applies_to"] == [
        "mainstream_school",
        "special_school",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answer_type": "single_choice", "answer_options": None}, "answer_options"),
        ({"answer_type": "single_choice", "answer_options": ["a", "b"]}, "answer_options"),
        ({"applies_to": "mainstream_school"}, "applies_to"),
        ({"citations": {"document": "Doc", "reference": "1"}}, "citations"),
        ({"rule": {"op": "if", "requirement": "SCH-NOPE"}}, "rule"),
        ({"answer_type": "date"}, "rule"),
    ],
    ids=["no options", "options a list", "applies_to text", "citations a mapping", "bad if", "op"],
)
def test_odd_values_are_form_errors_not_500s(admin_client: Client, versions, changes, field):
    _, draft = versions
    requirement = draft.requirements.get(key="SCH-POLICY-URL")
    response = admin_client.post(
        f"/admin/standards/requirement/{requirement.pk}/change/",
        requirement_data(requirement, **changes),
    )
    assert response.status_code == 200
    assert field in form_of(response).errors


def test_every_page_renders_for_published_and_draft_content(admin_client: Client, versions):
    published, draft = versions
    pages = [
        f"/admin/standards/requirement/{published.requirements.first().pk}/change/",
        f"/admin/standards/requirement/{draft.requirements.first().pk}/change/",
        f"/admin/standards/section/{published.sections.first().pk}/change/",
        f"/admin/standards/section/{draft.sections.first().pk}/change/",
        f"/admin/standards/standardversion/{published.pk}/change/",
        f"/admin/standards/standardversion/{draft.pk}/change/",
        f"/admin/standards/standard/{published.standard_id}/change/",
        "/admin/standards/requirement/add/",
        "/admin/standards/section/add/",
        "/admin/standards/standardversion/add/",
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    html = admin_client.get(pages[1]).content.decode()
    assert "test-standard 1.1: GOVERNANCE Leadership" in html
