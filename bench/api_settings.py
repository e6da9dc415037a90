"""Settings for the API benchmark's gunicorn: the local settings with bench/api_site.py's URLs."""

from settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.api_site"
DEBUG = False
# The bench serves no static files; an existing folder keeps WhiteNoise from warning.
STATIC_ROOT = BASE_DIR / "static"  # noqa: F405
