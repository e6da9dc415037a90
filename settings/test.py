"""Settings for the test suite."""

from settings.base import *  # noqa: F403
from settings.base import DATABASES

DEBUG = False
ENVIRONMENT = "test"
DEMO_MODE = False
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}
# Serve static files from the app folders, as the test server has no collected files.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
