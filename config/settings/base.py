"""Settings, read only from the environment. Defaults give the embedded development setup:
SQLite, DEBUG on and the local sandbox providers."""

import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from config.logs import logging_config

from .env import DEBUG, PAYMENTS_SANDBOX, env_bool, env_int, env_list, env_str
from .guard import refuse_misconfiguration
from .providers import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# ---------------------------------------------------------------- core
# Development only: the guard below refuses to start production without a real key.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-before-deploying")
# During a rotation: the previous keys, comma-separated. What they signed (admin sessions,
# password reset links) still verifies; everything new is signed with SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

# ---------------------------------------------------------------- behind the load balancer
# The load balancers whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or
# networks); from any other peer those headers are dropped (config/proxies.py). How many
# proxies append to X-Forwarded-For bounds how far back the client is looked for.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if not DEBUG:
    # The load balancer terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain HTTP is redirected, except the probes a load balancer sends to the app directly.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # and its ready/ and live/ probes, and Prometheus scraping from inside the network
    SECURE_REDIRECT_EXEMPT = [r"^api/health/", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way commitment for the whole domain, made by its owner at
    # hstspreload.org; the service sends HSTS with subdomains but does not ask for it.
    "security.W021",
]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files: works offline
    "accounts",
    "catalog",
    "outbound",
    "orders",
    "bookings",
    "invoices",
    "cart",
    "payments",
    "settlements",
    "selfservice",
    "waitlist",
    "privacy",
    "holds",
    "idempotency",
    "observability",
    "django_structlog",
]
INSTALLED_APPS += GATEWAY_APPS  # noqa: F405  (gateway packages that are apps: providers.py)
if PAYMENTS_SANDBOX:  # the providers' stand-ins and the demo: never in production
    INSTALLED_APPS.append("sandbox")

MIDDLEWARE = [
    "config.proxies.TrustedProxyMiddleware",  # before anything reads the client or scheme
    "config.probes.ProbesAnswerAnyHost",  # health probes, whatever Host a prober sends
    "django_structlog.middlewares.RequestMiddleware",
    "config.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],  # pages config/admin.py shows
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

# ---------------------------------------------------------------- database
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections, checked before reuse so a restarted database costs
        # one failed check, not a failed request.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent requests: readers never block the writer (WAL),
    # a writer waits for the lock instead of failing (timeout), and every transaction takes
    # the write lock up front, so none fails upgrading from read to write (IMMEDIATE).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

# Throttle counts and anything else every process must agree on live in Redis when there
# is more than one process; the embedded default keeps them in its one process's memory.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# ---------------------------------------------------------------- i18n, static
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Kolkata")  # of every timestamp in every answer
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served by the app itself (whitenoise): compressed, with hashed names in production.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Content-Security-Policy on every page: only our own scripts and styles, inline ones only
# with the per-request nonce (the demo and sandbox pages carry it), nothing framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- REST API
API_THROTTLING = env_bool("API_THROTTLING", True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": (
        [
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
        ]
        if API_THROTTLING
        else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    # The client is REMOTE_ADDR, which config.proxies sets from a trusted proxy's word only.
    "NUM_PROXIES": 0,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# A creating POST with an Idempotency-Key whose request has not answered after this long
# died (killed, timed out): a retry takes its claim over. Longer than any request runs: the
# guard keeps it above three provider timeouts (a request makes at most two provider calls).
IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS = env_int("IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS", 120)
# Login, token and refresh attempts, per client IP and per account.
LOGIN_RATE_PER_IP = env_str("LOGIN_RATE_PER_IP", "30/min")
LOGIN_RATE_PER_ACCOUNT = env_str("LOGIN_RATE_PER_ACCOUNT", "10/min")
# Password reset requests, per email asked about and per client IP; its link lives an hour.
PASSWORD_RESET_RATE_PER_EMAIL = env_str("PASSWORD_RESET_RATE_PER_EMAIL", "3/hour")
PASSWORD_RESET_RATE_PER_IP = env_str("PASSWORD_RESET_RATE_PER_IP", "20/hour")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3600)
# A guest's cart token (and its carts) lives this many days from the first cart call.
GUEST_CART_DAYS = env_int("GUEST_CART_DAYS", 7)
# Lookups by manage token one client address may make a minute: a guard against guessing,
# held whatever API_THROTTLING says.
MANAGE_LOOKUPS_PER_MINUTE = env_int("MANAGE_LOOKUPS_PER_MINUTE", 30)
# A freed puja place is held this long for the next devotee on the slot's waiting list; a
# slot's list takes at most this many entries.
WAITLIST_OFFER_MINUTES = env_int("WAITLIST_OFFER_MINUTES", 120)
WAITLIST_PER_SLOT = env_int("WAITLIST_PER_SLOT", 50)
# The retention schedule (privacy.retention): days after which what no law keeps is erased.
RETAIN_GUEST_DAYS = env_int("RETAIN_GUEST_DAYS", 365)
RETAIN_UNPAID_DAYS = env_int("RETAIN_UNPAID_DAYS", 30)
RETAIN_WEBHOOK_BODY_DAYS = env_int("RETAIN_WEBHOOK_BODY_DAYS", 90)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=30),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A refresh token works once: refreshing returns a new one and blacklists the old.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Every token carries a digest of the password it was issued under and is refused (401)
    # once the password changes (a reset, a change in admin): a stolen access token dies
    # with the password, not 30 minutes later.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "paycart API",
    "DESCRIPTION": "Payment-first checkout: carts become orders and bookings once paid.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per set of statuses, whichever answer shows it.
    "ENUM_NAME_OVERRIDES": {
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "RefundStatusEnum": "payments.models.RefundStatus",
        "OrderStatusEnum": "orders.models.OrderStatus",
        "OrderPaymentStatusEnum": "orders.models.OrderPaymentStatus",
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "CartStatusEnum": "cart.models.CartStatus",
        "CartKindEnum": "cart.models.CartKind",
        "ManagedKindEnum": "selfservice.selectors.MANAGED_KINDS",
        "EventTypeEnum": "outbound.registry.EVENT_TYPE_NAMES",
    },
    # Every operation documents the error body it may answer (config/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.document_errors",
    ],
}

