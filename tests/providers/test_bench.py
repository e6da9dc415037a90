"""The benchmark runner refuses to run without PostgreSQL and Redis (the bench itself is slow)."""

from bench import runner


def test_bench_refuses_without_postgresql_and_redis(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bench.sqlite3")
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    assert runner.main([]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL must name a PostgreSQL database" in err
    assert "CELERY_BROKER_URL must name a Redis server" in err
    assert "nothing was measured" in err


def test_bench_refuses_when_variables_are_missing(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert len(runner.check_services()) == 2


def test_bench_database_url_points_at_its_own_database():
    url = runner._with_database("postgres://app:app@127.0.0.1:5432/app", "bench_1")
    assert url == "postgres://app:app@127.0.0.1:5432/bench_1"
    assert runner._libpq(url).startswith("postgresql://")
