"""Benchmark settings: cartsite's, with the bench routes and quiet logs.

``BENCH_MIDDLEWARE=0`` drops every middleware, to show what the stack costs;
``BENCH_MIDDLEWARE=inline`` swaps in the async-native ones of ``bench/middleware.py``.
"""

from __future__ import annotations

import os

from cartsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
INLINE_MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware": "bench.middleware.Security",
    "django.contrib.sessions.middleware.SessionMiddleware": "bench.middleware.Session",
    "django.middleware.common.CommonMiddleware": "bench.middleware.Common",
    "django.middleware.csrf.CsrfViewMiddleware": "bench.middleware.Csrf",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "bench.middleware.Auth",
    "django.contrib.messages.middleware.MessageMiddleware": "bench.middleware.Messages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "bench.middleware.XFrame",
}
_mode = os.environ.get("BENCH_MIDDLEWARE", "1")
if _mode == "0":
    MIDDLEWARE: list[str] = []
elif _mode == "inline":
    MIDDLEWARE = [INLINE_MIDDLEWARE.get(m, m) for m in MIDDLEWARE]
if _mode != "1":
    # The admin checks for Django's own classes; the bench never opens the admin.
    SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

# Warnings only, but the node's start/stop lines (the group-commit figures) too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"cartsite.lifespan": {"level": "INFO"}},
}
