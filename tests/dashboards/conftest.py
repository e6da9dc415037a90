import pytest

from dashboards.services import clear_caches
from scoring.specs import clear_caches as clear_scoring_caches
from tests.dashboards.builders import dashboard_version


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Ids are reused between tests on SQLite; the caches are keyed by id.
    clear_caches()
    clear_scoring_caches()
    yield
    clear_caches()
    clear_scoring_caches()


@pytest.fixture
def version(db):
    return dashboard_version()
