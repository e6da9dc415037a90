"""Benchmarks, run with `python -m bench` (or `make bench`).

Each benchmark is a function in a module of this package, listed in `bench.runner.benches`.
The runner refuses to run unless DATABASE_URL is PostgreSQL and CELERY_BROKER_URL is Redis. It
never touches the database DATABASE_URL names: each benchmark (and each scale of the scoring
benchmark) runs in a child process of its own, against a new database `bench_<pid>_<time>_<name>`
on the same server, dropped afterwards, so that no benchmark measures what an earlier one left.
Each is given a `Context` (its database, already migrated, and a work folder) and prints
`name: value` lines. `--record NAME` (or BENCH_RECORD=NAME) also writes the whole output to
bench/results/NAME.txt; `python -m bench.compare A B` compares two such files.
"""
