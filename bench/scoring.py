"""Scoring at national scale: 50,000 providers, each with a submitted declaration.

Builds the dataset (England's real schools from bench/data/, generated early years settings,
colleges and independent specialist providers, every local authority and ICB), then measures,
on PostgreSQL with Redis and two worker processes (`celery worker --pool=prefork -c 2`):

- national_rescore_s: a whole re-score through the production path (chunks on the broker);
- floor_s: one set-based SQL statement judging the same answers and writing each provider's
  pass and fail counts; floor_counts_match checks them against the production results;
- ratio_vs_floor, speedup_vs_naive (a per-provider ORM loop timed on 1,000 providers);
- unchanged_rescore_write_ratio: rows written (pg_stat_user_tables inserts and updates, every
  table) by a second re-score with nothing changed ÷ rows written by the first;
- single_score_p95_ms: scoring one declaration (the service the worker runs), 200 times;
- submit_to_result_p95_ms: submit → result stored, through Redis and the workers, while a
  national re-score (a year later, so most results change) runs;
- worker_peak_rss_mb: the workers' summed resident memory during the first re-score.

The workers use CELERY_BROKER_URL (BENCH_BROKER_URL overrides) with a key prefix of their own
(CELERY_KEY_PREFIX, "bench-<pid>:"), so that a worker started by `make run`, or another benchmark
running at the same time, never takes their tasks.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.runner import ROOT, Context, _libpq

DATA = Path(__file__).resolve().parent / "data"
SCHOOLS = DATA / "england_school_information_2024.csv"
STANDARD = ROOT / "standards" / "data" / "send-statutory-baseline-1.0.yaml"
SLUG = "send-statutory-baseline"
# The national dataset: England's schools, every local authority and ICB, and generated
# providers up to this many. A larger scale adds early years settings (England has about 90,000
# registered settings once childminders and nurseries are counted); a smaller one takes an
# even sample of the schools and fewer generated providers, in the same proportions.
NATIONAL = 50_000
# Smaller only to try the benchmark out: the dataset the dashboards and API benchmarks use,
# and the scale at which the scoring benchmark takes every measure.
REFERENCE = int(os.environ.get("BENCH_SCORING_PROVIDERS", str(NATIONAL)))
SINGLE_SCORES = 200
PROFILED = 50  # scored under the profiler after the timed ones
WARM_UP = 20
# First national re-scores at each scale (from no results each time); growth uses the fastest.
RESCORE_REPEATS = int(os.environ.get("BENCH_RESCORE_REPEATS", "3"))
SUBMISSIONS = 40
TARGETS = {
    "ratio_vs_floor": 3.0,
    "speedup_vs_naive": 20.0,
    "unchanged_rescore_write_ratio": 0.05,
    "single_score_p95_ms": 25.0,
    "submit_to_result_p95_ms": 1500.0,
    "worker_peak_rss_mb": 1024.0,
}
# Generated providers, by type, making up the 50,000 with the real schools.
GENERATED_SHARES = {
    "early_years_setting": 0.86,
    "further_education_college": 0.06,
    "independent_specialist_provider": 0.04,
    "alternative_provision": 0.04,
}


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


def broker_url() -> str:
    return os.environ.get("BENCH_BROKER_URL") or os.environ["CELERY_BROKER_URL"]


def key_prefix() -> str:
    """Every Redis key of this run starts with this, so that benchmarks and workers running
    at the same time on the same server never take each other's tasks."""
    return os.environ.setdefault("CELERY_KEY_PREFIX", f"bench-{os.getpid()}:")


def _setup_django(context: Context) -> None:
    os.environ["DATABASE_URL"] = context.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings.local"
    os.environ["DEBUG"] = "0"
    os.environ["CELERY_BROKER_URL"] = broker_url()
    key_prefix()
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _close_django() -> None:
    from django.db import connections

    connections.close_all()


# ---- the dataset --------------------------------------------------------------------------


