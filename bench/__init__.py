"""Benchmarks, run with `python -m bench` (or `make bench`).

Each benchmark is a function in a module of this package, listed in `bench.runner.BENCHES`.
It is given a `Context` (its own PostgreSQL database, already migrated, and a work folder)
and prints `name: value` lines. The runner refuses to run unless DATABASE_URL is PostgreSQL and
CELERY_BROKER_URL is Redis, and it never touches the database DATABASE_URL names: it creates
`bench_<pid>` on the same server and drops it afterwards.
"""
