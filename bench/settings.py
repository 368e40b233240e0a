"""Benchmark settings: cartsite's, with the bench routes and quiet logs.

``BENCH_MIDDLEWARE=0`` drops every middleware, to show what the stack costs.
"""

from __future__ import annotations

import os

from cartsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
if os.environ.get("BENCH_MIDDLEWARE", "1") == "0":
    MIDDLEWARE: list[str] = []
    # The admin needs these middleware; the bench never opens the admin.
    SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

# Warnings only, but the node's start/stop lines (the group-commit figures) too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"cartsite.lifespan": {"level": "INFO"}},
}
