"""Test settings: the real services when they are there, SQLite when not.

PostgreSQL is used when ``DATABASE_URL`` is set, or when one answers on
127.0.0.1:5432 (database ``test``, trust auth), as on CI and the dev machines.
With ``CI=true`` a missing PostgreSQL is an error, never a silent fallback.
"""

from __future__ import annotations

import os
import socket

import dj_database_url

from cartsite.settings import *  # noqa: F403
from cartsite.settings import BASE_DIR, env_bool

CI = env_bool("CI")
PG_DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT_URL = "redis://127.0.0.1:6379/0"


def reachable(host: str, port: int) -> bool:
    """Return True when a TCP connection to host:port succeeds within a second."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


_url = os.environ.get("DATABASE_URL")
if not _url and (CI or reachable("127.0.0.1", 5432)):
    _url = PG_DEFAULT_URL
if _url:
    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=0)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's in-memory default: node processes the tests start share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

TEST_REDIS_URL = os.environ.get("REDIS_URL") or (
    REDIS_DEFAULT_URL if (CI or reachable("127.0.0.1", 6379)) else ""
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Several suites on one machine (parallel sessions) each name their own test database.
if os.environ.get("TEST_DB_NAME") and USING_POSTGRES:
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}
