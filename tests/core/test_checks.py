"""System checks: task time limits against the broker's visibility timeout, /readyz networks,
the privacy notice's controller, and the committed OpenAPI schema being what is served."""

from pathlib import Path

import pytest

from core import checks

ROOT = Path(__file__).resolve().parents[2]


def _redis(settings, timeout: int) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": timeout}


def test_every_task_ends_before_the_default_visibility_timeout(settings):
    _redis(settings, 3600)
    assert checks.task_time_limits_below_visibility_timeout() == []


def test_refresh_all_ends_before_the_visibility_timeout():
    from dashboards.tasks import refresh_all_task

    assert refresh_all_task.time_limit < 3600
    assert refresh_all_task.soft_time_limit < refresh_all_task.time_limit


def test_a_task_that_outlives_the_visibility_timeout_is_an_error(settings):
    _redis(settings, 1000)
    errors = checks.task_time_limits_below_visibility_timeout()
    names = {error.msg.split()[2] for error in errors}
    assert "dashboards.refresh_all" in names
    assert all(error.id == "core.E002" for error in errors)


def test_the_filesystem_broker_has_no_visibility_timeout_to_check(settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert checks.task_time_limits_below_visibility_timeout() == []


@pytest.mark.parametrize(("ranges", "bad"), [(["10.0.0.0/8", "::1/128"], 0), (["10.0.0/8"], 1)])
def test_readyz_networks_must_be_cidr_ranges(settings, ranges, bad):
    settings.READYZ_DETAIL_NETWORKS = ranges
    assert len(checks.readyz_networks()) == bad


def test_the_deploy_check_wants_the_controller_named(settings):
    settings.PRIVACY_CONTROLLER = ""
    assert [w.id for w in checks.privacy_controller_named()] == ["core.W001"]
    settings.PRIVACY_CONTROLLER = "Example Council"
    settings.PRIVACY_CONTACT_EMAIL = "dpo@example.org"
    assert checks.privacy_controller_named() == []


def test_the_schema_is_served_from_the_committed_file(client, monkeypatch):
    from api import docs

    committed = (ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8")
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.content.decode() == committed
    as_json = client.get("/api/v1/schema/?format=json")
    assert as_json.status_code == 200
    assert "/api/v1/declarations/{id}/submit/" in as_json.json()["paths"]
    # The generator is never asked while the file is there.
    monkeypatch.setattr(
        "drf_spectacular.views.SpectacularAPIView._get_schema_response",
        lambda *a, **k: pytest.fail("the schema was generated"),
    )
    docs._committed_schema.cache_clear()
    assert client.get("/api/v1/schema/").status_code == 200
