"""The default standard that ships with the service."""

from collections import Counter
from pathlib import Path

import pytest

from standards.format import parse_version_text
from standards.format.unread import cited_before_reading
from standards.vocabulary import ALL_OPERATORS, ProviderType

DATA = Path(__file__).resolve().parents[2] / "standards" / "data"


@pytest.fixture(
    scope="module", params=["send-statutory-baseline-1.0.yaml", "send-statutory-baseline-1.1.yaml"]
)
def baseline(request) -> dict:
    """Each published version of the default standard keeps these properties."""
    return parse_version_text((DATA / request.param).read_text(encoding="utf-8"))


def requirements(doc: dict) -> list[dict]:
    return [r for s in doc["sections"] for r in s["requirements"]]


def test_it_is_the_statutory_baseline(baseline):
    assert baseline["standard"]["slug"] == "send-statutory-baseline"
    assert len(requirements(baseline)) >= 100


def test_every_provider_type_has_requirements_in_several_sections(baseline):
    for provider_type in ProviderType.values:
        mine = [r for r in requirements(baseline) if provider_type in r["applies_to"]]
        sections = [
            s
            for s in baseline["sections"]
            if any(provider_type in r["applies_to"] for r in s["requirements"])
        ]
        assert len(mine) >= 8, provider_type
        assert len(sections) >= 3, provider_type


def test_every_requirement_is_cited_and_musts_have_a_verified_citation(baseline):
    # ... or are one of the duties listed, with the reason, as cited before their text was read.
    for requirement in requirements(baseline):
        assert requirement["citations"]
        if requirement["strength"] == "must":
            assert any(c["verified"] for c in requirement["citations"]) or cited_before_reading(
                requirement["key"], requirement["citations"]
            ), requirement["key"]


def test_it_uses_the_whole_rule_vocabulary(baseline):
    used: Counter[str] = Counter()

    def walk(rule: dict) -> None:
        used[rule["op"]] += 1
        for sub in rule.get("rules", []):
            walk(sub)
        for part in ("condition", "then"):
            if part in rule:
                walk(rule[part])

    for requirement in requirements(baseline):
        walk(requirement["rule"])
    assert set(used) == ALL_OPERATORS
