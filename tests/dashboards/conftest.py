import pytest

from tests.dashboards.builders import dashboard_version


@pytest.fixture
def version(db):
    return dashboard_version()
