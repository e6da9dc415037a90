"""Build standard version documents and stored versions for tests."""

import copy
from typing import Any

import yaml

from standards.format import parse_version_text
from standards.models import StandardVersion
from standards.services import publish_version, store_draft

BASE_DOCUMENT: dict[str, Any] = {
    "format": 1,
    "standard": {"slug": "test-standard", "title": "Test standard", "owner": "Test owner"},
    "version": "1.0",
    "effective_from": "2026-09-01",
    "sections": [
        {
            "code": "GOVERNANCE",
            "title": "Leadership",
            "requirements": [
                {
                    "key": "SCH-POLICY-URL",
                    "title": "SEN policy published",
                    "question": "Where is your SEN policy published?",
                    "theme": "governance",
                    "applies_to": ["mainstream_school", "special_school"],
                    "strength": "must",
                    "answer": {"type": "url"},
                    "rule": {"op": "https_url"},
                    "citations": [
                        {"document": "Children and Families Act 2014", "reference": "s69"}
                    ],
                },
                {
                    "key": "SCH-POLICY-REVIEWED",
                    "title": "SEN policy reviewed",
                    "question": "When was your SEN policy last reviewed?",
                    "theme": "governance",
                    "applies_to": ["mainstream_school"],
                    "strength": "should",
                    "answer": {"type": "date"},
                    "rule": {"op": "date_within", "period": "P12M"},
                    "citations": [{"document": "SEND Code of Practice", "reference": "6.79"}],
                },
            ],
        },
        {
            "code": "LOCAL-OFFER",
            "title": "Local offer",
            "requirements": [
                {
                    "key": "LA-LOCAL-OFFER",
                    "title": "Local offer published",
                    "question": "Do you publish a local offer?",
                    "theme": "published_information",
                    "applies_to": ["local_authority"],
                    "strength": "must",
                    "weight": 2,
                    "answer": {"type": "yes_no"},
                    "rule": {"op": "is_yes"},
                    "citations": [
                        {"document": "Children and Families Act 2014", "reference": "s30"}
                    ],
                },
            ],
        },
    ],
}


def document(**overrides: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE_DOCUMENT)
    doc.update(overrides)
    return doc


def requirement_doc(**fields: Any) -> dict[str, Any]:
    base = {
        "key": "SCH-EXTRA",
        "title": "Extra requirement",
        "question": "Extra question?",
        "theme": "governance",
        "applies_to": ["mainstream_school"],
        "strength": "should",
        "answer": {"type": "yes_no"},
        "rule": {"op": "is_yes"},
        "citations": [{"document": "Doc", "reference": "1"}],
    }
    base.update(fields)
    return base


def with_requirement(requirement: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    doc = document(**overrides)
    doc["sections"][0]["requirements"].append(requirement)
    return doc


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def make_version(doc: dict[str, Any] | None = None, *, publish: bool = False) -> StandardVersion:
    parsed = parse_version_text(as_yaml(doc or document()))
    version = store_draft(document=parsed).version
    if publish:
        version = publish_version(slug=version.standard.slug, version=version.version)
    return version
