"""Keeping calendar feed tokens out of the logs. A feed's address is its secret (`/meetings/calendar/<token>.ics`:
the token is in the path, since calendar clients cannot send a header), and the request logs name the path: the
development server's line for every request (`django.server`, what `run_platform` prints) and Django's warning for
every 4xx/5xx answer (`django.request`, e.g. a revoked feed's 404). A log reader must not be able to subscribe."""

from __future__ import annotations

import logging
import re

# The token's first eight characters after "cal_" are its public prefix, shown on the feed settings page: kept, so a
# log line can still be matched to a feed. The rest of the path segment, whatever was sent and however it ends (".ics",
# ".ICS", "%2Eics", nothing), is dropped: a segment the route refuses may still hold a valid token. The match ignores
# case, as a mistyped address is logged too.
FEED_PATH = re.compile(r"(/meetings/calendar/)(?=[^/\s\"'?#])(cal_[A-Za-z0-9_-]{0,8})?[^/\s\"'?#]*", re.IGNORECASE)
LOGGERS = ("django.server", "django.request")


def redact(text: str) -> str:
    return FEED_PATH.sub(lambda found: f"{found[1]}{found[2] or ''}…", text)


class RedactFeedTokens(logging.Filter):
    """Rewrites a record whose message names a feed address, before any handler formats or sends it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install() -> None:
    """On the loggers themselves, not a handler: a filter there rewrites the record for every handler it reaches,
    including those Django configured (the development server's own stream)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactFeedTokens) for existing in logger.filters):
            logger.addFilter(RedactFeedTokens())
