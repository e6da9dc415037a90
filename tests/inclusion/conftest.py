import pytest

from inclusion.areas import forget_areas
from tests.inclusion.plan_factories import gias_area, officer_for


@pytest.fixture
def world(db):
    found = gias_area(code="213", name="Westminster")
    found["officer"] = officer_for(found["area"])
    return found


@pytest.fixture(autouse=True)
def _forget_areas():
    """Areas are kept per process (inclusion.areas); a rolled-back test's areas must not be."""
    forget_areas()
    yield
    forget_areas()
