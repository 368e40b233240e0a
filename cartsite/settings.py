"""Settings for cartsite, read from the environment (12-factor).

Every setting has a safe default for one node on a laptop: SQLite in the
project folder, the in-memory channel layer, insecure cookies off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ('1', 'true', 'yes', 'on' are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable, failing loudly with its name."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "carts",
    "ownership",
    "checkout",
]

# Django's seven, subclassed to run on the event loop under ASGI: a hook hops to a
# thread only for blocking work, such as loading or saving a session (see the module).
MIDDLEWARE = [
    "cartsite.middleware.SecurityMiddleware",
    # Async-native: the admin's CSS and JS, without a thread hop for other requests.
    "servestatic.middleware.ServeStaticMiddleware",
    "cartsite.middleware.SessionMiddleware",
    "cartsite.middleware.CommonMiddleware",
    "cartsite.middleware.CsrfViewMiddleware",
    "cartsite.middleware.AuthenticationMiddleware",
    "cartsite.middleware.MessageMiddleware",
    "cartsite.middleware.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cartsite.urls"
ASGI_APPLICATION = "cartsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the admin read while the group committer writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve the apps' static files where they lie (the admin's, from site-packages):
# no collectstatic step for `make run` or a node; the index is built at start.
SERVESTATIC_USE_FINDERS = True

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- cartsite ---------------------------------------------------------------

CART_NODE_ID = os.environ.get("CART_NODE_ID", "node-1")
CART_GRPC_ADDR = os.environ.get("CART_GRPC_ADDR", "127.0.0.1:50051")
CART_ADVERTISE_ADDR = os.environ.get("CART_ADVERTISE_ADDR", CART_GRPC_ADDR)
CART_PEERS = [p.strip() for p in os.environ.get("CART_PEERS", "").split(",") if p.strip()]
CART_CURRENCY = os.environ.get("CART_CURRENCY", "SEK")

# Idle grains leave memory after this many seconds (they reload from the log).
CART_GRAIN_TTL = env_int("CART_GRAIN_TTL", 15 * 60)
# A snapshot is written every N events so activation replays at most N events.
CART_SNAPSHOT_EVERY = env_int("CART_SNAPSHOT_EVERY", 50)
# Group commit: at most this many events per transaction.
CART_COMMIT_MAX_BATCH = env_int("CART_COMMIT_MAX_BATCH", 256)

CART_EVENT_STORE = {
    "BACKEND": os.environ.get("CART_EVENT_STORE", "carts.eventstore.db.DatabaseEventStore"),
    "OPTIONS": {},
}
CART_CATALOG = {
    "BACKEND": os.environ.get("CART_CATALOG", "carts.catalog.db.DatabaseCatalog"),
    "OPTIONS": {"cache_seconds": env_int("CART_CATALOG_CACHE_SECONDS", 30)},
}
CART_DELIVERY_PRICING = {
    "BACKEND": "carts.pricing.ConfiguredDeliveryPricing",
    "OPTIONS": {
        "providers": {
            "postnord": {"price": 4900, "tax_rate": 2500},
            "dhl": {"price": 5900, "tax_rate": 2500},
            "instabox": {"price": 3900, "tax_rate": 2500},
        },
        "free_over": env_int("CART_FREE_DELIVERY_OVER", 50000),
    },
}

DEV_INSECURE_COOKIES = env_bool("DEV_INSECURE_COOKIES", False)
CART_COOKIE_NAME = "cartid"
CART_COOKIE_MAX_AGE = 60 * 60 * 24 * 30

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "carts.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cartsite API",
    "DESCRIPTION": "Shopping carts as virtual actors: REST for shop frontends.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
