"""Local standards: a version that extends a national one, adds to it and may raise thresholds."""

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from standards.canonical import export_text
from standards.demo import publish_demo_local_standard
from standards.format import StandardFormatError, parse_version_text
from standards.format.overlays import compare_rules
from standards.models import FrozenVersionError, Requirement, Standard, StandardVersion
from standards.selectors import diff_versions
from standards.services import load_version, parse_standard_text, publish_version
from tests.standards.builders import as_yaml, document, make_version

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "standards" / "data"


def national_with_thresholds() -> dict[str, Any]:
    doc = document()
    doc["sections"][0]["requirements"] += [
        {
            "key": "SCH-STAFF-TRAINED",
            "title": "Staff trained",
            "question": "What percentage of your staff are trained?",
            "theme": "workforce",
            "applies_to": ["mainstream_school", "special_school"],
            "strength": "must",
            "answer": {"type": "number", "unit": "%", "min": 0, "max": 100},
            "rule": {"op": "number_at_least", "value": 80},
            "citations": [{"document": "An Act", "reference": "s1"}],
        },
    ]
    return doc


def local_doc(*requirements: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": 1,
        "standard": {"slug": "testshire-local", "title": "Testshire", "owner": "Testshire"},
        "extends": {"slug": "test-standard", "version": "1.0"},
        "area": "999",
        "version": "1.0",
        "effective_from": "2026-09-01",
        "sections": [
            {
                "code": "TESTSHIRE-OAP",
                "title": "Testshire ordinarily available provision",
                "requirements": list(requirements)
                or [
                    {
                        "key": "TESTSHIRE-PROVISION-MAP",
                        "title": "Provision map kept",
                        "question": "Do you keep a provision map?",
                        "theme": "ordinarily_available_provision",
                        "applies_to": ["mainstream_school"],
                        "strength": "good_practice",
                        "answer": {"type": "yes_no"},
                        "rule": {"op": "is_yes"},
                        "citations": [{"document": "Local offer", "reference": "OAP 1"}],
                    }
                ],
            }
        ],
    }
    doc.update(overrides)
    return doc


def raised(**fields: Any) -> dict[str, Any]:
    base = {
        "key": "TESTSHIRE-STAFF-TRAINED",
        "raises": "SCH-STAFF-TRAINED",
        "title": "Nine in ten staff trained",
        "strength": "must",
        "rule": {"op": "number_at_least", "value": 90},
        "citations": [{"document": "An Act", "reference": "s1"}],
    }
    base.update(fields)
    return base


@pytest.fixture
def national() -> StandardVersion:
    return make_version(national_with_thresholds(), publish=True)


def problems_of(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(StandardFormatError) as caught:
        load_version(text=as_yaml(doc))
    return {p.place: p.message for p in caught.value.problems}


def test_a_local_standard_loads_with_its_area_and_the_version_it_extends(national):
    result = load_version(text=as_yaml(local_doc(raised())))
    version = result.version
    assert version.extends == national
    assert version.standard.area_code == "999"
    assert version.standard.is_local
    requirement = version.requirements.get(key="TESTSHIRE-STAFF-TRAINED")
    # It asks the national question, so the provider answers once.
    assert requirement.raises == "SCH-STAFF-TRAINED"
    assert requirement.question == "What percentage of your staff are trained?"
    assert requirement.answer_type == "number"
    assert requirement.rule == {"op": "number_at_least", "value": 90}


def test_export_names_what_it_extends_and_loads_back_with_the_same_hash(national):
    version = load_version(text=as_yaml(local_doc(raised()))).version
    text = export_text(version)
    assert (
        '"extends": {' in text
        and '"area": "999"' in text
        and '"raises": "SCH-STAFF-TRAINED"' in text
    )
    published = publish_version(slug="testshire-local", version="1.0")
    assert parse_standard_text(text) == parse_version_text(text)
    from standards.canonical import content_hash

    assert published.content_hash == content_hash(text)


def test_a_national_export_has_no_local_fields(national):
    text = export_text(national)
    assert "extends" not in text and '"area"' not in text and "raises" not in text


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"op": "number_at_least", "value": 70}, "never lowers a threshold"),
        ({"op": "number_at_least", "value": 80}, "must be stricter"),
        ({"op": "number_at_most", "value": 90}, "keeps the operator"),
    ],
)
def test_a_raised_threshold_must_be_stricter_with_the_same_operator(national, rule, message):
    problems = problems_of(local_doc(raised(rule=rule)))
    place = "sections[0].requirements[0].rule" + (".op" if "operator" in message else "")
    assert message in problems[place]


