"""Settings shared by every environment. Environment-specific modules import from here."""

import json
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, SELF

from settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# The key local and demo runs use when none is given. Production refuses it (settings/production.py).
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
DEMO_MODE = env_bool("DEMO_MODE", False)
SERVICE_NAME = "Check SEND provision"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "accounts",
    "standards",
    "providers",
    "audits",
    "api",
    "scoring",
    "impact",
    "inclusion",
    "dashboards",
    "reports",
    "notifications",
]

MIDDLEWARE = [
    "inclusion.public.privacy.NoCookiesOnFamilyPages",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor, if any, verified this session; then, for someone who must use one
    # or has set one up, nothing but signing in until it is verified (accounts/middleware.py).
    "accounts.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "core.urls"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction pooling mode, a server-side cursor (QuerySet.iterator())
# would outlive its transaction's server connection: turn them off (docs/operations.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Sends accounts.signals.password_changed, which revokes the person's API tokens.
    {"NAME": "accounts.validators.PasswordChangeNotifier"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Finished area reports (PDF): a local folder by default; any storage backend with options
# (JSON) for deployments with several machines, e.g. object storage (docs/reports.md).
REPORTS_ROOT = Path(env_str("REPORTS_ROOT", str(BASE_DIR / "var" / "reports")))
REPORTS_STORAGE_BACKEND = env_str(
    "REPORTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
REPORTS_STORAGE_OPTIONS = json.loads(env_str("REPORTS_STORAGE_OPTIONS", "") or "{}")
if REPORTS_STORAGE_BACKEND.endswith("FileSystemStorage"):
    REPORTS_STORAGE_OPTIONS.setdefault("location", str(REPORTS_ROOT))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "reports": {"BACKEND": REPORTS_STORAGE_BACKEND, "OPTIONS": REPORTS_STORAGE_OPTIONS},
}

# Sessions expire after eight hours, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: no inline script or style except the one nonce'd script
# the GOV.UK page template needs to mark the body as js-enabled.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [SELF, NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Lock-out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# The account is locked, whatever address the attempts come from; locking an address too
# would lock out everyone behind one proxy or office network.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.account_email"
# axes warns when addresses are not locked too: here that is the choice explained above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the service: the client's address is the one the nearest of them
# saw (accounts/ratelimit.py). None locally; production.py reads PROXY_COUNT.
PROXY_COUNT = 0
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.client_address"

# Console locally; in production SMTP (django.core.mail.backends.smtp.EmailBackend and the
# EMAIL_HOST settings below) or any API-backed Django backend (docs/notifications.md).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@check-send-provision.example")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Where the service is reached: the start of every link in an email.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Days a notification record is kept (it stops the same email being sent twice).
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 400)

# Celery: the filesystem broker is the embedded default, so the service runs with no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_QUEUE_DIR = BASE_DIR / ".celery-queue"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "messages"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "messages"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    # A chunk not acknowledged within this time is delivered again to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
    if env_str("CELERY_KEY_PREFIX"):
        # Keeps the queues of parallel test or benchmark runs on one Redis server apart.
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_KEY_PREFIX")
# The cache holds API throttle counts. Every web process must count the same requests, so
# with Redis available it is shared there (CACHE_URL, else a Redis broker URL); locmem
# otherwise, which suits the single web process of `make run`.
CACHE_URL = env_str(
    "CACHE_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "check-send-provision"),
        }
    }
