"""Production: refuses to start without its secrets and hosts, a shared broker and a shared
cache. Each refusal is an ImproperlyConfigured naming the variable to set."""

from django.core.exceptions import ImproperlyConfigured

from settings.base import *  # noqa: F403
from settings.base import CACHES, CELERY_BROKER_URL, DEVELOPMENT_SECRET_KEY
from settings.env import env_bool, env_int, env_list, env_required, env_str

SECRET_KEY = env_required("SECRET_KEY")
# While a new key is rolled out, the old ones still verify sessions and reset links
# (docs/operations.md, "Rotating the secret key").
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Keys published in this repository: anyone could sign sessions and reset links with them.
KNOWN_KEYS = {DEVELOPMENT_SECRET_KEY, "test-secret-key-not-for-production-use-0123456789"}
if any(
    key.strip() in KNOWN_KEYS or key.startswith("insecure-")
    for key in [SECRET_KEY, *SECRET_KEY_FALLBACKS]
):
    raise ImproperlyConfigured(
        "SECRET_KEY (or one of SECRET_KEY_FALLBACKS) is the development key, which is published: "
        "set SECRET_KEY to a long random value of your own (for example from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )
# Several web servers and workers must share one queue: the filesystem broker is one machine's.
env_required("CELERY_BROKER_URL")
if not CELERY_BROKER_URL.startswith(
    ("redis://", "rediss://", "sentinel://", "amqp://", "amqps://", "pyamqp://")
):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be a Redis (redis://, rediss://) or RabbitMQ (amqp://, amqps://) "
        f"broker in production, not {CELERY_BROKER_URL.split(':', 1)[0]}://: the filesystem "
        "broker serves one machine only."
    )
# Throttle counts, rate limits and locks must be seen by every process.
if CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] not in {"RedisCache", "PyMemcacheCache"}:
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache in production (redis://, rediss:// or memcached://), "
        "or CELERY_BROKER_URL a Redis broker whose server the cache can share: a per-process "
        "cache lets each web process count rate limits on its own."
    )
env_required("DATABASE_URL")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DEBUG = False
ENVIRONMENT = "production"
DEMO_MODE = env_bool("DEMO_MODE", False)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind PROXY_COUNT reverse proxies, the sign-in log and the limits by address use the
# client's address, not the proxy's (accounts/ratelimit.py).
PROXY_COUNT = env_int("PROXY_COUNT", 1)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The start of every link in an email: the service's public address.
SITE_URL = env_str("SITE_URL", f"https://{ALLOWED_HOSTS[0]}")