def build_dataset(context: Context, providers_wanted: int = REFERENCE) -> dict[str, int]:
    """The national dataset of `providers_wanted` providers, each with a submitted declaration,
    built the same way every time (seeded), in a database that must be empty of providers."""
    from django.db import connection

    from audits.models import Declaration
    from bench.scoring_data import answers_for, pools_for, quality
    from providers.establishment_types import provider_type_for
    from providers.gias import STATUSES
    from providers.models import Area, Phase, Provider
    from scoring.services import assessment_date
    from standards.models import Requirement
    from standards.selectors import current_version

    for args in (
        ("import_areas", "--with-authority-providers"),
        ("load_standard", str(STANDARD)),
        ("publish_standard", SLUG, "1.0"),
    ):
        done = context.manage(*args)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr[-2000:]}")
    version = current_version(slug=SLUG)
    assert version is not None
    if Provider.objects.filter(urn__isnull=False).exists():
        raise RuntimeError("the dataset is built in a database of its own, without providers")
    areas = {a.code: a.pk for a in Area.objects.all()}
    area_ids = sorted(areas.values())
    rng = random.Random(2026)

    providers: list[Provider] = []
    with open(SCHOOLS, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            provider_type = provider_type_for(row["SCHOOLTYPE"])
            status = STATUSES.get(row["SCHSTATUS"].strip().lower())
            area = areas.get(row["LA"])
            if provider_type is None or status is None or area is None:
                continue
            providers.append(
                Provider(
                    provider_type=str(provider_type),
                    name=row["SCHNAME"][:255],
                    urn=row["URN"],
                    area_id=area,
                    phase=Phase.PRIMARY if row["ISPRIMARY"] == "1" else Phase.SECONDARY,
                    status=str(status),
                    establishment_type=row["SCHOOLTYPE"],
                    town=row["TOWN"][:100],
                    postcode=row["POSTCODE"][:16],
                )
            )
    authorities = Provider.objects.count()  # local authorities and ICBs, from import_areas
    if providers_wanted < NATIONAL:  # a smaller England: an even sample of its schools
        keep = round(len(providers) * providers_wanted / NATIONAL)
        whole = len(providers)
        providers = [
            p for i, p in enumerate(providers) if i * keep // whole != (i + 1) * keep // whole
        ]
    providers = providers[: max(0, providers_wanted - authorities)]
    schools = len(providers)
    generated = providers_wanted - schools - authorities
    # Beyond the national 50,000, every further provider is an early years setting.
    mixed = generated - max(0, providers_wanted - NATIONAL)
    types = list(GENERATED_SHARES)
    weights = list(GENERATED_SHARES.values())
    for n in range(generated):
        provider_type = rng.choices(types, weights)[0] if n < mixed else "early_years_setting"
        providers.append(
            Provider(
                provider_type=provider_type,
                name=f"Bench {provider_type.replace('_', ' ')} {n}",
                urn=f"BENCH{n:06d}",
                area_id=rng.choice(area_ids),
                phase=Phase.NOT_APPLICABLE,
            )
        )
    Provider.objects.bulk_create(providers, batch_size=5000)

    on = assessment_date()
    requirements = list(
        Requirement.objects.filter(version=version).order_by("section__order", "order")
    )
    by_type: dict[str, list[Any]] = {}
    pools = {r.key: pools_for(r, on, rng) for r in requirements}
    ids = {r.key: r.pk for r in requirements}
    for r in requirements:
        for provider_type in r.applies_to:
            by_type.setdefault(provider_type, []).append(pools[r.key])

    everyone = list(Provider.objects.values_list("pk", "provider_type", "status"))
    now = dt.datetime.now(dt.UTC)
    declarations = Declaration.objects.bulk_create(
        [
            Declaration(
                provider_id=pk,
                version=version,
                period="2026/27",
                status="submitted",
                submitted_at=now - dt.timedelta(days=1, seconds=n),
                created_at=now - dt.timedelta(days=2),
            )
            for n, (pk, _type, _status) in enumerate(everyone)
        ],
        batch_size=5000,
    )
    columns = [
        "declaration_id",
        "requirement_id",
        "requirement_key",
        "answer_type",
        "value_bool",
        "value_number",
        "value_date",
        "value_text",
        "value_choices",
        "not_applicable",
        "not_applicable_reason",
        "evidence_url",
        "evidence_note",
        "needs_attention",
        "attention_reason",
        "review_state",
        "review_comment",
        "row_version",
        "updated_at",
    ]
    answers = 0
    field = {
        "yes_no": 4,
        "number": 5,
        "date": 6,
        "single_choice": 7,
        "url": 7,
        "text": 7,
        "multiple_choice": 8,
    }
    statement = f"COPY audits_answer ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for declaration, (_pk, provider_type, _status) in zip(declarations, everyone, strict=True):
            for pool, value, not_applicable in answers_for(
                by_type.get(provider_type, []), quality(rng), rng
            ):
                row: list[Any] = [
                    declaration.pk,
                    ids[pool.key],
                    pool.key,
                    pool.answer_type,
                    None,
                    None,
                    None,
                    "",
                    None,
                    not_applicable,
                    "Does not apply to us" if not_applicable else "",
                    "",
                    "",
                    False,
                    "",
                    "self_declared",
                    "",
                    1,
                    now,
                ]
                if not not_applicable:
                    slot = field[pool.answer_type]
                    row[slot] = json.dumps(value) if slot == 8 else value
                copy.write_row(row)
                answers += 1
    # What autovacuum would otherwise do during the first measurements: set the rows' hint
    # bits and the visibility map, and gather the planner's statistics.
    vacuumed = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) providers_provider, audits_declaration, audits_answer")
    say("dataset_vacuum_s", f"{time.perf_counter() - vacuumed:.1f}")
    kinds = Counter(t for _, t, _ in everyone)
    return {
        "providers": len(everyone),
        "schools": schools,
        "declarations": len(declarations),
        "answers": answers,
        **{f"providers_{k}": v for k, v in sorted(kinds.items())},
    }


# ---- the floor: one set-based SQL statement -----------------------------------------------

VALUE_COLUMN = {
    "yes_no": "value_bool",
    "number": "value_number",
    "date": "value_date",
    "single_choice": "value_text",
    "url": "value_text",
    "text": "value_text",
    "multiple_choice": "value_choices",
}
URL_PATTERN = r"^https://([^/?#@\s]*@)?[^./?#@:\s\[][^/?#@:\s]*\.[^/?#@:\s]*(:[0-9]*)?([/?#]\S*)?$"


