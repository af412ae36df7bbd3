"""Settings for the ZVH portal.

This is the one module that reads the environment. Everything else in the
project reads ``django.conf.settings``. Without any environment variables the
portal runs in the *embedded demo* mode: SQLite under ``var/``, database search,
Celery tasks executed in-process and e-mail written to ``var/mail``.
Set ``PORTAL_ENV=production`` and the service URLs to run on the full stack
(see docs/deployment.md).
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


# --- Mode -------------------------------------------------------------------
PORTAL_ENV = env("PORTAL_ENV", "demo")
if PORTAL_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'demo' or 'production'")
DEMO = PORTAL_ENV == "demo"
# DEBUG is never on outside the demo, whatever the environment says.
DEBUG = DEMO and env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEMO:
        raise ImproperlyConfigured("SECRET_KEY is required when PORTAL_ENV=production")
    # A stable key for the demo so sessions survive a restart; never used in production.
    SECRET_KEY = "demo-only-insecure-key-" + "z" * 40  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEMO else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address for absolute links in e-mails and calendars (portal.mail.absolute_url).
# Production sets BASE_URL (docker-compose.yml requires it). The demo serves on
# 127.0.0.1:$PORT (`make demo PORT=8123`), so its default follows PORT.
WAGTAILADMIN_BASE_URL = env(
    "BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}" if DEMO else "http://127.0.0.1:8000"
)

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    "portal",
    "knowledge",
    "events",
    "newsletter",
    "casework",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    # Editors' promoted results for a query ("agenda" -> the agenda section): search/navigation.py.
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    # wagtail.users, with user screens that cannot change casework accounts.
    "casework.wagtail_users_app.CaseworkUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # allauth's security-key list loads {% load humanize %} (naturaltime).
    "django.contrib.humanize",
    # The form renderer finds Django's widget templates through TEMPLATES.
    "django.forms",
    "django_ratelimit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside the CSP middleware (fresh nonce on every hit), outside session,
    # CSRF and auth (a hit costs no query; their cookies are seen).
    "portal.cache.AnonymousPageCacheMiddleware",
    # Inside the page cache (which so never stores what it marks), outside everything
    # that answers for a signed-in user or a token link: no-store on those responses.
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Model signals (a password set in an admin) learn from it who acts: casework.audit.
    "casework.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Casework: idle timeout, second factor before case data, no-store responses.
    "casework.middleware.CaseworkSecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# Every form field rendered by the project's templates (portal/form_rendering.py).
FORM_RENDERER = "portal.form_rendering.PortalFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The portal's working set (search index included) lives in memory, where a
        # random page costs about as much as a sequential one. With PostgreSQL's
        # default of 4 the planner scanned the whole search table instead of using
        # its GIN index: 54 ms against 8 ms at 100k documents (docs/search.md).
        # JIT compilation is off: the portal's statements are short, and a search
        # matching half of 100k documents spent 35-40 ms of its 90-220 ms compiling
        # (the planner's cost estimate crossed jit_above_cost; docs/search.md).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={env('POSTGRES_RANDOM_PAGE_COST', '1.1')} -c jit=off"
        )
elif DEMO:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "portal.sqlite3"),
            # WAL lets readers continue while a writer commits; busy timeout
            # makes concurrent writers wait instead of failing.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    raise ImproperlyConfigured("DATABASE_URL is required when PORTAL_ENV=production")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ----------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if not REDIS_URL and not DEMO:
    # Without it the cache is per process, and so are the rate-limit counters
    # (django-ratelimit, allauth): every gunicorn worker would count on its own.
    raise ImproperlyConfigured("REDIS_URL is required when PORTAL_ENV=production")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is unreachable instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# No broker configured means tasks run in-process: the embedded default.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through settings.LOGGING (JSON, scrubbed), not Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every periodic job is an entry here (each app adds its own in its block below);
# docs/operations.md lists them all. `celery beat` runs them in production, the demo
# ticks the same schedule in-process (portal.demo_runtime, `manage.py demo_serve`).
PUBLISH_SCHEDULED_SECONDS = env_int("PUBLISH_SCHEDULED_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "portal.tasks.record_worker_heartbeat", "schedule": 60.0},
    # Wagtail's scheduled publishing and expiry (`manage.py publish_scheduled`), every
    # PUBLISH_SCHEDULED_SECONDS (a page goes live at most that long after its time). A
    # run not started within that interval is dropped: the next one does the same work.
    "wagtail-publish-scheduled": {
        "task": "portal.tasks.publish_scheduled",
        "schedule": float(PUBLISH_SCHEDULED_SECONDS),
        "options": {"expires": max(PUBLISH_SCHEDULED_SECONDS - 5, 1)},
    },
}

# The anonymous page cache (portal.cache) is off unless asked for; see the
# Page cache block below and docs/performance.md.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)

# --- Search -----------------------------------------------------------------
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
SEARCH_BACKEND_NAME = "elasticsearch" if ELASTICSEARCH_URL else "database"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- E-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ZVH Brabant Zuidoost <noreply@zvh-bzo.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Production names its mail route itself: a default would send every mail to a host
# that may not exist (it used to be the stack's mail catcher).
EMAIL_PROVIDER = env("EMAIL_PROVIDER", "outbox" if DEMO else "")
if not EMAIL_PROVIDER:
    raise ImproperlyConfigured(
        "EMAIL_PROVIDER is required when PORTAL_ENV=production: smtp (with EMAIL_HOST) or an "
        "Anymail provider (docs/deployment.md, E-mail)."
    )
MAIL_OUTBOX_DIR = VAR_DIR / "mail"
ANYMAIL: dict[str, Any] = {}
match EMAIL_PROVIDER:
    case "outbox":
        EMAIL_BACKEND = "portal.mail.OutboxBackend"
    case "smtp":
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = env("EMAIL_HOST", "localhost" if DEMO else "")
        if not EMAIL_HOST:
            raise ImproperlyConfigured("EMAIL_PROVIDER=smtp needs EMAIL_HOST (the mail relay).")
        EMAIL_PORT = env_int("EMAIL_PORT", 25)
        EMAIL_HOST_USER = env("EMAIL_HOST_USER")
        EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
        EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
        EMAIL_TIMEOUT = 20
    case "mailgun" | "postmark" | "sendgrid" | "brevo" | "amazon_ses" | "mailjet" | "sparkpost":
        EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
        ANYMAIL = {
            "MAILGUN_API_KEY": env("ANYMAIL_API_KEY"),
            "POSTMARK_SERVER_TOKEN": env("ANYMAIL_API_KEY"),
            "SENDGRID_API_KEY": env("ANYMAIL_API_KEY"),
            "BREVO_API_KEY": env("ANYMAIL_API_KEY"),
            "MAILJET_API_KEY": env("ANYMAIL_API_KEY"),
            "MAILJET_SECRET_KEY": env("ANYMAIL_SECRET_KEY"),
            "SPARKPOST_API_KEY": env("ANYMAIL_API_KEY"),
            "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET"),
        }
        INSTALLED_APPS.append("anymail")
        # Without a secret Anymail accepts anyone's POST (with only a warning), and a
        # forged bounce would unsubscribe a reader: refuse to start instead.
        if not DEMO and not ANYMAIL["WEBHOOK_SECRET"]:
            raise ImproperlyConfigured(
                f"EMAIL_PROVIDER={EMAIL_PROVIDER} needs ANYMAIL_WEBHOOK_SECRET "
                "(user:password for the tracking webhook's basic auth)."
            )
    case _:
        raise ImproperlyConfigured(f"Unknown EMAIL_PROVIDER {EMAIL_PROVIDER!r}")

# --- Media and static files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_STORAGE = env("MEDIA_STORAGE", "local")
STORAGES: dict[str, dict[str, Any]] = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
match MEDIA_STORAGE:
    case "local":
        STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    case "s3":
        STORAGES["default"] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
                # Empty means boto3's own chain (instance role, ~/.aws); see docs/deployment.md.
                "access_key": env("AWS_ACCESS_KEY_ID") or None,
                "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
                "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
                "region_name": env("AWS_S3_REGION_NAME") or None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    case _:
        raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'")
# Whether Django itself serves MEDIA_URL (demo only; production uses the web server or S3).
SERVE_MEDIA = DEMO and MEDIA_STORAGE == "local"

# --- Internationalisation ---------------------------------------------------
# The public site is Dutch only: no language switch, no language cookie
# (portal.middleware.PortalLocaleMiddleware; docs/site.md, "Language"). English is
# listed for the Wagtail admin, where each editor picks a language in their account.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Accounts: django-allauth is the one login path ---------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "account_login"
# Private pages and documents send visitors here, not to Wagtail's own login form.
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
ACCOUNT_ADAPTER = "portal.accounts.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins per client address, and per account *from one address*: the "key" is
# the login plus the client address (portal.accounts.PortalAccountAdapter), so a
# stranger's failures lock the account only from the stranger's address. The second
# factor's own "key" is the account (allauth's): five wrong codes lock that step.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/15m/key"}
# Guessing from many addresses: after `failures` failures within `window` seconds the
# account is locked for `first_lock` seconds, doubling per further failure up to
# `max_lock`, except for browsers that completed a login to it before (the signed
# LOGIN_DEVICE_COOKIE). docs/security-casework.md, "Login hardening".
LOGIN_ACCOUNT_LOCK = {"failures": 10, "window": 15 * 60, "first_lock": 60, "max_lock": 15 * 60}
LOGIN_DEVICE_COOKIE = "zvh_login_device" if DEMO else "__Host-zvh_login_device"
LOGIN_DEVICE_COOKIE_AGE = 60 * 60 * 24 * 90
# No subject carries a [ZVH] prefix: the sender's name says who writes
# (DEFAULT_FROM_EMAIL), and a phone shows only the first words of a subject.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = False
# Exports and downloads ask for the password again. allauth's default also offers a
# code mailed to the user ("code") and the authenticator alone ("mfa"): either would
# let whoever reads the mailbox, or holds the phone, past that check.
ACCOUNT_REAUTHENTICATION_METHODS = ("password",)
# Open sign-up is off: accounts are created by staff invitation.
PORTAL_OPEN_SIGNUP = False
# The Wagtail admin's own password reset and change forms would be a second way
# in; allauth's (rate-limited, no enumeration) are the only ones.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TRUST_ENABLED = False
MFA_TOTP_ISSUER = "ZVH Brabant Zuidoost"
# The code step refused by its lock sends no signal: these forms audit it.
MFA_FORMS = {
    "authenticate": "casework.mfa.AuditedAuthenticateForm",
    "reauthenticate": "casework.mfa.AuditedReauthenticateForm",
}

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "ZVH Brabant Zuidoost"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = False
# Documents are served by Django, never from the media directory (nginx refuses
# /media/documents/): Wagtail checks the collection's privacy on every download.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Every document is a download (Content-Disposition: attachment), under Wagtail's
# "default-src 'none'" plus sandbox (portal.views.serve_document): an uploaded file
# never runs as a page of the site's own origin.
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
# Office and text formats only: no HTML, SVG, XML or scripts.
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "doc", "docx", "odt", "rtf", "txt", "csv",
    "xls", "xlsx", "ods", "ppt", "pptx", "odp",
]  # fmt: skip
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No avatars from Gravatar: it would send a hash of every editor's e-mail
# address to a third party (and the admin CSP does not allow it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if not DEMO:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers and container health checks probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins cookies to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Sessions last a working day, not Django's two weeks: the portal leads to
# casework, and allauth offers no "remember me" (ACCOUNT_SESSION_REMEMBER).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 9)
# Behind a reverse proxy REMOTE_ADDR is the proxy's: allauth's per-IP rate
# limits must read the client from X-Forwarded-For, trusting exactly the number
# of proxies we run (nginx in docker-compose = 1). 0 ignores the header.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Public forms (question to the expert, newsletter sign-up, event registration) are
# rate limited per client with django-ratelimit, on the same address allauth uses.
RATELIMIT_IP_META_KEY = "portal.net.client_ip"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# django-ratelimit only knows the third-party Redis backends; Django's own RedisCache
# increments atomically (INCR) too. Without Redis (the demo only: production requires
# REDIS_URL) the cache is LocMemCache, exact for the demo's single runserver process.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Media on object storage (MEDIA_STORAGE=s3) is served from the bucket's own
# origin, which the policies must allow for images and video. Default: the
# origin of AWS_S3_ENDPOINT_URL; set CSP_MEDIA_ORIGINS for a CDN or AWS itself.
CSP_MEDIA_ORIGINS = env_list(
    "CSP_MEDIA_ORIGINS", _origin(env("AWS_S3_ENDPOINT_URL")) if MEDIA_STORAGE == "s3" else ""
)

# Strict, nonce-based policy for the public site. The Wagtail admin ships
# inline scripts and styles, so it gets its own looser policy (see
# portal.middleware.PortalCSPMiddleware and docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *CSP_MEDIA_ORIGINS],
        "media-src": [SELF, *CSP_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
ADMIN_CONTENT_SECURITY_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:", *CSP_MEDIA_ORIGINS],
    "media-src": [SELF, *CSP_MEDIA_ORIGINS],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "frame-src": [SELF, "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}
ADMIN_URL_PREFIXES = ("/admin/", "/django-admin/")

# --- security.txt (RFC 9116, portal/seo.py) ------------------------------------
# Where to report a vulnerability: comma-separated URIs (mailto:, https:). Without one,
# /.well-known/security.txt answers 404 (Contact is required). Expires is computed on
# every request: now plus SECURITY_TXT_EXPIRES_DAYS (RFC 9116 advises under a year).
SECURITY_CONTACT = env_list("SECURITY_CONTACT", "mailto:security@zvh-bzo.example" if DEMO else "")
SECURITY_POLICY_URL = env("SECURITY_POLICY_URL", "")
SECURITY_TXT_EXPIRES_DAYS = env_int("SECURITY_TXT_EXPIRES_DAYS", 180)

# --- Page cache (portal.cache) -----------------------------------------------
# Whole pages for anonymous visitors, PAGE_CACHE_SECONDS long (0 = off).
PAGE_CACHE_ALIAS = "default"
# Never cached: the admins, accounts, the health check, the casework app,
# newsletter confirmations (tokens, addresses), search results (visitors'
# queries, a long tail) and documents (privacy per collection).
PAGE_CACHE_EXCLUDED_PREFIXES = (
    *ADMIN_URL_PREFIXES,
    "/accounts/",
    "/health/",
    "/partners/",
    "/abonnement/",
    "/zoeken/",
    "/documents/",
    # events app: registration forms, signed self-service links, feeds
    "/agenda/",
)
# Pages that belong to one person are sent with Cache-Control: no-store, private
# (portal.middleware.NoStoreMiddleware): every response to a signed-in user, views
# marked @no_store (signed links of events, newsletter, knowledge) and everything under
# these prefixes: accounts (e-mail, second factor), the secure casework area and the
# satisfaction survey (a signed link; casework's own views), the admins.
NO_STORE_PREFIXES = (
    *ADMIN_URL_PREFIXES,
    "/accounts/",
    "/partners/",
    "/enquete/",
)


# --- Retention ----------------------------------------------------------------
# How long personal data is kept: one table for every app, every term in days. The
# variables kept their names where the term was in days already. What each term means
# and which service applies it: portal/retention.py (a system check keeps its keys and
# these in step); for operators: docs/operations.md, "Retention".
def _refuse_months(name: str, value: str, replacement: str) -> None:
    """The events terms were in months; read as days they would silently shrink, so a
    deployment that still sets one does not start."""
    if not value:
        return
    try:
        # The conversion the months used to get, so the term stays what it was.
        suggestion = f"{replacement}={round(int(value) * 30.44)}"
    except ValueError:
        suggestion = replacement
    raise ImproperlyConfigured(
        f"{name} is no longer read: retention terms are in days. "
        f"Remove it and set {suggestion} instead (docs/operations.md, Retention)."
    )


_refuse_months(
    "EVENTS_ANONYMISE_AFTER_MONTHS",
    env("EVENTS_ANONYMISE_AFTER_MONTHS"),
    "EVENTS_ANONYMISE_AFTER_DAYS",
)
_refuse_months(
    "EVENTS_ACCREDITATION_KEEP_MONTHS",
    env("EVENTS_ACCREDITATION_KEEP_MONTHS"),
    "EVENTS_ACCREDITATION_KEEP_DAYS",
)
RETENTION_DAYS = {
    "casework_draft": env_int("CASEWORK_DRAFT_RETENTION_DAYS", 30),
    "casework_closed": env_int("CASEWORK_CLOSED_RETENTION_DAYS", 5 * 365),
    "casework_advice": env_int("CASEWORK_ADVICE_RETENTION_DAYS", 2 * 365),
    "events_anonymise": env_int("EVENTS_ANONYMISE_AFTER_DAYS", 365),
    "events_accreditation": env_int("EVENTS_ACCREDITATION_KEEP_DAYS", 1826),  # five years
    "knowledge_question": env_int("KNOWLEDGE_QUESTION_RETENTION_DAYS", 180),
    "knowledge_unconfirmed": env_int("KNOWLEDGE_UNCONFIRMED_DAYS", 7),
    "search_log": env_int("SEARCH_LOG_RETENTION_DAYS", 90),
    "newsletter_unconfirmed": env_int("NEWSLETTER_UNCONFIRMED_DAYS", 7),
    "newsletter_tracking": env_int("NEWSLETTER_EVENT_RETENTION_DAYS", 90),
}
for _term, _days in RETENTION_DAYS.items():
    # Zero would delete everything of that kind at the next run.
    if _days < 1:
        raise ImproperlyConfigured(
            f"Retention term {_term!r} must be at least 1 day, got {_days} "
            "(docs/operations.md, Retention)."
        )
# One run applies every term (portal.retention.retention_run). Hourly at half past:
# each step is idempotent, selects only what is due by now and sends no e-mail, so a run
# costs little and terms in hours (idle-timeout input) or "right after" (event answers,
# survey addresses) are kept to within the hour. A run not started within the hour is
# dropped: the next one does the same work.
CELERY_BEAT_SCHEDULE["retention"] = {
    "task": "portal.tasks.run_retention",
    "schedule": crontab(minute=30),
    "options": {"expires": 55 * 60},
}

# --- Events -------------------------------------------------------------------
# Trainingen & bijeenkomsten (events app, docs/events.md).
# How long a guest's seat is held until they confirm their e-mail address.
EVENTS_HOLD_MINUTES = env_int("EVENTS_HOLD_MINUTES", 60)
# How long the first person on the waiting list has to accept a freed seat;
# shorter when the event is close (within EVENTS_OFFER_NEAR_DAYS days).
EVENTS_OFFER_HOURS = env_int("EVENTS_OFFER_HOURS", 48)
EVENTS_OFFER_HOURS_NEAR = env_int("EVENTS_OFFER_HOURS_NEAR", 4)
EVENTS_OFFER_NEAR_DAYS = env_int("EVENTS_OFFER_NEAR_DAYS", 3)
EVENTS_REMINDER_DAYS_BEFORE = env_int("EVENTS_REMINDER_DAYS_BEFORE", 2)
EVENTS_SURVEY_PUBLIC_MINIMUM = 5
# Guest registrations per client address (django-ratelimit rate: count/period);
# logged-in registrations are not limited. A blocked request gets HTTP 429.
EVENTS_GUEST_REGISTER_RATE = env("EVENTS_GUEST_REGISTER_RATE", "10/10m")
CELERY_BEAT_SCHEDULE |= {
    "events-expire-holds-and-offers": {
        "task": "events.tasks.expire_holds_and_offers",
        "schedule": 300.0,
    },
    "events-send-reminders": {"task": "events.tasks.send_reminders", "schedule": 3600.0},
    "events-send-surveys": {"task": "events.tasks.send_surveys", "schedule": 3600.0},
}


# --- Casework ---------------------------------------------------------------
# Keys for personal data at rest. CASEWORK_ENCRYPTION_KEYS is a comma-separated
# list of Fernet keys, newest first (MultiFernet: the first encrypts, all decrypt,
# `manage.py casework_rotate_keys` re-encrypts with the first). The demo derives
# stable keys from SECRET_KEY; production must set its own.
def _derived_key(purpose: str) -> str:
    import base64
    import hashlib

    digest = hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


CASEWORK_ENCRYPTION_KEYS = env_list("CASEWORK_ENCRYPTION_KEYS")
CASEWORK_BLIND_INDEX_KEY = env("CASEWORK_BLIND_INDEX_KEY")
MFA_ENCRYPTION_KEYS = env_list("MFA_ENCRYPTION_KEYS")
# The audit chain's HMAC key (casework.audit): outside the database, so whoever can
# write the audit table cannot compute hashes that fit. Entries written with a key
# verify only with that key: never change it, and back it up like the other keys.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY")
if not (
    CASEWORK_ENCRYPTION_KEYS
    and CASEWORK_BLIND_INDEX_KEY
    and MFA_ENCRYPTION_KEYS
    and AUDIT_CHAIN_KEY
):
    if not DEMO:
        raise ImproperlyConfigured(
            "CASEWORK_ENCRYPTION_KEYS, CASEWORK_BLIND_INDEX_KEY, MFA_ENCRYPTION_KEYS and AUDIT_CHAIN_KEY are required when PORTAL_ENV=production"
        )
    CASEWORK_ENCRYPTION_KEYS = CASEWORK_ENCRYPTION_KEYS or [_derived_key("casework-data")]
    CASEWORK_BLIND_INDEX_KEY = CASEWORK_BLIND_INDEX_KEY or _derived_key("casework-blind-index")
    MFA_ENCRYPTION_KEYS = MFA_ENCRYPTION_KEYS or [_derived_key("mfa-secrets")]
    AUDIT_CHAIN_KEY = AUDIT_CHAIN_KEY or _derived_key("audit-chain")
# Where the hourly export of the audit chain's head goes (besides the log); the
# verifier compares the chain with every head in it, so a shortened chain shows.
# Keep it off the database's disk and backups (docs/security-casework.md).
AUDIT_HEAD_FILE = Path(env("AUDIT_HEAD_FILE", str(VAR_DIR / "audit" / "chain-head.jsonl")))
# allauth stores TOTP secrets and recovery seeds through this adapter's encrypt/decrypt.
MFA_ADAPTER = "casework.mfa.CaseworkMFAAdapter"
# Paths where a signed-in user must have a second factor before anything is shown.
CASEWORK_MFA_PREFIXES = ("/partners/", "/admin/", "/django-admin/")
CASEWORK_IDLE_TIMEOUT_SECONDS = env_int("CASEWORK_IDLE_TIMEOUT_SECONDS", 15 * 60)
CASEWORK_BREAK_GLASS_HOURS = env_int("CASEWORK_BREAK_GLASS_HOURS", 8)
CASEWORK_INVITATION_DAYS = env_int("CASEWORK_INVITATION_DAYS", 7)
CASEWORK_AUTOSAVE_SECONDS = env_int("CASEWORK_AUTOSAVE_SECONDS", 20)
# Input posted after the idle timeout is kept (encrypted) this long for the user's return.
CASEWORK_RESCUE_HOURS = env_int("CASEWORK_RESCUE_HOURS", 24)
# Attachments: private directory (never under MEDIA_ROOT), encrypted, scanned by clamd.
CASEWORK_ATTACHMENT_ROOT = Path(env("CASEWORK_ATTACHMENT_ROOT", str(VAR_DIR / "casework-private")))
CASEWORK_ATTACHMENT_MAX_BYTES = env_int("CASEWORK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# clamd: a unix socket path, or host:port. Uploads are refused when it cannot be reached.
# The demo's default is the private clamd `manage.py demo_serve` starts (portal.demo_runtime).
CASEWORK_CLAMD = env(
    "CASEWORK_CLAMD",
    str(VAR_DIR / "clamd" / "clamd.sock") if DEMO else "/var/run/clamav/clamd.ctl",
)
CASEWORK_CLAMD_TIMEOUT = env_int("CASEWORK_CLAMD_TIMEOUT", 30)
# Closing-satisfaction survey: the link is valid this many days; one reminder goes to
# non-responders this many days after the invitation (docs/casework.md).
CASEWORK_SURVEY_DAYS = env_int("CASEWORK_SURVEY_DAYS", 14)
CASEWORK_SURVEY_REMINDER_DAYS = env_int("CASEWORK_SURVEY_REMINDER_DAYS", 7)
CELERY_BEAT_SCHEDULE |= {
    "casework-survey-reminders": {
        "task": "casework.tasks.send_survey_reminders",
        "schedule": 60 * 60,
    },
    # The audit chain's head to the log and AUDIT_HEAD_FILE, hourly at :05.
    "casework-audit-chain-head": {
        "task": "casework.tasks.export_audit_chain_head",
        "schedule": crontab(minute=5),
    },
}
# Procesregie (docs/casework.md, "Procesregie"): partners get one reminder this many
# days before an action's due date and one after it has passed; the monitoring page
# flags cases in procesregie without an adopted plan after PLAN_WEEKS and cases past
# the throughput norm (weeks since procesregie started).
CASEWORK_ACTION_REMINDER_DAYS = env_int("CASEWORK_ACTION_REMINDER_DAYS", 3)
CASEWORK_PLAN_WEEKS = env_int("CASEWORK_PLAN_WEEKS", 6)
CASEWORK_THROUGHPUT_NORM_WEEKS = env_int("CASEWORK_THROUGHPUT_NORM_WEEKS", 52)
CELERY_BEAT_SCHEDULE["casework-action-reminders"] = {
    "task": "casework.tasks.send_action_reminders",
    "schedule": crontab(minute=15),
    "options": {"expires": 55 * 60},
}

# --- Knowledge ---------------------------------------------------------------
CELERY_BEAT_SCHEDULE["knowledge-resend-question-mails"] = {
    "task": "knowledge.tasks.resend_question_mails",
    "schedule": 60 * 60,
}

# --- Search --------------------------------------------------------------------
# Our own search service (search/): "database" (PostgreSQL full-text or SQLite FTS5,
# chosen by the database engine) or "elasticsearch". See docs/search.md.
SEARCH_BACKEND = env("SEARCH_BACKEND", SEARCH_BACKEND_NAME)
SEARCH_ELASTICSEARCH_INDEX = env("SEARCH_ELASTICSEARCH_INDEX", "zvh-portal")
SEARCH_PAGE_SIZE = 10

# --- Newsletter -------------------------------------------------------------
NEWSLETTER_FROM_EMAIL = env(
    "NEWSLETTER_FROM_EMAIL", "ZVH Nieuwsbrief <nieuwsbrief@zvh-bzo.example>"
)
# Mailbox for mailto: List-Unsubscribe; empty leaves the header https-only.
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO")
NEWSLETTER_LIST_ID = env("NEWSLETTER_LIST_ID", "ZVH Nieuwsbrief <nieuwsbrief.zvh-bzo.example>")
NEWSLETTER_MESSAGE_ID_DOMAIN = env("NEWSLETTER_MESSAGE_ID_DOMAIN", "zvh-bzo.example")
# Sending rate and batching (see docs/newsletter.md).
NEWSLETTER_RATE_PER_SECOND = float(env("NEWSLETTER_RATE_PER_SECOND", "20") or 0)
NEWSLETTER_RATE_PER_HOUR = env_int("NEWSLETTER_RATE_PER_HOUR", 20000)
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 200)
# Per client address (django-ratelimit): sign-ups, and preference-centre POSTs.
NEWSLETTER_SIGNUP_RATE = env("NEWSLETTER_SIGNUP_RATE", "10/h")
NEWSLETTER_PREFERENCES_RATE = env("NEWSLETTER_PREFERENCES_RATE", "30/h")
# Batch chains per sending (parallel, disjoint claims; each keeps its share of the rate).
NEWSLETTER_SENDING_CHAINS = env_int("NEWSLETTER_SENDING_CHAINS", 1)
# A delivery still "sending" this long after its claim belongs to a dead worker.
NEWSLETTER_STALE_SENDING_SECONDS = env_int("NEWSLETTER_STALE_SENDING_SECONDS", 300)
# "retry" (at-least-once for the one in-flight message) or "fail" (at-most-once).
NEWSLETTER_STALE_SENDING_POLICY = env("NEWSLETTER_STALE_SENDING_POLICY", "retry")
NEWSLETTER_SOFT_BOUNCE_LIMIT = env_int("NEWSLETTER_SOFT_BOUNCE_LIMIT", 3)
NEWSLETTER_TRACKING = env_bool("NEWSLETTER_TRACKING", True)
# Key for hashing IP addresses in the consent ledger; defaults to one derived from SECRET_KEY.
NEWSLETTER_IP_HASH_KEY = env("NEWSLETTER_IP_HASH_KEY") or "newsletter-ip:" + SECRET_KEY
CELERY_BEAT_SCHEDULE |= {
    "newsletter-start-due": {"task": "newsletter.tasks.start_due_sendings", "schedule": 60.0},
    "newsletter-resume-stalled": {"task": "newsletter.tasks.resume_stalled", "schedule": 60.0},
    # Daily at 08:00; the service only acts in the first week of a quarter and
    # sends each quarterly subscriber one digest per quarter.
    "newsletter-quarterly-digests": {
        "task": "newsletter.tasks.send_quarterly_digests",
        "schedule": crontab(minute=0, hour=8),
    },
}

# --- Logging: JSON lines, scrubbed of personal data -------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_personal_data": {"()": "portal.logging.ScrubPersonalDataFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["scrub_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django.request logs full request paths which may carry tokens; our
        # filter scrubs them, and the server access log is off by default.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Wagtail's background tasks (search index, reference index) log every run.
        "django_tasks": {"level": "WARNING"},
        # Celery logs every task it runs at INFO. Workers keep that line (operations
        # read it); where tasks run in-process (no broker: the demo) it would bury the
        # console a newcomer reads (load_demo alone runs hundreds of index tasks).
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else LOG_LEVEL},
    },
}
