"""Caching that cannot go stale: anonymous public pages and feeds, in Redis, under a data version.

**The data version** is one counter in the shared cache. Anything that changes what a public
page shows starts a new version once its transaction commits: a save or delete of any model of
the directory's content (pages, publishing, venues, topics, problem reports, freshness
confirmations: ``directory.signals.connect()`` hooks post_save, post_delete and m2m_changed,
and Wagtail's page_published and page_unpublished, from this one place), any successful POST in
the admin (an import writes in bulk, without model signals), and the ``import_timetable``
command. A
cached page is keyed by the version it was rendered under, so after a change no request can
find it again; it simply expires. The key also holds today's date (pages say "next session on"),
the address and the shortlist cookie's ids (pages show which activities are on it).

**What is cached** (``PageCacheMiddleware``): a GET outside the admin, the referral forms, the
finder (its addresses hold someone's answers), the problem report form (its token is stamped
when opened) and /healthz, from a visitor who sends no cookie but the CSRF cookie and the
shortlist: a session cookie (anyone signed in, an editor above all), a pending message or any
other cookie means a live page. Only a plain 200 whose rendering set no cookie but the CSRF one
is stored. Every public page has POST forms (the shortlist's buttons) holding the visitor's
CSRF token: the stored page holds a placeholder instead, and each visitor served from it gets
their own token and cookie, as if it had been rendered for them; a page where a copy of the
token would remain anywhere else is not stored. Every stored page gets an ETag (for a page
with forms, one per visitor's CSRF secret), and a request whose If-None-Match matches is
answered 304 from the cache, for HTML pages as for feeds.

**Redis down** (``TolerantRedisCache``): reads answer "not cached" and writes are skipped, so
pages are served live; ``add`` answers "not added" and ``incr`` raises, so rate limits and
report tokens refuse politely (directory/ratelimits.py, activities.reports) and an import lock
is never granted by a cache that is not there ("another import is in progress").
After a failure the backend does not try Redis again for a few seconds (each try costs up to
its socket timeout), and a version bump that could not be made is made once Redis answers.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- Redis down


class CacheUnavailable(Exception):
    """The shared cache cannot be reached (raised by incr and decr only)."""


class TolerantRedisCache(RedisCache):
    """Django's RedisCache, except that while Redis is down reads miss and writes are skipped.

    ``add`` answers False (not added) and ``incr`` and ``decr`` raise: callers that count or
    lock refuse.
    """

    RETRY_AFTER_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str) -> None:
        with self._lock:
            first = self._available()
            self._down_until = time.monotonic() + self.RETRY_AFTER_SECONDS
        if first:
            logger.warning("Cache unavailable (%s); serving uncached", operation, exc_info=True)

    def _quietly(self, operation: str, call, fallback):
        if not self._available():
            return fallback
        try:
            return call()
        except Exception:  # noqa: BLE001 - any client error (refused, timeout, reset) = down
            self._failed(operation)
            return fallback

    def _loudly(self, operation: str, call):
        if not self._available():
            raise CacheUnavailable(operation)
        try:
            return call()
        except ValueError:  # incr of a missing key: Django's contract, not an outage
            raise
        except Exception as exc:
            self._failed(operation)
            raise CacheUnavailable(operation) from exc

    def get(self, key, default=None, version=None):
        return self._quietly(
            "get", lambda: super(TolerantRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._quietly(
            "get_many", lambda: super(TolerantRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._quietly(
            "has_key", lambda: super(TolerantRedisCache, self).has_key(key, version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._quietly(
            "set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)
        return self._quietly(
            "set_many",
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version),
            failed,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._quietly(
            "touch", lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._quietly(
            "delete", lambda: super(TolerantRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        self._quietly(
            "delete_many", lambda: super(TolerantRedisCache, self).delete_many(keys, version), None
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # False, "not added", while down: every caller that counts or locks then refuses.
        return self._quietly(
            "add", lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), False
        )

    def incr(self, key, delta=1, version=None):
        return self._loudly(
            "incr", lambda: super(TolerantRedisCache, self).incr(key, delta, version)
        )

    def decr(self, key, delta=1, version=None):
        return self._loudly(
            "decr", lambda: super(TolerantRedisCache, self).decr(key, delta, version)
        )


# --------------------------------------------------------------------------- the data version

VERSION_KEY = "nwd:data-version"
_thread = threading.local()
_bump_owed = False  # a bump this process could not make (Redis down): made when it answers


def _fresh_version() -> int:
    # Milliseconds: a counter that is lost (Redis restarted, key evicted) starts again above
    # any value it reached before, so no old page can match a new version.
    return int(time.time() * 1000)


def data_version() -> int | None:
    """The current data version, or None when the cache cannot be reached (do not cache)."""
    global _bump_owed  # noqa: PLW0603 - per process, by design: its own failed bump
    _thread.read_version = True
    if _bump_owed and data_version_bump():
        _bump_owed = False
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, _fresh_version(), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 - no cache: nothing is cached
        return None
    return version


def data_version_bump() -> bool:
    """Start a new data version now (True), or remember to when the cache answers (False)."""
    global _bump_owed  # noqa: PLW0603
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or it was evicted): a fresh one
            cache.set(VERSION_KEY, _fresh_version(), timeout=None)
            if cache.get(VERSION_KEY) is None:
                raise CacheUnavailable("set") from None
    except Exception:  # noqa: BLE001
        logger.warning("Could not start a new data version; will when the cache answers")
        _bump_owed = True
        return False
    return True


def data_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the data version when the current transaction commits (once per transaction)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        data_version_bump()
        return
    # At once too, when this thread has read the version since its last change: its own later
    # reads in the transaction (and tests, whose transactions never commit) must not find the
    # old pages. Other requests cannot see the change before it commits: for them, the bump at
    # commit ends any page rendered from the old data meanwhile.
    if getattr(_thread, "read_version", True):
        _thread.read_version = False
        data_version_bump()
    if not any(func is data_version_bump for _, func, _ in connection.run_on_commit):
        transaction.on_commit(data_version_bump, using=using)


# Apps whose data public pages show, and their models that never change what a page shows.
CONTENT_APPS = {
    "activities",
    "venues",
    "directory",
    "wagtailcore",
    "wagtailimages",
    "wagtaildocs",
    "wagtailredirects",
    "taggit",
}
NOT_CONTENT = {
    "wagtailcore.revision",  # drafts: publishing saves the page itself
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.pagesubscription",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
    "wagtailcore.uploadedfile",
}


def is_content(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None and meta.app_label in CONTENT_APPS and meta.label_lower not in NOT_CONTENT
    )


# --------------------------------------------------------------------------- the page cache

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Never cached: the admin, the referral forms, document downloads (permission-checked), the
# health probe, and paths whose query strings hold someone's situation.
NEVER_CACHED = (*ADMIN_PREFIXES, "/referrals/", "/documents/", "/healthz", "/static/", "/media/")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Response headers kept with a stored page (the outer middlewares add the security headers).
_NOT_STORED_HEADERS = {"set-cookie", "x-cache"}


def _request_cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return False
    path = request.path
    if path.startswith(NEVER_CACHED) or path.startswith(tuple(settings.PRIVATE_QUERY_PATHS)):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if any(re.match(pattern, path) for pattern in settings.PAGE_CACHE_SKIP_PATTERNS):
        return False
    allowed = {settings.CSRF_COOKIE_NAME, *settings.PAGE_CACHE_VARY_COOKIES}
    return all(name in allowed for name in request.COOKIES)


def _response_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    # The CSRF cookie is issued again to each visitor served from the cache (see _with_token);
    # any other cookie (a message, a session) belongs to this visitor alone.
    if set(response.cookies) - {settings.CSRF_COOKIE_NAME}:
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "no-cache"))


# The shortlist's buttons are POST forms on every public page: each holds the visitor's CSRF
# token, so a stored page holds a placeholder instead and each visitor gets their own token.
TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
TOKEN_PLACEHOLDER = b"@@nwd-csrf-token@@"
_MASKED = re.compile(rb"[A-Za-z0-9]{64}")


def _without_token(request: HttpRequest, content: bytes) -> bytes | None:
    """The page with its forms' tokens replaced by the placeholder; None if a copy of this
    visitor's CSRF secret would remain anywhere in it (then it is never shared)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content
    content = TOKEN_FIELD.sub(rb"\1" + TOKEN_PLACEHOLDER + rb"\3", content)
    if secret.encode() in content:
        return None
    for candidate in _MASKED.findall(content):
        # Django's own unmasking: a token anywhere else on the page (a script, a data
        # attribute) that carries this secret must not reach another visitor.
        if csrf._unmask_cipher_token(candidate.decode()) == secret:
            return None
    return content


