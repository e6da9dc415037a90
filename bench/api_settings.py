"""Settings for the API benchmark's gunicorn: the local settings with bench/api_site.py's URLs."""

from settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.api_site"
DEBUG = False
