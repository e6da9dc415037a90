import pytest

from scoring.specs import clear_caches
from tests.providers.factories import AreaFactory, ProviderFactory
from tests.scoring.builders import worked_version


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    # Ids are reused between tests on SQLite; the caches are keyed by id and content hash.
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def version(db):
    return worked_version()


@pytest.fixture
def area(db):
    return AreaFactory(name="Ownshire")


@pytest.fixture
def school(area):
    return ProviderFactory(name="Own Primary School", area=area)
