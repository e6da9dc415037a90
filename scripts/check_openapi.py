"""Fail when docs/openapi.yaml no longer matches the schema the code generates."""

import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "openapi.yaml"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "openapi.yaml"
        # Integer ranges in the schema come from the database backend: always generate it
        # against SQLite, so the committed file does not depend on where it is checked.
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "settings.test",
            "DATABASE_URL": "sqlite:///:memory:",
        }
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "spectacular",
                "--validate",
                "--fail-on-warn",
                "--file",
                str(generated),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        new = generated.read_text(encoding="utf-8")
    old = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if new == old:
        sys.stdout.write("docs/openapi.yaml matches the code\n")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), "docs/openapi.yaml", "generated"
        )
    )
    sys.stdout.write(
        "\ndocs/openapi.yaml is out of date: run `DATABASE_URL=sqlite:///:memory:"
        " DJANGO_SETTINGS_MODULE=settings.test .venv/bin/python manage.py spectacular"
        " --file docs/openapi.yaml`\n"
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