def _lit(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _present(alias: str, answer_type: str) -> str:
    column = f"{alias}.{VALUE_COLUMN[answer_type]}"
    if VALUE_COLUMN[answer_type] == "value_text":
        return f"{column} <> ''"
    return f"{column} IS NOT NULL"


def _expr(rule: dict[str, Any], alias: str, answer_type: str, on: dt.date) -> str:
    from standards.rules import subtract_period

    op = rule["op"]
    column = f"{alias}.{VALUE_COLUMN[answer_type]}"
    match op:
        case "answered":
            return f"{column} <> '[]'::jsonb" if answer_type == "multiple_choice" else "TRUE"
        case "is_yes":
            return column
        case "is_no":
            return f"NOT {column}"
        case "number_at_least":
            return f"{column} >= {rule['value']}"
        case "number_at_most":
            return f"{column} <= {rule['value']}"
        case "number_between":
            return f"{column} BETWEEN {rule['min']} AND {rule['max']}"
        case "date_within":
            since = subtract_period(on, rule["period"])
            return f"{column} BETWEEN DATE '{since}' AND DATE '{on}'"
        case "date_older_than":
            return f"{column} < DATE '{subtract_period(on, rule['period'])}'"
        case "date_on_or_before":
            return f"{column} <= DATE '{rule['date']}'"
        case "date_on_or_after":
            return f"{column} >= DATE '{rule['date']}'"
        case "choice_in":
            return f"{column} IN ({', '.join(_lit(v) for v in rule['values'])})"
        case "includes_all":
            return f"{column} @> {_lit(json.dumps(rule['values']))}::jsonb"
        case "includes_any":
            return f"{column} ?| ARRAY[{', '.join(_lit(v) for v in rule['values'])}]"
        case "https_url":
            return f"{column} ~ {_lit(URL_PATTERN)}"
        case "text_present":
            return f"length(btrim({column}, E' \\t\\n\\r\\f\\x0B')) >= {rule.get('min_length', 1)}"
        case "all_of":
            return "(" + " AND ".join(_expr(r, alias, answer_type, on) for r in rule["rules"]) + ")"
        case "any_of":
            return "(" + " OR ".join(_expr(r, alias, answer_type, on) for r in rule["rules"]) + ")"
    raise ValueError(f"the floor does not know {op}")


# Leaf operators the floor evaluates generically, by a small code and parameters per row.
OP_CODES = {
    "answered": 1,
    "is_yes": 2,
    "is_no": 3,
    "number_at_least": 4,
    "number_at_most": 5,
    "number_between": 6,
    "date_within": 7,
    "date_older_than": 8,
    "date_on_or_before": 9,
    "date_on_or_after": 10,
    "choice_in": 11,
    "includes_all": 12,
    "includes_any": 13,
    "https_url": 14,
    "text_present": 15,
}


def _leaf_params(rule: dict[str, Any], on: dt.date) -> tuple[str, str, str, str, str]:
    """(op code, n1, n2, d1, vals) as SQL literals for a leaf rule."""
    from standards.rules import subtract_period

    op = rule["op"]
    n1 = n2 = "NULL::numeric"
    d1 = "NULL::date"
    vals = "NULL::text[]"
    if op in ("number_at_least", "number_at_most"):
        n1 = f"{rule['value']}::numeric"
    elif op == "number_between":
        n1, n2 = f"{rule['min']}::numeric", f"{rule['max']}::numeric"
    elif op in ("date_within", "date_older_than"):
        d1 = f"DATE '{subtract_period(on, rule['period'])}'"
    elif op in ("date_on_or_before", "date_on_or_after"):
        d1 = f"DATE '{rule['date']}'"
    elif op in ("choice_in", "includes_all", "includes_any"):
        vals = "ARRAY[" + ", ".join(_lit(v) for v in rule["values"]) + "]::text[]"
    elif op == "text_present":
        n1 = f"{rule.get('min_length', 1)}::numeric"
    return str(OP_CODES[op]), n1, n2, d1, vals


def _generic(alias: str, on: dt.date, prefix: str = "") -> str:
    """A leaf rule judged from the parameters in req (columns prefixed `prefix`)."""
    op, n1, n2, d1, vals = (f"r.{prefix}{name}" for name in ("op", "n1", "n2", "d1", "vals"))
    return f"""CASE {op}
        WHEN 1 THEN ({alias}.value_choices IS NULL OR {alias}.value_choices <> '[]'::jsonb)
        WHEN 2 THEN {alias}.value_bool
        WHEN 3 THEN NOT {alias}.value_bool
        WHEN 4 THEN {alias}.value_number >= {n1}
        WHEN 5 THEN {alias}.value_number <= {n1}
        WHEN 6 THEN {alias}.value_number BETWEEN {n1} AND {n2}
        WHEN 7 THEN {alias}.value_date BETWEEN {d1} AND DATE '{on}'
        WHEN 8 THEN {alias}.value_date < {d1}
        WHEN 9 THEN {alias}.value_date <= {d1}
        WHEN 10 THEN {alias}.value_date >= {d1}
        WHEN 11 THEN {alias}.value_text = ANY({vals})
        WHEN 12 THEN {alias}.value_choices ?& {vals}
        WHEN 13 THEN {alias}.value_choices ?| {vals}
        WHEN 14 THEN {alias}.value_text ~ {_lit(URL_PATTERN)}
        WHEN 15 THEN length(btrim({alias}.value_text, E' \\t\\n\\r\\f\\x0B')) >= {n1}
      END"""


def floor_sql(version: Any, on: dt.date) -> str:
    """One statement: judge every latest submitted answer, write pass and fail counts.

    Leaf rules (and the condition and consequence of `if` rules) are judged generically from a
    table of parameters; the few composite rules (all_of, any_of) by a CASE of their own.
    """
    from standards.models import Requirement

    requirements = list(Requirement.objects.filter(version=version))
    types = {r.key: r.answer_type for r in requirements}
    assert version.grace_period_days == 0, "the floor statement assumes no grace period"
    rows, composites = [], []
    null_leaf = ("0", "NULL::numeric", "NULL::numeric", "NULL::date", "NULL::text[]")
    for r in requirements:
        rule = r.rule
        cond_key, cond_type, condition, then = None, None, null_leaf, null_leaf
        if rule["op"] == "if":
            cond_key, cond_type = rule["requirement"], types[rule["requirement"]]
            condition = _leaf_params(rule["condition"], on)
            rule = rule["then"]
        if rule["op"] in OP_CODES:
            then = _leaf_params(rule, on)
        else:
            composites.append(f"WHEN {r.pk} THEN {_expr(rule, 'a', r.answer_type, on)}")
        for provider_type in r.applies_to:
            rows.append(
                f"({r.pk}, {_lit(provider_type)}, {_lit(r.key)}, {_lit(r.strength)},"
                f" {_lit(r.answer_type)}, {_lit(r.allow_not_applicable)},"
                f" {('DATE ' + _lit(r.effective_from)) if r.effective_from else 'NULL::date'},"
                f" {('DATE ' + _lit(r.effective_to)) if r.effective_to else 'NULL::date'},"
                f" {_lit(cond_key) if cond_key else 'NULL'}, {_lit(cond_type) if cond_type else 'NULL'},"
                f" {', '.join(then)}, {', '.join(condition)})"
            )
    present = {t: _present("a", t) for t in VALUE_COLUMN}
    has_value = (
        "CASE r.answer_type "
        + " ".join(f"WHEN {_lit(t)} THEN {expr}" for t, expr in present.items())
        + " END"
    )
    cond_present = (
        "CASE r.cond_type "
        + " ".join(f"WHEN {_lit(t)} THEN {_present('c', t)}" for t in VALUE_COLUMN)
        + " END"
    )
    leaf = (
        f"CASE WHEN r.op = 0 THEN CASE r.id {' '.join(composites)} END ELSE {_generic('a', on)} END"
    )
    return f"""
CREATE TABLE bench_floor_counts AS
WITH latest AS (
  SELECT DISTINCT ON (d.provider_id) d.id, d.provider_id, p.provider_type
  FROM audits_declaration d
  JOIN standards_standardversion v ON v.id = d.version_id
  JOIN providers_provider p ON p.id = d.provider_id
  WHERE v.standard_id = {version.standard_id} AND d.status = 'submitted'
    AND p.status IN ('open', 'proposed_to_close')
  ORDER BY d.provider_id, d.submitted_at DESC, d.id DESC
),
req (id, provider_type, key, strength, answer_type, allow_na, effective_from, effective_to,
     cond_key, cond_type, op, n1, n2, d1, vals, cop, cn1, cn2, cd1, cvals) AS (
  VALUES {", ".join(rows)}
),
judged AS MATERIALIZED (
  SELECT l.provider_id, r.strength,
    CASE
      WHEN r.effective_to IS NOT NULL AND DATE '{on}' > r.effective_to THEN 'n'
      WHEN DATE '{on}' < DATE '{version.effective_from}'
        OR (r.effective_from IS NOT NULL AND DATE '{on}' < r.effective_from) THEN 'd'
      WHEN a.answer_type = r.answer_type AND a.not_applicable
        THEN CASE WHEN r.allow_na THEN 'n' ELSE 'e' END
      WHEN r.cond_key IS NOT NULL AND NOT COALESCE(
          c.answer_type = r.cond_type AND NOT c.not_applicable AND {cond_present}
          AND {_generic("c", on, prefix="c")}, FALSE) THEN 'n'
      WHEN NOT COALESCE(a.answer_type = r.answer_type AND {has_value}, FALSE) THEN 'u'
      WHEN {leaf} THEN 'p'
      ELSE 'f'
    END AS outcome
  FROM latest l
  JOIN req r ON r.provider_type = l.provider_type
  LEFT JOIN audits_answer a ON a.declaration_id = l.id AND a.requirement_key = r.key
  LEFT JOIN audits_answer c ON c.declaration_id = l.id AND c.requirement_key = r.cond_key
)
SELECT provider_id,
  count(*) FILTER (WHERE outcome = 'p') AS pass_count,
  count(*) FILTER (WHERE outcome IN ('f', 'e') OR (outcome = 'u' AND strength <> 'good_practice'))
    AS fail_count
FROM judged GROUP BY provider_id
"""


def run_floor(version: Any, on: dt.date) -> float:
    """Run the floor statement; its session may use memory for hashing, as a batch would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_counts")
        # A batch statement: memory to hash in, and hash joins rather than 2 million lookups.
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET enable_nestloop = off")
        sql = floor_sql(version, on)
        started = time.perf_counter()
        cursor.execute(sql)
        seconds = time.perf_counter() - started
        cursor.execute("RESET work_mem")
        cursor.execute("RESET enable_nestloop")
        return seconds


def floor_mismatches(version: Any) -> tuple[int, int]:
    """(providers compared, providers whose pass or fail count differs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE f.provider_id IS NULL OR r.id IS NULL"
            " OR f.pass_count <> r.pass_count OR f.fail_count <> r.fail_count)"
            " FROM bench_floor_counts f"
            " FULL JOIN (scoring_currentresult c JOIN scoring_scoringrun r ON r.id = c.run_id"
            "   AND c.version_id = %s) ON c.provider_id = f.provider_id",
            [version.pk],
        )
        compared, different = cursor.fetchone()
    return compared, different


# ---- workers, memory and rows written -----------------------------------------------------


class Workers:
    """A Celery worker as a child process, as the Procfile runs them:
    `celery -A core worker --pool=prefork -c 2 -Q rescore,default,scoring` (the re-score's two
    worker processes), or `-c 1 -Q scoring` (the worker kept for single submissions)."""

    def __init__(
        self, context: Context, *, queues: str = "rescore,default,scoring", concurrency: int = 2
    ):
        self.context = context
        self.queues = queues
        self.concurrency = concurrency
        self.name = queues.split(",")[0]
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0
        self._sampling = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        path = self.context.work / f"scoring-worker-{self.name}.log"
        start_size = path.stat().st_size if path.exists() else 0
        log = open(path, "ab")  # noqa: SIM115
        env = {
            **self.context.env(),
            "CELERY_BROKER_URL": broker_url(),
            "DATABASE_CONN_MAX_AGE": "60",
        }
        command = [sys.executable, "-m", "celery", "-A", "core", "worker", "--pool=prefork"]
        command += ["-c", str(self.concurrency), "-Q", self.queues, "--loglevel=INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += [f"--hostname=bench-{self.name}-{os.getpid()}@%h"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(path, "rb") as handle:
                handle.seek(start_size)
                if b" ready." in handle.read():
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"the bench worker exited; see {path}")
            time.sleep(0.2)
        raise RuntimeError("the bench worker did not start within 60 s")

    def rss_mb(self) -> int:
        import psutil

        if self.process is None:
            return 0
        try:
            parent = psutil.Process(self.process.pid)
            total = parent.memory_info().rss
            for child in parent.children(recursive=True):
                total += child.memory_info().rss
        except psutil.Error:
            return 0
        return round(total / 2**20)

    def sample(self) -> None:
        self._sampling = True

        def loop() -> None:
            while self._sampling:
                self.peak_rss = max(self.peak_rss, self.rss_mb())
                time.sleep(0.1)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop_sampling(self) -> None:
        self._sampling = False
        if self._thread:
            self._thread.join()

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


def rows_written(context: Context) -> int:
    """Inserts and updates of every table, from PostgreSQL's statistics (a new connection)."""
    import psycopg

    _close_django()
    time.sleep(1.2)  # let the last backends' statistics arrive
    with psycopg.connect(_libpq(context.database_url)) as conn:
        return conn.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables"
        ).fetchone()[0]


