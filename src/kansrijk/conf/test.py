"""The test suite: the same as dev, with fast hashing and mail kept in memory.
Set DATABASE_URL to run it on PostgreSQL; without it, SQLite."""

from kansrijk.conf.dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
}
# WhiteNoise reads the whole list of static files (~220, with their headers) each time a
# middleware chain is built: 10-30 ms for every test client, about 5 % of the suite's time. In
# this mode it looks a file up when one is asked for instead. No test client asks for one (the
# browser tests' live server serves static files itself); the production storage is tested by
# tests/core/test_settings.py.
WHITENOISE_AUTOREFRESH = True
# Every queryset run through kansrijk.core.compiled is also compiled by the ORM and compared
# with the SQL kept for its name: the suite checks the compiled path against the ORM's own.
KANSRIJK_COMPILED_CHECK = True
