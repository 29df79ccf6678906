"""Settings for the test run: the one settings module, with what tests need on top.

Tests run on plain HTTP against `testserver`, hash passwords cheaply and build links to
`http://testserver`. Everything else is the production configuration.
"""

import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-the-test-run-only-0123456789abcdef")
os.environ.setdefault("SITE_URL", "http://testserver")
# A Fernet key for the test run only (production refuses to start without one of its own).
os.environ.setdefault("REFERRAL_ENCRYPTION_KEYS", "dGVzdC1vbmx5LXJlZmVycmFsLWtleS0wMTIzNDU2Nzg=")

from directory.settings import *  # noqa: E402, F403
from directory.settings import MIDDLEWARE, env_list  # noqa: E402

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
# runserver-style static files: tests do not collect them.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WAGTAILADMIN_BASE_URL = SITE_URL = "http://testserver"
# The second factor is off for the run; its tests (and those that need it) turn it on.
OTP_REQUIRED = False
# Pages are not cached in the run (a test's transaction never commits, and many tests change
# data with bulk updates, as only the admin and commands do in production); the page cache's
# own tests turn it on (tests/production/).
PAGE_CACHE_SECONDS = 0