def empty_broker() -> None:
    """Delete this run's own keys (none, unless a run with the same process id left some)."""
    import redis

    client = redis.Redis.from_url(broker_url())
    for key in client.scan_iter(match=f"{key_prefix()}*"):
        client.delete(key)


def national_rescore(*, on: dt.date | None = None, trigger: str = "command") -> tuple[float, int]:
    """Seconds for a whole national re-score through the workers, and how many providers it
    re-scored (the job's provider count)."""
    from scoring import services
    from scoring.models import JobStatus, RescoreJob

    started = time.perf_counter()
    job = services.start_rescore(standard_slug=SLUG, trigger=trigger, on=on)
    while True:
        status = RescoreJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()
        if status == JobStatus.DONE:
            seconds = time.perf_counter() - started
            return seconds, RescoreJob.objects.get(pk=job.pk).provider_count
        if time.perf_counter() - started > 1800:
            raise RuntimeError("the national re-score did not finish in 30 minutes")
        time.sleep(0.05)


def reset_results() -> None:
    """Back to a dataset never scored: no runs, results, gaps, jobs or dashboard rows."""
    from django.db import connection

    from dashboards import models as dashboards
    from scoring import models as scoring

    tables = [
        model._meta.db_table
        for model in (
            scoring.ScoringRun,
            scoring.CurrentResult,
            scoring.RescoreJob,
            scoring.RescoreChunk,
            scoring.Gap,
            scoring.GapEvent,
            dashboards.ProviderSnapshot,
            dashboards.AreaSnapshot,
            dashboards.ProviderRefreshRequest,
            dashboards.AreaRefreshRequest,
            dashboards.AreaTrendPoint,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def load() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def settle(label: str) -> None:
    """Before a timed phase, let the previous phase's aftermath finish rather than measure
    beside it: the dashboards' pending refresh, then VACUUM (ANALYZE) the database (what autovacuum would soon do after the bulk
    writes of a load or a re-score), then wait until no autovacuum worker is busy in it.
    Prints the time this took and the machine's load (others' work is not ours to stop)."""
    from django.core.cache import cache
    from django.db import connection

    from dashboards import services as dashboards

    started = time.perf_counter()
    # The dashboards' refresh that the previous phase asked for (a re-score's, a minute later)
    # is done now, and its queued task removed: otherwise it runs whenever the next phase's
    # workers start, and is measured with that phase.
    pending = dashboards.refresh_requested(hold_rescore=False)
    empty_broker()
    cache.delete(dashboards.QUEUED_KEY)
    say(f"{label}_dashboards_refreshed", f"{pending.providers} providers")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        while time.perf_counter() - started < 300:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'autovacuum worker'"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.5)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE backend_type = 'autovacuum worker'),"
            " count(*) FILTER (WHERE state = 'active' AND backend_type = 'client backend'"
            "   AND datname IS DISTINCT FROM current_database())"
            " FROM pg_stat_activity"
        )
        autovacuum, others = cursor.fetchone()
    say(f"{label}_settle_s", f"{time.perf_counter() - started:.1f}")
    say(
        f"{label}_machine",
        f"load {load()}; server-wide autovacuum workers {autovacuum},"
        f" other databases' active queries {others}",
    )


# ---- single scores and submissions --------------------------------------------------------


def new_revisions(provider_ids: list[int], *, submitted: bool) -> list[int]:
    """A new submitted revision of each provider's declaration, with the same answers but one
    number nudged (so the result is new), by set-based copies."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audits_declaration (provider_id, version_id, period, revision, status,"
            " review_status, created_at, submitted_at, review_comment, row_version, updated_at,"
            " revises_id)"
            " SELECT d.provider_id, d.version_id, d.period, d.revision + 1, %s, 'not_reviewed',"
            " now(), CASE WHEN %s THEN now() END, '', 1, now(), d.id"
            " FROM audits_declaration d WHERE d.provider_id = ANY(%s) AND d.revision = ("
            "   SELECT max(x.revision) FROM audits_declaration x WHERE x.provider_id = d.provider_id)"
            " RETURNING id, revises_id",
            ["submitted" if submitted else "draft", submitted, provider_ids],
        )
        pairs = cursor.fetchall()
        cursor.execute(
            "INSERT INTO audits_answer (declaration_id, requirement_id, requirement_key, answer_type,"
            " value_bool, value_number, value_date, value_text, value_choices, not_applicable,"
            " not_applicable_reason, evidence_url, evidence_note, needs_attention, attention_reason,"
            " review_state, review_comment, row_version, updated_at)"
            " SELECT n.new_id, a.requirement_id, a.requirement_key, a.answer_type, a.value_bool,"
            " CASE WHEN a.value_number IS NOT NULL THEN a.value_number + 1 END, a.value_date,"
            " a.value_text, a.value_choices, a.not_applicable, a.not_applicable_reason,"
            " a.evidence_url, a.evidence_note, a.needs_attention, a.attention_reason,"
            " a.review_state, a.review_comment, 1, now()"
            " FROM audits_answer a JOIN unnest(%s::bigint[], %s::bigint[]) AS n(new_id, old_id)"
            " ON a.declaration_id = n.old_id",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
    return [p[0] for p in pairs]


class StatementTimer:
    """A Django execute wrapper: the time spent in the database, per statement and in all."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.by_statement: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            self.count += 1
            self.by_statement[sql[:300]] += spent  # grouped and shortened when printed


def _schedstat(task: str) -> tuple[int, int]:
    """(ns on a core, ns runnable but waiting for a core) of a task, from Linux's schedstat;
    (0, 0) where it cannot be read (another machine's database server, another system)."""
    try:
        with open(f"/proc/{task}/schedstat") as handle:
            on_cpu, waiting, _ = handle.read().split()
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return 0, 0


def _score_one(declaration_id: int, timer: StatementTimer | None = None) -> tuple[float, float]:
    """Score one declaration as the worker's task does (the service, in no transaction of
    ours): ms until the result is committed, and until the service returns (after the
    dashboards' after-commit work for the provider's area)."""
    from django.db import connection

    from scoring import services

    commits: list[float] = []
    commit = connection._commit

    def committed() -> None:
        commit()
        commits.append(time.perf_counter())

    connection._commit = committed  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(timer or (lambda execute, *args: execute(*args))):
            services.score_declaration(declaration_id=declaration_id)
    finally:
        del connection._commit
    ended = time.perf_counter()
    return (commits[-1] - started) * 1000, (ended - started) * 1000


def single_scores(provider_ids: list[int], warm_ids: list[int]) -> dict[str, Any]:
    """Score new revisions one at a time, as the worker's task does, after scoring a few others
    untimed (a worker that has been running has compiled each provider type's rules and opened
    its connections). Also where the time goes: the database's share, statement by statement,
    and a profile of further scores (untimed, so that profiling costs the figures nothing)."""
    import cProfile
    import io
    import pstats

    from django.db import connection

    warm_up = [_score_one(pk)[0] for pk in new_revisions(warm_ids, submitted=True)]
    declarations = new_revisions(provider_ids, submitted=True)
    # The machine's state in the same moment: what one round trip to the database costs.
    roundtrips = []
    with connection.cursor() as cursor:
        for _ in range(SINGLE_SCORES):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            roundtrips.append((time.perf_counter() - started) * 1000)
    measured, profiled = declarations[:SINGLE_SCORES], declarations[SINGLE_SCORES:]
    stored, whole, database, statements = [], [], [], []
    cpu, waiting = [], []  # this thread and its database server process, summed
    backend = str(connection.connection.info.backend_pid)
    everything = StatementTimer()
    for declaration_id in measured:
        timer = StatementTimer()
        me, server = _schedstat("thread-self"), _schedstat(backend)
        to_store, to_end = _score_one(declaration_id, timer)
        me_after, server_after = _schedstat("thread-self"), _schedstat(backend)
        cpu.append((me_after[0] - me[0] + server_after[0] - server[0]) / 1e6)
        waiting.append((me_after[1] - me[1] + server_after[1] - server[1]) / 1e6)
        stored.append(to_store)
        whole.append(to_end)
        database.append(timer.seconds * 1000)
        statements.append(timer.count)
        everything.by_statement.update(timer.by_statement)
        everything.seconds += timer.seconds
    profile = cProfile.Profile()
    profile.enable()
    for declaration_id in profiled:
        _score_one(declaration_id)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(15)
    return {
        "stored": stored,
        "whole": whole,
        "database": database,
        "statements": statements,
        "top": everything.by_statement.most_common(),
        "database_total": everything.seconds,
        "profile": text.getvalue(),
        "warm_up": warm_up,
        "cpu": cpu,
        "waiting": waiting,
        "server_visible": _schedstat(backend) != (0, 0),
        "roundtrips": roundtrips,
    }


def submissions_during(job_running: threading.Event, provider_ids: list[int]) -> list[float]:
    """Submit declarations one by one while a re-score runs; ms from commit to result stored."""
    from django.db import connection, transaction

    from audits.models import Declaration
    from audits.signals import declaration_submitted

    drafts = new_revisions(provider_ids, submitted=False)
    latencies = []
    for declaration_id in drafts:
        if not job_running.is_set():
            break
        with transaction.atomic():
            Declaration.objects.filter(pk=declaration_id).update(
                status="submitted", submitted_at=dt.datetime.now(dt.UTC)
            )
            transaction.on_commit(
                lambda pk=declaration_id: declaration_submitted.send(
                    sender=Declaration, declaration_id=pk
                )
            )
        committed = time.perf_counter()
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM scoring_scoringrun WHERE declaration_id = %s", [declaration_id]
                )
                if cursor.fetchone():
                    break
            if time.perf_counter() - committed > 60:
                break
            time.sleep(0.01)
        latencies.append((time.perf_counter() - committed) * 1000)
        time.sleep(0.15)
    return latencies