def test_weakening_a_must_is_refused_at_its_place(national):
    problems = problems_of(local_doc(raised(strength="should")))
    assert "never weakens" in problems["sections[0].requirements[0].strength"]


def test_an_operator_with_no_order_cannot_be_raised(national):
    problems = problems_of(local_doc(raised(raises="SCH-POLICY-URL", rule={"op": "https_url"})))
    assert "has no order" in problems["sections[0].requirements[0].raises"]


def test_redefining_or_removing_a_national_requirement_is_refused(national):
    national_doc = national_with_thresholds()
    weakened = copy.deepcopy(national_doc["sections"][0]["requirements"][2])
    weakened["strength"] = "should"
    lowered = copy.deepcopy(national_doc["sections"][0]["requirements"][2])
    lowered["rule"] = {"op": "number_at_least", "value": 50}
    narrowed = copy.deepcopy(national_doc["sections"][0]["requirements"][0])
    narrowed["applies_to"] = ["special_school"]
    problems = problems_of(local_doc(weakened))
    assert "never weakens" in problems["sections[0].requirements[0].strength"]
    problems = problems_of(local_doc(lowered))
    assert "never lowers a threshold" in problems["sections[0].requirements[0].rule"]
    problems = problems_of(local_doc(narrowed))
    assert "cannot change or remove" in problems["sections[0].requirements[0].key"]
    # A national section replaced by one that leaves requirements out.
    replaced = local_doc()
    replaced["sections"][0]["code"] = "GOVERNANCE"
    problems = problems_of(replaced)
    assert "cannot replace or remove" in problems["sections[0].code"]


def test_every_problem_is_named_in_one_run(national):
    doc = local_doc(
        raised(strength="should", rule={"op": "number_at_least", "value": 10}),
        raised(key="TESTSHIRE-OTHER", raises="NO-SUCH-KEY"),
    )
    problems = problems_of(doc)
    assert set(problems) >= {
        "sections[0].requirements[0].rule",
        "sections[0].requirements[0].strength",
        "sections[0].requirements[1].raises",
    }


def test_a_raised_requirement_asks_the_national_question_as_it_is(national):
    problems = problems_of(local_doc(raised(question="A different question?")))
    assert "leave question out" in problems["sections[0].requirements[0].question"]


def test_extends_must_name_a_national_version_that_exists(national):
    problems = problems_of(local_doc(extends={"slug": "test-standard", "version": "9.9"}))
    assert "no version 9.9" in problems["extends"]
    problems = problems_of({k: v for k, v in local_doc().items() if k != "area"})
    assert "both extends and area" in problems[""]


def test_raises_is_refused_in_a_national_version():
    doc = national_with_thresholds()
    doc["sections"][0]["requirements"][0]["raises"] = "SCH-STAFF-TRAINED"
    with pytest.raises(StandardFormatError) as caught:
        parse_version_text(as_yaml(doc))
    assert "only a local standard" in str(caught.value)


def test_a_local_slug_cannot_become_national_or_move_area(national):
    load_version(text=as_yaml(local_doc()))
    problems = problems_of(local_doc(area="998", version="1.1"))
    assert "area 999" in problems["area"]


