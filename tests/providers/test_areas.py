import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from providers.models import (
    Area,
    AreaCodeAlias,
    IcbAreaCoverage,
    IcbCodeAlias,
    IntegratedCareBoard,
    Provider,
)
from providers.selectors import area_by_code, icb_by_code, icb_coverage_for_area
from providers.services import DATA_DIR, import_areas

pytestmark = pytest.mark.django_db


def icb_count_in_file() -> int:
    with open(DATA_DIR / "integrated_care_boards_2024.csv", encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1


def test_import_areas_loads_every_area_icb_and_coverage(areas):
    assert Area.objects.count() == 153
    assert IntegratedCareBoard.objects.count() == icb_count_in_file()
    assert AreaCodeAlias.objects.count() == 3
    assert IcbCodeAlias.objects.count() == 2
    assert areas.tallies["areas"].created == 153
    city = Area.objects.get(code="201")
    assert (city.gss_code, city.name, city.region_name) == ("E09000001", "City of London", "London")


def test_every_area_is_covered_in_full(areas):
    for area in Area.objects.all():
        shares = [c.share for c in area.icb_coverage.all()]
        assert shares, area
        assert abs(sum(shares) - 1) <= Decimal("0.001"), area


def test_areas_split_between_icbs_have_their_shares(areas):
    hampshire = area_by_code("850")
    coverage = list(icb_coverage_for_area(hampshire))
    assert [(c.icb.nhs_code, c.share) for c in coverage] == [
        ("QRL", Decimal("0.8786")),
        ("QNQ", Decimal("0.1214")),
    ]
    assert sum(c.lsoa_count for c in coverage) > 0
    assert IcbAreaCoverage.objects.values("area").distinct().count() == 153


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("815", "North Yorkshire"),
        ("E10000023", "North Yorkshire"),
        ("E06000065", "North Yorkshire"),
        ("e06000066", "Somerset"),
        ("E10000027", "Somerset"),
        ("E06000060", "Buckinghamshire"),
        ("E10000002", "Buckinghamshire"),
        (" 201 ", "City of London"),
    ],
)
def test_area_by_code_finds_an_area_by_any_of_its_codes(areas, code, name):
    assert area_by_code(code).name == name


def test_area_by_code_returns_none_for_unknown_codes(areas):
    assert area_by_code("999") is None
    assert area_by_code("W06000001") is None
    assert area_by_code("") is None


def test_icb_codes_old_and_new_resolve(areas):
    assert icb_by_code("E54000052").name == "NHS Surrey Heartlands Integrated Care Board"
    assert icb_by_code("E54000053") == icb_by_code("E54000064") == icb_by_code("QNX")


def test_import_areas_is_idempotent(areas):
    again = import_areas()
    for name, tally in again.tallies.items():
        assert (tally.created, tally.updated, tally.deleted) == (0, 0, 0), name
    assert again.tallies["areas"].unchanged == 153
    assert again.tallies["ICB area coverage"].unchanged == IcbAreaCoverage.objects.count()


def test_import_areas_puts_back_changed_rows(areas):
    Area.objects.filter(code="201").update(name="Wrong")
    IcbAreaCoverage.objects.filter(area__code="850").first().delete()
    again = import_areas()
    assert again.tallies["areas"].updated == 1
    assert again.tallies["ICB area coverage"].created == 1
    assert Area.objects.get(code="201").name == "City of London"


def test_alias_goes_whichever_way_round_the_files_have_it(tmp_path):
    for path in DATA_DIR.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    # Name the pair the other way round: the area's own code second.
    (tmp_path / "area_code_aliases.csv").write_text(
        "code,same_area_as,note\nE10000023,E06000065,reversed\n", encoding="utf-8"
    )
    import_areas(data_dir=tmp_path)
    assert AreaCodeAlias.objects.get().code == "E06000065"
    assert area_by_code("E06000065").code == "815"


def test_command_prints_counts_and_can_add_authority_providers(db):
    out = io.StringIO()
    call_command("import_areas", stdout=out)
    assert "areas: created: 153 updated: 0 unchanged: 0" in out.getvalue()
    out = io.StringIO()
    call_command("import_areas", "--with-authority-providers", stdout=out)
    assert "areas: created: 0 updated: 0 unchanged: 153" in out.getvalue()
    assert Provider.objects.filter(provider_type="local_authority").count() == 153
    assert Provider.objects.filter(provider_type="integrated_care_board").count() == (
        IntegratedCareBoard.objects.count()
    )
    assert Provider.objects.get(la_code="201").area.code == "201"
