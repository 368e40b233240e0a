"""The benchmark's PostgreSQL database: made fresh and migrated, and its counters read."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.node import ROOT

__all__ = ["Counters", "counters", "prepare_database"]


@dataclass(frozen=True, slots=True)
class Counters:
    """Events in the log and transactions PostgreSQL committed in the bench database."""

    events: int
    xact_commit: int


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def prepare_database(url: str, *, keep: bool = False) -> None:
    """Recreate the database of ``url`` (unless ``keep``), migrate it, load the demo catalog."""
    name = urlsplit(url).path.lstrip("/")
    if not keep:
        with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
            db = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(db))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(db))
    _manage(url, "migrate", "--noinput", "-v", "0")
    _manage(url, "load_demo_catalog")


def counters(url: str) -> Counters:
    """Read the event count and PostgreSQL's committed-transaction count of the database."""
    with psycopg.connect(url, autocommit=True) as conn:
        (events,) = conn.execute("SELECT count(*) FROM carts_cartevent").fetchone()
        (xacts,) = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return Counters(events=events, xact_commit=xacts)
