import pytest

from tests.inclusion.plan_factories import gias_area, officer_for


@pytest.fixture
def world(db):
    found = gias_area(code="213", name="Westminster")
    found["officer"] = officer_for(found["area"])
    return found
