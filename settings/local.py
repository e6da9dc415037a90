"""Local development: runs with no services (SQLite and the filesystem broker) unless told otherwise."""

from settings.base import *  # noqa: F403
from settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
DEMO_MODE = env_bool("DEMO_MODE", True)
INTERNAL_IPS = ["127.0.0.1"]
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
