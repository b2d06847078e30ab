"""Production: every secret from the environment, HTTPS only, strict cookies, HSTS and CSP."""

from django.core.exceptions import ImproperlyConfigured

from kansrijk.conf.base import *  # noqa: F403
from kansrijk.conf.base import SECRET_KEY
from kansrijk.conf.env import env_bool, env_int

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters")

DEBUG = False
# A real installation: `kansrijk demo` refuses to run and demo accounts cannot log in
# (unless KANSRIJK_DEMO_MODE is set, which shows the demo banner on every page).
KANSRIJK_PRODUCTION = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