# ---------------------------------------------------------------- frontend, CORS
FRONTEND_BASE_URL = env_str("FRONTEND_BASE_URL", "http://localhost:3000").rstrip("/")
_frontend = urlsplit(FRONTEND_BASE_URL)
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", f"{_frontend.scheme}://{_frontend.netloc}")
# Frontends may read the request id, to show it in an error report.
CORS_EXPOSE_HEADERS = ["X-Request-ID"]

# ---------------------------------------------------------------- email
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")  # the file-based backend's folder
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shop@paycart.local")
# Who runs the shop (Django's ADMINS), and who is told of disputes (default: the ADMINS).
ADMINS = [(email, email) for email in env_list("ADMINS")]
DISPUTE_ALERT_EMAILS = env_list("DISPUTE_ALERT_EMAILS") or [email for _, email in ADMINS]
# A dispute due within this many hours is emailed about once more (and counted "due soon").
DISPUTE_DUE_SOON_HOURS = env_int("DISPUTE_DUE_SOON_HOURS", 48)

# ---------------------------------------------------------------- GST (tax documents)
# The shop as its tax documents name it. With GST_SELLER_GSTIN set, every sale issues a tax
# invoice or a bill of supply and every refund a credit note; unset, none is issued (receipts
# then say they are not tax invoices). The embedded default (the sandbox) runs a demo shop.
_DEMO_SHOP = PAYMENTS_SANDBOX and not env_str("GST_SELLER_GSTIN")
GST_SELLER_GSTIN = env_str("GST_SELLER_GSTIN", "27AAPFU0939F1ZV" if _DEMO_SHOP else "")
GST_SELLER_NAME = env_str("GST_SELLER_NAME", "Paycart Demo Puja Store" if _DEMO_SHOP else "")
GST_SELLER_ADDRESS = env_str(
    "GST_SELLER_ADDRESS", "12 Temple Road, Pune 411001, Maharashtra" if _DEMO_SHOP else ""
)
# The shop's state (name, ISO or GST code); default: the one its GSTIN names.
GST_SELLER_STATE = env_str("GST_SELLER_STATE", GST_SELLER_GSTIN[:2])
# GSTR-1: an inter-state invoice to an unregistered buyer above this is B2CL (rupees).
GST_B2CL_LIMIT = env_int("GST_B2CL_LIMIT", 100000)
# Exports are zero-rated under the shop's LUT (no IGST) unless the shop pays IGST on them.
GST_EXPORT_WITH_PAYMENT = env_bool("GST_EXPORT_WITH_PAYMENT", False)
# Where the Noto fonts of the PDFs are (Debian's fonts-noto-core; the image carries them).
PDF_FONT_DIR = env_str("PDF_FONT_DIR", "/usr/share/fonts/truetype/noto")

