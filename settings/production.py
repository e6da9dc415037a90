"""Production: refuses to start without its secrets and hosts."""

from settings.base import *  # noqa: F403
from settings.env import env_bool, env_int, env_list, env_required, env_str

SECRET_KEY = env_required("SECRET_KEY")
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
# Behind PROXY_COUNT reverse proxies, the sign-in log records the client's address, not the
# proxy's.
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 1)
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The start of every link in an email: the service's public address.
SITE_URL = env_str("SITE_URL", f"https://{ALLOWED_HOSTS[0]}")