def test_local_versions_are_immutable_and_diff_like_national_ones(national):
    load_version(text=as_yaml(local_doc()))
    first = publish_version(slug="testshire-local", version="1.0")
    load_version(text=as_yaml(local_doc(raised(), version="1.1")))
    second = publish_version(slug="testshire-local", version="1.1")
    diff = diff_versions(old=first, new=second)
    assert [r.key for r in diff.added] == ["TESTSHIRE-STAFF-TRAINED"]
    assert [r.key for r in diff.removed] == ["TESTSHIRE-PROVISION-MAP"]
    first.refresh_from_db()
    first.extends = None
    with pytest.raises(FrozenVersionError):
        first.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=second.pk).update(extends=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.filter(version=second).update(raises="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.filter(slug="testshire-local").update(area_code="998")


def test_a_local_version_is_published_only_after_the_national_one():
    make_version(national_with_thresholds())  # a draft
    load_version(text=as_yaml(local_doc()))
    from standards.services import PublishError

    with pytest.raises(PublishError, match="publish that first"):
        publish_version(slug="testshire-local", version="1.0")


def test_load_standard_accepts_a_local_file_and_names_every_problem(national, tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(as_yaml(local_doc(raised())), encoding="utf-8")
    out = io.StringIO()
    call_command("load_standard", str(path), stdout=out)
    assert "Loaded draft testshire-local 1.0" in out.getvalue()
    path.write_text(
        as_yaml(local_doc(raised(strength="should", rule={"op": "number_at_least", "value": 1}))),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("load_standard", str(path), stderr=err)
    assert "sections[0].requirements[0].strength" in err.getvalue()
    assert "never lowers a threshold" in err.getvalue()


@pytest.mark.parametrize(
    ("op", "local", "national", "expected"),
    [
        ("number_at_most", {"value": 2}, {"value": 3}, 1),
        ("number_between", {"min": 2, "max": 8}, {"min": 1, "max": 9}, 1),
        ("number_between", {"min": 2, "max": 10}, {"min": 1, "max": 9}, -1),
        ("date_within", {"period": "P6M"}, {"period": "P1Y"}, 1),
        ("date_within", {"period": "P12M"}, {"period": "P1Y"}, 0),
        ("date_within", {"period": "P2Y"}, {"period": "P1Y"}, -1),
        ("date_older_than", {"period": "P2Y"}, {"period": "P1Y"}, 1),
        ("date_on_or_before", {"date": "2026-01-01"}, {"date": "2026-03-31"}, 1),
        ("date_on_or_after", {"date": "2026-01-01"}, {"date": "2026-03-31"}, -1),
    ],
)
def test_compare_rules_knows_which_way_is_stricter(op, local, national, expected):
    assert compare_rules({"op": op, **local}, {"op": op, **national}) == expected


def test_the_demo_publishes_westminster_once_baseline_1_1_is_published():
    out = io.StringIO()
    load_version(text=(DATA / "send-statutory-baseline-1.1.yaml").read_text(encoding="utf-8"))
    assert publish_demo_local_standard(stdout=out) is None
    assert "not published" in out.getvalue()
    publish_version(slug="send-statutory-baseline", version="1.1")
    version = publish_demo_local_standard(stdout=out)
    assert version is not None and version.status == "published"
    assert version.standard.area_code == "213"
    raised_requirement = version.requirements.get(raises="SCH-TEACHERS-SEND-TRAINED")
    assert raised_requirement.rule == {"op": "number_at_least", "value": 90}
    assert version.sections.count() == 1 and version.requirements.count() == 4
    # The Code of Practice's own "should" is a should, so the area can have local gaps.
    assert version.requirements.get(key="WESTMINSTER-OAP-FAMILY-MEETINGS").strength == "should"
    # Running the demo again changes nothing.
    assert publish_demo_local_standard(stdout=out) == version


def test_the_version_page_says_what_a_local_standard_extends_and_raises(national, client):
    load_version(text=as_yaml(local_doc(raised())))
    publish_version(slug="testshire-local", version="1.0")
    response = client.get("/standards/testshire-local/1.0/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "For the area with LA code 999, on top of" in html
    assert 'href="/standards/test-standard/1.0/"' in html
    assert "TESTSHIRE-STAFF-TRAINED: raises the threshold of SCH-STAFF-TRAINED" in html
