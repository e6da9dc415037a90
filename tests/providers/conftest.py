import pytest

from providers.services import import_areas


@pytest.fixture
def areas(db):
    """England's areas, aliases, ICBs and coverage, as import_areas loads them."""
    return import_areas()