# ---------------------------------------------------------------- background jobs
# Redis in production; unset runs every task eagerly in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# With DEBUG off, running jobs inside requests must be chosen on purpose (the guard).
JOBS_IN_PROCESS = env_bool("JOBS_IN_PROCESS", False)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE  # of the daily schedules
CELERY_TASK_EAGER_PROPAGATES = False  # a failing job is logged, never a failed request
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
RECONCILE_EVERY_SECONDS = env_int("RECONCILE_EVERY_SECONDS", 300)
RECONCILE_OLDER_THAN_SECONDS = env_int("RECONCILE_OLDER_THAN_SECONDS", 900)
RELEASE_RESERVATIONS_EVERY_SECONDS = env_int("RELEASE_RESERVATIONS_EVERY_SECONDS", 300)
PRUNE_WEBHOOKS_EVERY_SECONDS = env_int("PRUNE_WEBHOOKS_EVERY_SECONDS", 86400)
PRUNE_HOLDS_EVERY_SECONDS = env_int("PRUNE_HOLDS_EVERY_SECONDS", 3600)
DISPUTE_ALERT_EVERY_SECONDS = env_int("DISPUTE_ALERT_EVERY_SECONDS", 3600)
# Settlements: a captured payment with no settlement this many days after capture is
# flagged `unsettled`; the daily pull reads this many days back (today included).
SETTLEMENT_EXPECTED_DAYS = env_int("SETTLEMENT_EXPECTED_DAYS", 5)
SETTLEMENT_LOOKBACK_DAYS = env_int("SETTLEMENT_LOOKBACK_DAYS", 3)
# Outbound events: retried for this many hours; an endpoint failing every attempt this long
# is disabled; events kept this many days; beat's safety-net relay this often. A target
# on a loopback, private or link-local address only when allowed (the sandbox's receiver).
OUTBOUND_RETRY_HOURS = env_int("OUTBOUND_RETRY_HOURS", 72)
OUTBOUND_DISABLE_AFTER_HOURS = env_int("OUTBOUND_DISABLE_AFTER_HOURS", 72)
OUTBOUND_RETENTION_DAYS = env_int("OUTBOUND_RETENTION_DAYS", 30)
# An event whose payload is not of its declared type: raise (the tests) or log and send it.
OUTBOUND_EVENTS_STRICT = env_bool("OUTBOUND_EVENTS_STRICT", False)
OUTBOUND_RELAY_EVERY_SECONDS = env_int("OUTBOUND_RELAY_EVERY_SECONDS", 60)
# A receiver answers within this (the contract's 10 s; at most 30, under the relay's lease).
OUTBOUND_TIMEOUT_SECONDS = min(env_int("OUTBOUND_TIMEOUT_SECONDS", 10), 30)
OUTBOUND_ALLOW_PRIVATE_TARGETS = env_bool("OUTBOUND_ALLOW_PRIVATE_TARGETS", PAYMENTS_SANDBOX)
CELERY_BEAT_SCHEDULE = {
    "reconcile-payments": {
        "task": "payments.tasks.reconcile_payments",
        "schedule": RECONCILE_EVERY_SECONDS,
    },
    "release-expired-reservations": {
        "task": "payments.tasks.release_expired_reservations",
        "schedule": RELEASE_RESERVATIONS_EVERY_SECONDS,
    },
    "prune-webhook-events": {
        "task": "payments.tasks.prune_webhook_events",
        "schedule": PRUNE_WEBHOOKS_EVERY_SECONDS,
    },
    "alert-disputes-due-soon": {
        "task": "payments.tasks.alert_disputes_due_soon",
        "schedule": DISPUTE_ALERT_EVERY_SECONDS,
    },
    # Daily, once the morning's settlements are made (the shop's time zone).
    "reconcile-settlements": {
        "task": "settlements.tasks.reconcile_settlements",
        "schedule": crontab(minute=30, hour=7),
    },
    "relay-outbound-events": {
        "task": "outbound.tasks.relay_outbound",
        "schedule": OUTBOUND_RELAY_EVERY_SECONDS,
    },
    "prune-outbound-events": {
        "task": "outbound.tasks.prune_outbound_events",
        "schedule": crontab(minute=15, hour=3),
    },
    "prune-lapsed-holds": {
        "task": "holds.tasks.prune_lapsed_holds",
        "schedule": PRUNE_HOLDS_EVERY_SECONDS,
    },
    # A place freed by a hold that ran out has no moment of its own: the waiting lists are
    # looked at every minute (and at once after a cancellation or a failed checkout).
    "offer-freed-places": {
        "task": "waitlist.tasks.offer_freed_places",
        "schedule": 60,
    },
    "finish-erasures": {
        "task": "privacy.tasks.finish_erasures",
        "schedule": 300,
    },
    "retention-sweep": {
        "task": "privacy.tasks.sweep_retention",
        "schedule": crontab(minute=45, hour=3),
    },
}

# ---------------------------------------------------------------- logging
# JSON lines in production (the platform collects stdout); readable lines in development.
LOG_FORMAT = env_str("LOG_FORMAT", "console" if DEBUG else "json")
LOGGING = logging_config(renderer=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))
# django-structlog: one request_finished line per request with the request id (the load
# balancer's X-Request-ID when it sent one), the user and the status code.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # the client IP is ours to read, see REST_FRAMEWORK
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG

# ---------------------------------------------------------------- metrics
# /metrics answers a Prometheus scrape carrying this bearer token, or from these networks
# (comma-separated CIDRs); with neither set it refuses every scrape.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")

# ---------------------------------------------------------------- fail closed
refuse_misconfiguration(globals(), environ=os.environ)
