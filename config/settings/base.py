"""Settings shared by every environment. Everything comes from the environment; the defaults
need no server: SQLite under var/, files under var/media, Celery on kombu's filesystem transport."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Where the defaults keep their files (the database, media, the broker's folders). Settings make no folders:
# `manage.py prepare_var` does, and `make run` / the test suite call it.
VAR_DIR = Path(env_str("TOUCHPOINT_VAR_DIR", str(BASE_DIR / "var")))

# A placeholder only good for a laptop; production.py refuses to start with it.
INSECURE_DEFAULT_SECRET_KEY = "insecure-dev-only-touchpoint-secret-key-change-me-0123456789"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Demo sign-ins (password "touchpoint-demo") exist only where this is on; production forces it off.
DEMO_ALLOWED = env_bool("TOUCHPOINT_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "storages",
    "accounts",
    "journeys",
    "audits",
    "config",  # the run commands (devstack, prepare_var): the wiring above the three floors
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.api.errors.ApiErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'touchpoint.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, refusing demo accounts (and the demo password) where demo data is not allowed.
AUTHENTICATION_BACKENDS = ["accounts.signin.DemoAwareBackend"]
# API tokens (django-rest-knox): hashed at rest, one per sign-in (device), expiring, revocable.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 — a model name, not a secret
# knox's own migrations create its default token table even when the model is swapped: skip them (our token
# table is accounts.ApiToken's), so no stray table holds a foreign key to the users.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"TOKEN_TTL": timedelta(hours=env_int("TOUCHPOINT_TOKEN_TTL_HOURS", 24 * 30)), "AUTO_REFRESH": False}
# Failed sign-ins, counted in the shared cache: past these, 429 until the window has passed.
SIGNIN_FAILURES_PER_ACCOUNT = env_int("TOUCHPOINT_SIGNIN_FAILURES_PER_ACCOUNT", 5)
SIGNIN_FAILURES_PER_ADDRESS = env_int("TOUCHPOINT_SIGNIN_FAILURES_PER_ADDRESS", 30)
SIGNIN_WINDOW_SECONDS = env_int("TOUCHPOINT_SIGNIN_WINDOW_SECONDS", 15 * 60)
CSRF_FAILURE_VIEW = "accounts.api.errors.csrf_failure"

# The shared cache (sign-in throttling): Redis when CACHE_URL names it, else this process's memory.
CACHE_URL = env_str("CACHE_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
          if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pl", "Polski"), ("ro", "Română"), ("el", "Ελληνικά")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("TOUCHPOINT_MEDIA_ROOT", str(VAR_DIR / "media")))
# The built PWA (frontend/dist), served at /app/ by config.views.
PWA_DIST_DIR = Path(env_str("TOUCHPOINT_PWA_DIR", str(BASE_DIR / "frontend" / "dist")))

# Storage: local folders by default; S3 (or any S3-compatible store) once a bucket is named.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
    # Originals carry GPS and time (the proof of visit): private, reachable only by signed URL.
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 600
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE", "path")
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Celery. The default broker needs no server: kombu's filesystem transport under var/broker, which a
# real worker process consumes (not eager mode). CELERY_BROKER_URL switches to Redis or RabbitMQ.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # With Redis an unacknowledged task (worker killed) comes back after this many seconds. Reports and
    # renditions finish in well under it; countdowns/ETAs stay below it so tasks are not run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900)}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A task whose worker dies is redelivered, not lost: acknowledge late and reject on worker loss.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials is answered 401 with WWW-Authenticate.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "accounts.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "accounts.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "accounts.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Touchpoint API",
    "DESCRIPTION": (
        "Customer-journey audits: journeys and checklists, visits and offline sync of audits and photos, "
        "friction reports. Every object belongs to an organization; other organizations' objects answer 404. "
        "Errors have one shape: {\"error\": {\"code\", \"message\", \"fields\"}}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Touchpoint <touchpoint@localhost>")
# Where people reach Touchpoint: links in e-mails are absolute (a mail has no "current site").
TOUCHPOINT_PUBLIC_URL = env_str("TOUCHPOINT_PUBLIC_URL", "http://127.0.0.1:8000")

# Uploads: photos are at most 20 MB; keep larger request bodies out of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
#: Any request body under /api/ larger than this is refused with 413 before it is read.
TOUCHPOINT_MAX_BODY_BYTES = env_int("TOUCHPOINT_MAX_BODY_BYTES", 25 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PHOTO_MAX_BYTES = env_int("TOUCHPOINT_PHOTO_MAX_BYTES", 20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("TOUCHPOINT_PHOTO_MAX_PIXELS", 50_000_000)
#: Blur the faces found in the renditions people see (the private original keeps them: the proof of visit).
TOUCHPOINT_BLUR_FACES = env_bool("TOUCHPOINT_BLUR_FACES", True)

# Content-Security-Policy (django-csp) on every page: scripts, styles, fonts and frames only from this origin;
# images also as data: and blob: URLs (the PWA's photo previews, the reports' inline charts). The shared report
# page (/r/…) carries its styles inline and is served with its own policy (audits.api.reports).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the PWA reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# Swagger UI from the sidecar package: the docs work with no CDN (and offline).
SPECTACULAR_SETTINGS.update({"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
                             "REDOC_DIST": "SIDECAR"})
# Fieldwork's enums share field names ("kind", "state") with others: name them in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "AuditKindEnum": "audits.models.fieldwork.AuditKind", "AuditStateEnum": "audits.models.fieldwork.AuditState",
    "PhotoStateEnum": "audits.models.fieldwork.PhotoState", "VisitStatusEnum": "audits.models.fieldwork.VisitStatus"}

# A check-in farther than this from the visit's location is flagged for review (never refused).
CHECKIN_FLAG_DISTANCE_M = env_int("TOUCHPOINT_CHECKIN_FLAG_DISTANCE_M", 500)

# Celery beat: the photo watchdog enqueues again the renditions whose task was lost; the report of each wave
# that closes is compiled (the requester is e-mailed when it is ready) and reports whose task was lost are
# queued again.
# Redis redelivers a task whose worker died (after the visibility timeout); kombu's filesystem transport (the
# defaults) does not, so there the sweeps look sooner and more often: a lost task is running again within
# five minutes.
_LOCAL_BROKER = CELERY_BROKER_URL.startswith("filesystem://")
TOUCHPOINT_PHOTO_STUCK_SECONDS = env_int("TOUCHPOINT_PHOTO_STUCK_SECONDS", 120 if _LOCAL_BROKER else 15 * 60)
TOUCHPOINT_REPORT_STUCK_SECONDS = env_int("TOUCHPOINT_REPORT_STUCK_SECONDS", 180 if _LOCAL_BROKER else 30 * 60)
_SWEEP_SECONDS = 60 if _LOCAL_BROKER else 300
CELERY_BEAT_SCHEDULE = {
    "audits-requeue-stuck-photos": {"task": "audits.requeue_stuck_photos", "schedule": _SWEEP_SECONDS},
    "audits-reports-of-closed-waves": {"task": "audits.compile_closed_waves",
                                       "schedule": env_int("TOUCHPOINT_REPORT_BEAT_SECONDS", _SWEEP_SECONDS)},
}
