"""Settings come from the environment; production refuses to start unsafely."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kansrijk.cli import DEFAULT_SETTINGS
from kansrijk.conf.env import env_bool, env_int, env_list


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Python with ``args`` in an environment of a deployment's own, plus ``env``."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment must not.
    drop = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _run_kansrijk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["-m", "kansrijk.cli", *args], env)


def test_production_check_deploy_is_clean():
    result = _run_kansrijk(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DJANGO_SETTINGS_MODULE": "kansrijk.conf.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "kansrijk.example.nl",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_collectstatic_builds_the_hashed_manifest(tmp_path):
    """A deployment's ``collectstatic`` (whitenoise's compressed manifest storage) goes through:
    it refuses a file that names a source map it cannot find, as the vendored files did."""
    result = _run_kansrijk(
        ["collectstatic", "--noinput", "--verbosity", "0"],
        {
            "DJANGO_SETTINGS_MODULE": "kansrijk.conf.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "kansrijk.example.nl",
            "STATIC_ROOT": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/9", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_read_through_the_cache_only_when_it_is_shared(redis_url, engine):
    """With Redis, sessions are read through it (no session query per request); with the
    in-process cache they are not, or a worker would keep a session another one ended."""
    # The settings of `kansrijk` (its default module), read without a command: `shell` first
    # imports every model (a second of the test's time).
    code = (
        f"import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', {DEFAULT_SETTINGS!r});"
        "from django.conf import settings; print(settings.SESSION_ENGINE)"
    )
    result = _run(["-c", code], {"REDIS_URL": redis_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == engine


def test_production_refuses_a_missing_secret_key():
    result = _run_kansrijk(["check"], {"DJANGO_SETTINGS_MODULE": "kansrijk.conf.production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_selects_postgresql():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='kansrijk.conf.dev';"
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    )
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    pg = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DATABASE_URL": "postgres://u@localhost:5432/x"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert pg.stdout.strip() == "kansrijk.core.postgresql"
    sqlite = subprocess.run(
        [sys.executable, "-c", code],
        env={k: v for k, v in base.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert sqlite.stdout.strip() == "django.db.backends.sqlite3"


def test_env_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]
    assert env_int("X_MISSING", 7) == 7
    monkeypatch.setenv("X_BOOL", "misschien")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "veel")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 0)


@pytest.mark.parametrize(
    ("threshold", "expected"), [("", "True 5"), ("2", "True 2"), ("0", "None None")]
)
def test_prepared_statements_on_postgresql(threshold, expected):
    """On PostgreSQL the parameters are bound on the server and a query is prepared the
    DATABASE_PREPARE_THRESHOLD-th time it runs on a connection; 0 turns both off (a pooler in
    transaction mode)."""
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='kansrijk.conf.dev';"
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    env = {"DATABASE_URL": "postgres://u@localhost:5432/x"}
    if threshold:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_on_postgresql():
    from django.db import connection

    from kansrijk.places.models import Municipality

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    for _ in range(6):
        list(Municipality.objects.filter(code="GM0090"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "places_municipality"' in statement for statement in prepared), prepared
