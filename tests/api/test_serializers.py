"""The declaration JSON is written from its serializers' fields: the fast writer must give
exactly what DRF itself would, so that the output cannot drift from the schema."""

import pytest
from rest_framework import serializers

from api.serializers.declarations import (
    ANSWER_COLUMNS,
    AnswerSerializer,
    DeclarationDetailSerializer,
    DeclarationSerializer,
    DeclarationView,
)
from audits.services import start_declaration
from tests.audits.test_services import THIS_YEAR, fill

pytestmark = pytest.mark.django_db


def drf(serializer: serializers.Serializer, instance) -> dict:  # type: ignore[no-untyped-def]
    """DRF's own output for the serializer's fields, bypassing the plan."""
    return serializers.Serializer.to_representation(serializer, instance)


def test_the_declaration_json_is_what_its_serializer_fields_say(choices_version, school, editor):
    declaration = start_declaration(provider=school, user=editor, period=THIS_YEAR).declaration
    fill(declaration, editor)
    declaration.refresh_from_db()
    rows = list(declaration.answers.values(*ANSWER_COLUMNS))
    view = DeclarationView(declaration=declaration, answers=rows, health_only=False)
    written = DeclarationDetailSerializer(view).data
    assert list(written) == list(DeclarationDetailSerializer().fields)
    assert {k: v for k, v in written.items() if k not in ("answers", "provider", "version")} == {
        k: v
        for k, v in drf(DeclarationSerializer(), declaration).items()
        if k not in ("provider", "version")
    } | {
        "review_comment": "",
        "health_review_comment": "",
        "answers_scope": "all",
        "answered": len(rows),
        "total": len(rows),
    }
    assert written["provider"]["id"] == school.pk and written["version"]["id"] == (
        choices_version.pk
    )
    for row, answer in zip(written["answers"], rows, strict=True):
        assert row == drf(AnswerSerializer(), answer)
    count = next(a for a in written["answers"] if a["requirement_key"] == "SCH-COUNT")
    assert count["value"] == "95" and count["answer_type"] == "number"
