import pytest

from common.expressions import JsonKeys
from dashboards.models import AreaSnapshot
from tests.dashboards.builders import dashboard_version
from tests.providers.factories import AreaFactory

pytestmark = pytest.mark.django_db


def _cut(requirements, keys):
    version = dashboard_version()
    snapshot = AreaSnapshot.objects.create(
        area=AreaFactory(), standard=version.standard, requirements=requirements
    )
    return (
        AreaSnapshot.objects.filter(pk=snapshot.pk)
        .annotate(cut=JsonKeys("requirements", keys))
        .get()
        .cut
    )


def test_keeps_only_the_keys_asked_for_with_their_values_whole():
    requirements = {
        "H1-NURSE": {"p": 3, "f": 1},
        "L1-POLICY": {"p": 5},
        "flag": True,
        "none": None,
        "name": "text",
        "list": [1, 2],
    }
    assert _cut(requirements, ["H1-NURSE", "flag", "none", "name", "list", "absent"]) == {
        "H1-NURSE": {"p": 3, "f": 1},
        "flag": True,
        "none": None,
        "name": "text",
        "list": [1, 2],
    }


@pytest.mark.parametrize("keys", [[], ["absent"]])
def test_no_key_found_gives_an_empty_object(keys):
    assert _cut({"L1-POLICY": {"p": 5}}, keys) == {}
