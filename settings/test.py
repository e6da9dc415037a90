"""Settings for the test suite."""

import os
import tempfile
from pathlib import Path

from settings.base import *  # noqa: F403
from settings.base import CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_BROKER_URL, DATABASES

DEBUG = False
ENVIRONMENT = "test"
DEMO_MODE = False
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(tempfile.gettempdir()) / "check-send-provision-reports")},
    },
}
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = True
# Every test client comes from 127.0.0.1: tests of the limits set it back to 1.
RATE_LIMIT_MULTIPLIER = 1000
# Parallel test processes reuse the same user and token ids: each keeps its own counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}
# Serve static files from the app folders, as the test server has no collected files.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Messages that tests send go to a folder of their own, never to the checkout's queue.
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = Path(tempfile.gettempdir()) / "check-send-provision-test-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        **{
            key: str(CELERY_QUEUE_DIR / folder)
            for key, folder in (
                ("data_folder_in", "messages"),
                ("data_folder_out", "messages"),
                ("processed_folder", "processed"),
                ("control_folder", "control"),
            )
        },
    }

# Parallel test processes share one Redis server: each gets queues of its own, unless a test
# starts workers with a prefix of its choosing.
if CELERY_BROKER_URL.startswith("redis") and not os.environ.get("CELERY_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}:",
    }
