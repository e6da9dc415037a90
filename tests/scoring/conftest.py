import pytest

from tests.providers.factories import AreaFactory, ProviderFactory
from tests.scoring.builders import worked_version


@pytest.fixture
def version(db):
    return worked_version()


@pytest.fixture
def area(db):
    return AreaFactory(name="Ownshire")


@pytest.fixture
def school(area):
    return ProviderFactory(name="Own Primary School", area=area)
