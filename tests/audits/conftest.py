import pytest

from accounts.models import Role, User
from accounts.services import grant_role
from audits.models import Declaration
from audits.periods import period_for
from audits.services import start_declaration, submit_declaration, today
from tests.accounts.factories import UserFactory
from tests.audits.pages import client_for, complete
from tests.providers.factories import AreaFactory, ProviderFactory
from tests.standards.builders import document, make_version


@pytest.fixture
def version(db):
    return make_version(publish=True)


@pytest.fixture
def school(db):
    return ProviderFactory(area=AreaFactory(name="Ownshire"))


@pytest.fixture
def editor(school) -> User:
    user = UserFactory(email="head@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=school)
    return user


@pytest.fixture
def officer(school) -> User:
    user = UserFactory(email="officer@example.org", password="pw-for-tests-123")
    grant_role(user=user, role=Role.AREA_OFFICER, scope=school.area)
    return user


@pytest.fixture
def choices_version(db):
    """A version whose school requirements cover every answer type."""
    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    reqs = doc["sections"][0]["requirements"]
    choices = [{"value": "a", "label": "Option A"}, {"value": "b", "label": "Option B"}]
    base = {
        "theme": "governance",
        "applies_to": ["mainstream_school"],
        "strength": "should",
        "citations": [{"document": "Doc", "reference": "1"}],
    }
    reqs += [
        {
            **base,
            "key": "SCH-COUNT",
            "title": "Pupils on SEN support",
            "question": "How many?",
            "answer": {"type": "number", "min": 0, "max": 100, "unit": "%"},
            "rule": {"op": "number_at_least", "value": 90},
        },
        {
            **base,
            "key": "SCH-ONE",
            "title": "One choice",
            "question": "Which one?",
            "answer": {"type": "single_choice", "choices": choices},
            "rule": {"op": "choice_in", "values": ["a"]},
        },
        {
            **base,
            "key": "SCH-MANY",
            "title": "Many choices",
            "question": "Which ones?",
            "answer": {"type": "multiple_choice", "choices": choices},
            "rule": {"op": "includes_all", "values": ["a", "b"]},
        },
        {
            **base,
            "key": "SCH-TEXT",
            "title": "Named lead",
            "question": "Who?",
            "answer": {"type": "text"},
            "rule": {"op": "text_present"},
            "allow_not_applicable": True,
        },
        {
            **base,
            "key": "SCH-YES",
            "title": "Has a plan",
            "question": "Do you?",
            "answer": {"type": "yes_no"},
            "rule": {"op": "is_yes"},
            "evidence_required": True,
        },
    ]
    return make_version(doc, publish=True)


@pytest.fixture
def draft(choices_version, school, editor) -> Declaration:
    return start_declaration(provider=school, user=editor, period=period_for(today())).declaration


@pytest.fixture
def submitted(draft, editor) -> Declaration:
    complete(client_for(editor), draft)
    return submit_declaration(declaration=draft, user=editor)