def _with_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put this visitor's own CSRF token into a stored page's forms, and its cookie on the
    response, exactly as CsrfViewMiddleware would have had the page been rendered now."""
    if TOKEN_PLACEHOLDER not in response.content:
        return response
    middleware = csrf.CsrfViewMiddleware(lambda request: response)
    middleware.process_request(request)
    token = csrf.get_token(request)
    response.content = response.content.replace(TOKEN_PLACEHOLDER, token.encode())
    # The ETag names the visitor's secret too: a browser whose cookie changed gets new tokens.
    digest = hashlib.sha256(response["ETag"].encode() + request.META["CSRF_COOKIE"].encode())
    response["ETag"] = f'"{digest.hexdigest()[:32]}"'
    return middleware.process_response(request, response)


def _page_key(request: HttpRequest, version: int) -> str:
    varying = [request.COOKIES.get(name, "") for name in settings.PAGE_CACHE_VARY_COOKIES]
    parts = [
        version,
        timezone.localdate().isoformat(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        varying,
    ]
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _stored(response: HttpResponse, content: bytes) -> tuple:
    headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED_HEADERS]
    if not response.has_header("ETag"):
        headers.append(("ETag", '"' + hashlib.sha256(content).hexdigest()[:32] + '"'))
    # The last item: whether the body holds the CSRF placeholder (its ETag is then per visitor).
    return (response.status_code, headers, zlib.compress(content, 1), TOKEN_PLACEHOLDER in content)


def _rebuilt(entry: tuple) -> HttpResponse:
    status, headers, body = entry[:3]
    response = HttpResponse(zlib.decompress(body), status=status)
    for name, value in headers:
        response[name] = value
    return response


def _served(request: HttpRequest, entry: tuple, how: str) -> HttpResponse:
    """A stored page for this visitor (their own CSRF token), or 304 when their
    If-None-Match names its ETag."""
    if len(entry) > 3 and not entry[3] and request.META.get("HTTP_IF_NONE_MATCH"):
        # A page without forms (a feed): its stored ETag is everyone's, so a calendar polling
        # with it gets its 304 without the body being unpacked (20 ms for a 9 MB feed).
        headers = HttpResponse(status=entry[0])
        for name, value in entry[1]:
            headers[name] = value
        not_modified = get_conditional_response(request, etag=headers["ETag"], response=headers)
        if not_modified.status_code == 304:  # otherwise it hands back the headers-only one
            not_modified["X-Cache"] = how
            return not_modified
    response = _with_token(request, _rebuilt(entry))
    response["X-Cache"] = how
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


# A page many visitors ask for at once when it is not cached (the citywide feed after an
# import) is rendered by one of them: the others wait for it, at most this long, then render.
RENDER_WAIT_SECONDS = 15.0


def _rendered_by_another(key: str) -> tuple | None:
    """None when this request should render the page (it holds the key's render lock, or the
    wait ran out); the stored page when another request rendered it meanwhile."""
    if cache.add(f"render:{key}", 1, timeout=int(RENDER_WAIT_SECONDS) + 5):
        return None
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None:
            return entry
        if cache.add(f"render:{key}", 1, timeout=int(RENDER_WAIT_SECONDS) + 5):
            return None  # the renderer gave up (its page was not storable): our turn
    return None


class PageCacheMiddleware:
    """Serve and store anonymous public pages and feeds (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _request_cacheable(request):
            response = self.get_response(request)
            if (
                request.method in UNSAFE_METHODS
                and request.path.startswith(ADMIN_PREFIXES)
                and response.status_code < 400
            ):
                # Admin writes (imports above all) are bulk: no model signal says they changed.
                data_version_bump()
            return response
        version = data_version()
        if version is None:  # the cache is down: live, as if there were no cache
            return self.get_response(request)
        key = _page_key(request, version)
        entry = cache.get(key) or _rendered_by_another(key)
        if entry is not None:
            return _served(request, entry, "hit")
        try:
            response = self.get_response(request)
            shared = (
                _without_token(request, response.content)
                if _response_storable(request, response)
                else None
            )
            if shared is None:
                return response
            patch_vary_headers(response, ["Cookie"])
            entry = _stored(response, shared)
            cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        finally:
            cache.delete(f"render:{key}")
        # This visitor is served as every later one will be: the same bytes, their own token.
        return _served(request, entry, "miss")