elif CACHE_URL.startswith("memcached://"):
    # Needs pymemcache installed alongside the project.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": CACHE_URL.removeprefix("memcached://"),  # "host:port[,host:port]"
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "check-send-provision"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Scoring: single submissions on their own queue, national re-score chunks on `rescore`.
CELERY_TASK_ROUTES = {
    "scoring.score_declaration": {"queue": "scoring"},
    "scoring.rescore_chunk": {"queue": "rescore"},
    "scoring.nightly_rescore": {"queue": "default"},
    "scoring.sweep": {"queue": "default"},
    "impact.preview_chunk": {"queue": "rescore"},
    "impact.requeue_stale_chunks": {"queue": "default"},
}
# Kept in code; the DatabaseScheduler copies these entries into its tables when beat starts.
CELERY_BEAT_SCHEDULE = {
    # Keeps date-based rules ("reviewed in the last 12 months") true: 02:30 every night.
    "scoring-nightly-rescore": {
        "task": "scoring.nightly_rescore",
        "schedule": crontab(hour=2, minute=30),
    },
    # Queues submissions still without a result, re-queues re-score chunks not finished in
    # time and re-opens gaps whose acceptance has expired.
    "scoring-sweep": {"task": "scoring.sweep", "schedule": 300.0},
    # Re-queues impact preview chunks not finished in time.
    "impact-requeue-stale-chunks": {"task": "impact.requeue_stale_chunks", "schedule": 300.0},
    # Rebuilds every area's dashboard figures after the nightly re-score, and turns the
    # academic year over on 1 September.
    "dashboards-refresh-all": {
        "task": "dashboards.refresh_all",
        "schedule": crontab(hour=3, minute=30),
    },
    # Emails: reminders 14 and 3 days before a round's deadline, actions past their due date
    # and the officers' digest of yesterday's submissions, every morning.
    "notifications-deadline-reminders": {
        "task": "notifications.deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "notifications-overdue-gaps": {
        "task": "notifications.overdue_gaps",
        "schedule": crontab(hour=7, minute=5),
    },
    "notifications-officer-digest": {
        "task": "notifications.officer_digest",
        "schedule": crontab(hour=7, minute=10),
    },
    # Finds again the events of the last day whose task was lost, and re-queues waiting emails.
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 1800.0},
    # Deletes notification records older than NOTIFICATION_RETENTION_DAYS.
    "notifications-prune": {
        "task": "notifications.prune",
        "schedule": crontab(hour=4, minute=15),
    },
    # Removes personal data past its retention period (PRIVACY_RETENTION_DAYS): 04:20 nightly.
    "accounts-prune-personal-data": {
        "task": "accounts.prune_personal_data",
        "schedule": crontab(hour=4, minute=20),
    },
}
SCORING_CHUNK_SIZE = env_int("SCORING_CHUNK_SIZE", 1000)
# A re-score chunk not finished this many seconds after it was queued or started is queued
# again. Keep it below the Redis visibility timeout and above the longest chunk.
SCORING_CHUNK_REQUEUE_AFTER = env_int("SCORING_CHUNK_REQUEUE_AFTER", 900)
# A re-score chunk started (or queued again unstarted) this many times without finishing is
# marked failed, and its job finishes without it.
SCORING_CHUNK_MAX_ATTEMPTS = env_int("SCORING_CHUNK_MAX_ATTEMPTS", 3)
# Only for tests of a worker killed mid-chunk: seconds to wait before a chunk commits.
SCORING_CHUNK_PAUSE_SECONDS = float(env_str("SCORING_CHUNK_PAUSE_SECONDS", "0"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, with no 5xx for deeply nested bodies (api/parsers.py) or for lone surrogates
    # echoed back in error messages (api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # The API's one error format for every 4xx (api/errors.py).
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Requests per API token (per person for browser sessions), e.g. "600/minute".
    "DEFAULT_THROTTLE_RATES": {"api": env_str("API_THROTTLE_RATE", "600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Check SEND provision API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies keep their required fields (the declaration PATCH requires "answers").
    "COMPONENT_SPLIT_PATCH": False,
    "DESCRIPTION": (
        "Read standards and providers, and create, fill and submit declarations, as the person "
        "whose token you send (`Authorization: Bearer <token>`): a token sees exactly what its "
        "user sees. Every 4xx answer has the Error shape. See docs/api.md for a worked example."
    ),
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI and Redoc assets from drf-spectacular-sidecar: served offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Redoc's sidebar footer ("API docs by Redocly") still asks cdn.redoc.ly for its logo: the
    # CSP blocks it (a console error) and Redoc hides the image. No Redoc option removes it.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayRequestDuration": True},
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": "standards.models.VersionStatus",
        "ProviderStatusEnum": "providers.models.ProviderStatus",
        "DeclarationStatusEnum": "audits.models.DeclarationStatus",
        "ReviewStatusEnum": "audits.models.ReviewStatus",
        "ProviderTypeEnum": "standards.vocabulary.ProviderType",
        "GapStatusEnum": "scoring.models.GapStatus",
        "ActiveGapStatusEnum": "scoring.forms.ACTIVE_GAP_STATUS_CHOICES",
    },
    "TAGS": [
        {"name": "standards", "description": "Standards, their versions and requirements."},
        {"name": "providers", "description": "Areas and providers you can see."},
        {"name": "declarations", "description": "Declarations and their answers."},
        {"name": "results and gaps", "description": "Scoring results and the gaps they raise."},
    ],
}

# The second factor (django-otp): an authenticator app (TOTP) with single-use recovery codes.
# Area, ICB and national officers, standards admins and site admins must use it; anyone else
# may (accounts/selectors.py). Apps show the issuer beside the account.
OTP_TOTP_ISSUER = SERVICE_NAME
# After each wrong code, the next is refused for 2**(failures - 1) seconds times this factor.
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_STATIC_THROTTLE_FACTOR", 1)
# Minutes between the password and the code before the sign-in starts again.
SECOND_FACTOR_PENDING_MINUTES = 10

# Limits by address, besides the per-account lock-out above: failed sign-ins from one address
# (so one address cannot try many accounts), and password-reset requests from one address and
# for one email address (so nobody can flood a person's inbox). Each is (requests, seconds),
# counted in the shared cache. Test and load runs, which all come from 127.0.0.1, raise them
# with RATE_LIMIT_MULTIPLIER.
RATE_LIMIT_MULTIPLIER = env_int("RATE_LIMIT_MULTIPLIER", 1)
RATE_LIMITS = {
    "sign_in_failures_per_address": (env_int("SIGN_IN_FAILURES_PER_ADDRESS", 30), 15 * 60),
    "password_resets_per_address": (env_int("PASSWORD_RESETS_PER_ADDRESS", 10), 60 * 60),
    "password_resets_per_email": (env_int("PASSWORD_RESETS_PER_EMAIL", 3), 60 * 60),
}

# API tokens live at most this many days; none lives for ever.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# /readyz tells the public only "ready" or "not ready"; these networks (CIDR ranges, checked
# against the connecting address and never a forwarded header) and signed-in site admins also
# see which check failed. For example "10.0.0.0/8,127.0.0.1/32".
READYZ_DETAIL_NETWORKS = env_list("READYZ_DETAIL_NETWORKS", [])

# The privacy notice: the controller of the personal data this deployment holds, and where to
# ask for a copy or a correction.
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER", "")
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "")
# How long personal data is kept, in days, before the nightly task removes it. Declarations,
# results and the audit trail are kept: they are the record.
RETENTION_DAYS = {
    # Failed and successful sign-in records (django-axes).
    "sign_in_records": env_int("RETAIN_SIGN_IN_RECORDS_DAYS", 90),
    # Sessions, counted from when they expired.
    "sessions": env_int("RETAIN_SESSIONS_DAYS", 7),
    # API tokens, counted from when they were revoked or expired.
    "ended_tokens": env_int("RETAIN_ENDED_TOKENS_DAYS", 90),
    # Notification records, removed by the notifications app when it is installed.
    "notifications": env_int("RETAIN_NOTIFICATIONS_DAYS", 365),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Family searches are never logged with their inputs (docs/families.md).
    "filters": {"family_privacy": {"()": "inclusion.public.privacy.DropFamilyQueryStrings"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["family_privacy"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["family_privacy"],
        },
    },
}

ENVIRONMENT = "local"
