"""The load run, `python -m reliability.load` (`make load`).

In a database of its own (`load_<pid>_<time>` on DATABASE_URL's server, dropped afterwards) it
loads the demo (`seed_demo`), adds the load run's own people (`prepare.py`: 40 provider editors,
10 area officers, 5 API clients), serves the site with gunicorn (2 workers, production settings
over plain HTTP: `settings.py`) and a Celery worker for the submissions' scoring, and runs Locust
headless for three minutes (`locustfile.py`). It prints `name: value` lines and a table by kind of
request: the error rate, p50 and p95, requests per second, the machine and the load generator's
own CPU use. Redis keys carry a prefix of the run's own and are removed afterwards.
"""
