"""Local development and `kansrijk demo`: SQLite by default, debug on, mail to the console."""

from kansrijk.conf.base import *  # noqa: F403
from kansrijk.conf.env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or "kansrijk-dev-only-insecure-key-do-not-use-in-production"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come straight from the finders; no collectstatic folder in development.
STATIC_ROOT = env_str("STATIC_ROOT") or None  # type: ignore[assignment]
