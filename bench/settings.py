"""Benchmark settings: cartsite's, with the bench routes and quiet logs.

``BENCH_MIDDLEWARE=0`` drops every middleware, to show what the stack costs;
``BENCH_MIDDLEWARE=django`` puts Django's own classes back in place of
``cartsite.middleware``'s, to show what their thread hops cost.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from cartsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
# Django's class for each of cartsite's (a literal: importing them needs the app registry).
DJANGO_MIDDLEWARE = {
    "cartsite.middleware.SecurityMiddleware": "django.middleware.security.SecurityMiddleware",
    "cartsite.middleware.SessionMiddleware": "django.contrib.sessions.middleware.SessionMiddleware",
    "cartsite.middleware.CommonMiddleware": "django.middleware.common.CommonMiddleware",
    "cartsite.middleware.CsrfViewMiddleware": "django.middleware.csrf.CsrfViewMiddleware",
    "cartsite.middleware.AuthenticationMiddleware": (
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    ),
    "cartsite.middleware.MessageMiddleware": "django.contrib.messages.middleware.MessageMiddleware",
    "cartsite.middleware.XFrameOptionsMiddleware": (
        "django.middleware.clickjacking.XFrameOptionsMiddleware"
    ),
}
_mode = os.environ.get("BENCH_MIDDLEWARE", "1")
if _mode == "0":
    MIDDLEWARE: list[str] = []
    # The admin checks for its middleware; the bench never opens the admin.
    SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]
elif _mode == "django":
    MIDDLEWARE = [DJANGO_MIDDLEWARE.get(m, m) for m in MIDDLEWARE]
elif _mode != "1":
    raise ImproperlyConfigured(f"BENCH_MIDDLEWARE must be 1, 0 or django, not {_mode!r}")

# Warnings only, but the node's start/stop lines (the group-commit figures) too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"cartsite.lifespan": {"level": "INFO"}},
}