# ---- the naive loop -----------------------------------------------------------------------


def naive(declaration_ids: list[int]) -> float:
    """A plain per-provider ORM loop: load, evaluate with the reference evaluator, save."""
    from django.db import transaction

    from audits.models import Declaration
    from scoring.models import CurrentResult, Gap, OutcomeLayout, ScoringRun
    from scoring.services import assessment_date
    from standards.rules import NotApplicable, evaluate
    from standards.selectors import requirements_for

    on = assessment_date()
    started = time.perf_counter()
    for declaration_id in declaration_ids:
        with transaction.atomic():
            declaration = Declaration.objects.select_related("provider", "version").get(
                pk=declaration_id
            )
            version = declaration.version
            requirements = list(
                requirements_for(version=version, provider_type=declaration.provider.provider_type)
            )
            answers = {a.requirement_key: a for a in declaration.answers.all()}
            values = {k: a.value for k, a in answers.items() if not a.not_applicable}
            outcomes, passed, failed = [], 0, 0
            for requirement in requirements:
                answer = answers.get(requirement.key)
                if answer is not None and answer.not_applicable:
                    outcome = "n" if requirement.allow_not_applicable else "e"
                else:
                    value = answer.value if answer is not None else None
                    try:
                        ok = evaluate(requirement.rule, value, on=on, answers=values)
                        outcome = "u" if value is None else ("p" if ok else "f")
                    except NotApplicable:
                        outcome = "n"
                    except Exception:
                        outcome = "e"
                if requirement.effective_from and on < requirement.effective_from:
                    outcome = "d"
                outcomes.append(outcome)
                if outcome == "p":
                    passed += 1
                elif outcome in "fe" or (
                    outcome == "u" and requirement.strength != "good_practice"
                ):
                    failed += 1
            keys = [r.key for r in requirements]
            layout, _ = OutcomeLayout.objects.get_or_create(
                version=version,
                provider_type=declaration.provider.provider_type,
                digest="naive-" + str(len(keys)),
                defaults={"keys": keys},
            )
            run = ScoringRun.objects.create(
                provider=declaration.provider,
                declaration=declaration,
                version=version,
                content_hash=version.content_hash,
                engine_version="naive",
                assessed_on=on,
                trigger="manual",
                layout=layout,
                outcomes="".join(outcomes),
                score=100.0 * passed / max(1, passed + failed),
                section_scores={},
                counts={},
                all_musts_met=failed == 0,
                pass_count=passed,
                fail_count=failed,
            )
            CurrentResult.objects.update_or_create(
                provider=declaration.provider,
                version=version,
                defaults={
                    "standard_id": version.standard_id,
                    "run": run,
                    "declaration": declaration,
                },
            )
            for requirement, outcome in zip(requirements, outcomes, strict=True):
                if requirement.strength != "good_practice" and outcome in "feu":
                    Gap.objects.get_or_create(
                        provider=declaration.provider,
                        standard_id=version.standard_id,
                        requirement_key=requirement.key,
                        defaults={
                            "title": requirement.title[:300],
                            "strength": requirement.strength,
                            "theme": requirement.theme,
                            "opened_by_run": run,
                        },
                    )
    return time.perf_counter() - started


