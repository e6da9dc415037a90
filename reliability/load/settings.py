"""The load run's settings: production's, served over plain HTTP on 127.0.0.1.

Production refuses to start without its secrets, a shared broker and a shared cache, and the
load run gives it all three. Only what plain HTTP on one machine needs is changed: no redirect to
HTTPS, no HSTS, and cookies not marked Secure (a client would not send them back over HTTP).
"""

from settings.env import env_str
from settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PROXY_COUNT = 0
STATIC_ROOT = env_str("LOAD_STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
