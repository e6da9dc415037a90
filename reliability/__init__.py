"""Measured fault tests, run with `python -m reliability.faults` (`make faults`), and the load
test, run with `make load` (`reliability/load/`).

The fault run needs DATABASE_URL (a PostgreSQL server; it creates `faults_<pid>_<time>` there and
drops it afterwards, never touching the database the URL names) and `redis-server` installed: it
starts a Redis of its own (port 6390 by default, no persistence), because one fault restarts
Redis and another stops it. It builds the scoring benchmark's national dataset
(`bench.scoring.build_dataset`), starts a real worker (`celery -A core worker --pool=prefork -c 2
-Q rescore,default,scoring`), runs one clean national re-score, then injects each fault and checks
what must hold against the clean run's results. Every figure is a `name: value` line.
"""
