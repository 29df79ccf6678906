"""Logging filters: what must never reach a log."""

from __future__ import annotations

import logging


class DropPrivateQueries(logging.Filter):
    """Drop request log records for paths whose query string describes a person.

    Django logs every 4xx and 5xx with the request attached, and the request's repr is the
    full URL. The finder's answers are in its query string by design (so Back works), so a
    record for one of `paths` is dropped rather than written.
    """

    def __init__(self, paths: list[str] | None = None):
        super().__init__()
        self.paths = tuple(paths or ())

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "")
        return not (path and path.startswith(self.paths))
