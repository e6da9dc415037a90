"""The backup runbook works: the demo, seeded and scored in a fresh PostgreSQL database, is
dumped with pg_dump, restored with pg_restore into another new database, and the restored
database has the same standard hashes, results and gaps (docs/operations.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

QUERIES = {
    "standard hashes": """
        SELECT s.slug, v.version, v.status, v.content_hash
        FROM standards_standardversion v JOIN standards_standard s ON s.id = v.standard_id
        ORDER BY 1, 2""",
    "results": """
        SELECT cr.provider_id, cr.version_id, cr.declaration_id, r.score, r.content_hash,
               r.outcomes::text
        FROM scoring_currentresult cr JOIN scoring_scoringrun r ON r.id = cr.run_id
        ORDER BY 1, 2""",
    "gaps": """
        SELECT provider_id, standard_id, requirement_key, status, strength
        FROM scoring_gap ORDER BY 1, 2, 3""",
    "people": "SELECT email, is_active, password FROM accounts_user ORDER BY 1",
    "audit trail": "SELECT id, actor_label, action, object_id FROM accounts_auditevent ORDER BY 1",
}


def _server() -> dict[str, str]:
    conf = connection.settings_dict
    return {
        "host": conf["HOST"] or "127.0.0.1",
        "port": str(conf["PORT"] or 5432),
        "user": conf["USER"],
        "password": conf["PASSWORD"],
    }


def _url(server: dict[str, str], name: str) -> str:
    auth = f"{quote(server['user'])}:{quote(server['password'])}@" if server["user"] else ""
    return f"postgres://{auth}{server['host']}:{server['port']}/{name}"


def _pg(server: dict[str, str], *command: str) -> None:
    env = {**os.environ, "PGPASSWORD": server["password"] or ""}
    connect = ["-h", server["host"], "-p", server["port"], "-U", server["user"]]
    subprocess.run([command[0], *connect, *command[1:]], env=env, check=True, timeout=600)


def _manage(url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        # Submissions queue scoring on commit: keep those messages in the process.
        "CELERY_BROKER_URL": "memory://",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _snapshot(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in QUERIES.items()}


@pytest.mark.postgres
def test_a_dump_of_the_demo_restores_with_the_same_hashes_results_and_gaps(tmp_path):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install postgresql-client"
    server = _server()
    suffix = uuid.uuid4().hex[:8]
    source, restored = f"backup_source_{suffix}", f"backup_restored_{suffix}"
    dump = tmp_path / "demo.dump"
    _pg(server, "createdb", source)
    try:
        _manage(_url(server, source), "migrate", "--no-input")
        _manage(_url(server, source), "seed_demo")
        _manage(
            _url(server, source), "rescore", "--standard", "send-statutory-baseline", "--inline"
        )
        before = _snapshot(_url(server, source))
        assert before["standard hashes"] and all(row[3] for row in before["standard hashes"])
        assert before["results"], "the demo has scored providers"
        assert before["gaps"], "the demo has gaps"

        # The runbook's commands (docs/operations.md, "Back up" and "Restore").
        _pg(server, "pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source)
        _pg(server, "createdb", restored)
        _pg(
            server, "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)
        )

        after = _snapshot(_url(server, restored))
        assert after == before
        # The restored database is one the service runs on: nothing left to migrate.
        plan = _manage(_url(server, restored), "migrate", "--plan")
        assert "No planned migration operations." in plan
    finally:
        for name in (restored, source):
            _pg(server, "dropdb", "--if-exists", "--force", name)