# ---- the benchmark ------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[18]


def scale() -> int:
    """This process's dataset size (the runner runs each scale in a process of its own)."""
    return int(os.environ.get("BENCH_SCORING_SCALE", str(REFERENCE)))


def reference_scale() -> int:
    """The scale at which every measure is taken: REFERENCE, or the middle scale listed."""
    from bench.runner import scales

    listed = scales()
    return REFERENCE if REFERENCE in listed or not listed else listed[len(listed) // 2]


def run(context: Context) -> None:
    """At the reference scale every measure; at the other scales (growth) the dataset, the
    floor and the first national re-score only."""
    _setup_django(context)
    from scoring.services import assessment_date
    from standards.selectors import current_version

    size = scale()
    full = size == reference_scale()
    say("scoring_scale", f"{size}{'' if full else ' (growth point: first re-score only)'}")
    empty_broker()
    started = time.perf_counter()
    counts = build_dataset(context, size)
    say("scoring_dataset_build_s", f"{time.perf_counter() - started:.1f}")
    for name, value in counts.items():
        say(f"scoring_{name}", value)
    version = current_version(slug=SLUG)
    assert version is not None
    on = assessment_date()

    settle("floor")
    floor = run_floor(version, on)
    say("floor_s", f"{floor:.2f}")
    settle("national_rescore")
    _close_django()

    workers = Workers(context)
    before = rows_written(context)
    workers.start()
    workers.sample()
    national, providers = national_rescore()
    workers.stop_sampling()
    workers.stop()
    first_writes = rows_written(context) - before
    say("national_rescore_s", f"{national:.2f}")
    say("national_rescore_providers", providers)
    say("national_rescore_load", load())
    say("national_rescore_rows_written", first_writes)
    say("worker_peak_rss_mb", workers.peak_rss)
    ratio = national / floor
    say("ratio_vs_floor", f"{ratio:.2f}")
    # The same first re-score again, from no results, for a figure that another person's
    # burst of work on the machine does not make: the fastest of the repeats (growth uses it).
    repeats = [national]
    for _ in range(1, RESCORE_REPEATS):
        reset_results()
        settle("national_rescore_repeat")
        _close_django()
        workers.start()
        seconds, again = national_rescore()
        workers.stop()
        repeats.append(seconds)
        if again != providers:
            raise RuntimeError(f"a repeat re-scored {again} providers, not {providers}")
    say("national_rescore_repeats_s", ", ".join(f"{r:.2f}" for r in repeats))
    say("national_rescore_min_s", f"{min(repeats):.2f}")
    say("national_rescore_min_providers", providers)

    compared, different = floor_mismatches(version)
    say("floor_counts_compared", compared)
    say("floor_counts_different", different)
    context.target(
        "floor_counts_match", different == 0 and compared > 0, f"{different} providers differ"
    )
    if full:
        measure_the_rest(context, workers, version, on, counts, national, first_writes, ratio)


def measure_the_rest(
    context: Context,
    workers: Workers,
    version: Any,
    on: dt.date,
    counts: dict[str, int],
    national: float,
    first_writes: int,
    ratio: float,
) -> None:
    from django.db import connection

    from providers.models import Provider
    from scoring.models import CurrentResult, JobStatus, RescoreJob

    settle("unchanged_rescore")
    before = rows_written(context)
    workers.start()
    unchanged, providers = national_rescore()
    workers.stop()
    second_writes = rows_written(context) - before
    say("unchanged_rescore_s", f"{unchanged:.2f}")
    say("unchanged_rescore_providers", providers)
    say("unchanged_rescore_load", load())
    say("unchanged_rescore_rows_written", second_writes)
    write_ratio = second_writes / max(1, first_writes)
    say("unchanged_rescore_write_ratio", f"{write_ratio:.4f}")

    provider_ids = list(
        CurrentResult.objects.filter(version=version)
        .order_by("provider_id")
        .values_list("provider_id", flat=True)
    )
    naive_count = min(1_000, len(provider_ids) // 10)
    rng = random.Random(7)
    sample = rng.sample(provider_ids, SINGLE_SCORES + PROFILED + SUBMISSIONS + naive_count)
    # Warm-up: one provider of each type, then others, none of them measured.
    chosen = set(sample)
    warm: dict[str, int] = {}
    for pk, provider_type in (
        Provider.objects.filter(pk__in=provider_ids)
        .order_by("pk")
        .values_list("pk", "provider_type")
    ):
        if pk not in chosen:
            warm.setdefault(provider_type, pk)
    rest = [pk for pk in provider_ids if pk not in chosen and pk not in warm.values()]
    warm_ids = list(warm.values()) + random.Random(8).sample(rest, min(len(rest), WARM_UP))

    settle("single_score")
    single = single_scores(sample[: SINGLE_SCORES + PROFILED], warm_ids)
    times = single["stored"]
    say("single_score_providers", f"{len(times)} (after {len(warm_ids)} untimed)")
    say("single_score_load", load())
    say("single_score_p50_ms", f"{statistics.median(times):.1f}")
    single_p95 = p95(times)
    say("single_score_p95_ms", f"{single_p95:.1f}")
    say("single_score_max_ms", f"{max(times):.1f}")
    say("single_score_task_with_dashboards_p95_ms", f"{p95(single['whole']):.1f}")
    say("single_score_database_p50_ms", f"{statistics.median(single['database']):.1f}")
    say("single_score_database_p95_ms", f"{p95(single['database']):.1f}")
    say("single_score_statements", statistics.median(single["statements"]))
    if single["server_visible"]:
        # Time on a core (this process and its database server process) and time spent ready
        # to run but waiting for a core: on a busy machine, the second is what grows.
        say("single_score_cpu_p50_ms", f"{statistics.median(single['cpu']):.1f}")
        say("single_score_cpu_p95_ms", f"{p95(single['cpu']):.1f}")
        say("single_score_waiting_for_cpu_p50_ms", f"{statistics.median(single['waiting']):.1f}")
        say("single_score_waiting_for_cpu_p95_ms", f"{p95(single['waiting']):.1f}")
    say("single_score_roundtrip_p50_ms", f"{statistics.median(single['roundtrips']):.2f}")
    say("single_score_roundtrip_p95_ms", f"{p95(single['roundtrips']):.2f}")
    say(
        "single_score_warm_up_ms",
        f"first {single['warm_up'][0]:.1f}, max {max(single['warm_up']):.1f}"
        f" (untimed: {len(single['warm_up'])} scores, each provider type's first)",
    )
    total = single["database_total"] or 1.0
    grouped: Counter[str] = Counter()
    for statement, seconds in single["top"]:
        # Savepoints have a name each: one line for them all.
        grouped[re.sub(r'"s\d+_x\d+"', '"…"', " ".join(statement.split()))] += seconds
    for n, (statement, seconds) in enumerate(grouped.most_common(14), start=1):
        say(
            f"single_score_statement_{n}",
            f"{seconds / len(times) * 1000:.2f} ms a score ({seconds / total:.0%}):"
            f" {statement[:90]}",
        )
    profile_path = context.work / "single_score_profile.txt"
    profile_path.write_text(single["profile"])
    say("single_score_profile", f"{profile_path} ({PROFILED} further scores, untimed)")
    for line in single["profile"].splitlines():
        if line.strip():
            print(f"#   {line}", flush=True)

    # Submissions while a national re-score runs (a year on, so most results change), with the
    # Procfile's two workers: the re-score's, and the one kept for single submissions.
    settle("submissions")
    submitting = SINGLE_SCORES + PROFILED
    scorer = Workers(context, queues="scoring", concurrency=1)
    workers.start()
    scorer.start()
    running = threading.Event()
    running.set()
    outcome: dict[str, float] = {}

    def rescore_in_background() -> None:
        try:
            outcome["seconds"], outcome["providers"] = national_rescore(
                on=on + dt.timedelta(days=400), trigger="nightly"
            )
        finally:
            running.clear()
            _close_django()

    thread = threading.Thread(target=rescore_in_background)
    thread.start()
    time.sleep(1.0)
    latencies = submissions_during(running, sample[submitting : submitting + SUBMISSIONS])
    still_running = running.is_set()
    thread.join()
    workers.stop()
    scorer.stop()
    say(
        "submissions_during_rescore",
        f"{len(latencies)} (re-score still running at the last: {still_running})",
    )
    if not latencies:  # only on a dataset too small for the re-score to outlast a submission
        latencies = [float("nan")]
    say("submit_to_result_p50_ms", f"{statistics.median(latencies):.0f}")
    submit = p95(latencies)
    say("submit_to_result_p95_ms", f"{submit:.0f}")
    say("changed_rescore_s", f"{outcome.get('seconds', float('nan')):.2f}")
    say("changed_rescore_providers", int(outcome.get("providers", 0)))
    say("changed_rescore_load", load())

    settle("naive")
    naive_ids = list(
        CurrentResult.objects.filter(
            provider_id__in=sample[-naive_count:], version=version
        ).values_list("declaration_id", flat=True)
    )
    naive_seconds = naive(naive_ids)
    say("naive_s", f"{naive_seconds:.2f}")
    say("naive_providers", len(naive_ids))
    speedup = (naive_seconds / len(naive_ids) * counts["providers"]) / national
    say("speedup_vs_naive", f"{speedup:.0f}")
    _close_django()
    assert not RescoreJob.objects.exclude(status=JobStatus.DONE).exists()
    connection.close()

    for name, value, limit, higher_is_better in [
        ("ratio_vs_floor", ratio, TARGETS["ratio_vs_floor"], False),
        ("speedup_vs_naive", speedup, TARGETS["speedup_vs_naive"], True),
        (
            "unchanged_rescore_write_ratio",
            write_ratio,
            TARGETS["unchanged_rescore_write_ratio"],
            False,
        ),
        ("single_score_p95_ms", single_p95, TARGETS["single_score_p95_ms"], False),
        ("submit_to_result_p95_ms", submit, TARGETS["submit_to_result_p95_ms"], False),
        ("worker_peak_rss_mb", workers.peak_rss, TARGETS["worker_peak_rss_mb"], False),
    ]:
        ok = value >= limit if higher_is_better else value <= limit
        context.target(name, ok, f"{value:.3g} {'<' if higher_is_better else '>'} {limit}")
