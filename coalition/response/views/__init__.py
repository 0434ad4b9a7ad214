"""Rapid-response pages (PoA 1B.3, 1A.5, 1B.1), one module per page group: the situation room list with its alerts
and opening a situation (`situations`), the signals and their import (`monitoring`), the situation room itself
(`room`: brief, playbook, pledge board, fast-track statement, timeline, civil-society reports, metrics, closure) and
what is done in it (`room_actions`), the toolkit (`toolkit`) and the metrics over time (`metrics`).

Each view declares its rule; situations are read through `queries.situations` (404 when hidden), everything else
through `policy.visible_to`. Every write is one service through `core.forms.submit`, whose error comes back on the
form field it names with a 400 and nothing saved; a refusal by the policy is a 403 page with its message.
"""

from coalition.response.views.display import duration
from coalition.response.views.metrics import metrics
from coalition.response.views.monitoring import import_signals, signals
from coalition.response.views.room import situation
from coalition.response.views.room_actions import close, fast_track, note, pledge, pledge_status, report, step, widen
from coalition.response.views.situations import alert, dismiss, index, open_situation
from coalition.response.views.toolkit import tool, toolkit

__all__ = [
    "alert",
    "close",
    "dismiss",
    "duration",
    "fast_track",
    "import_signals",
    "index",
    "metrics",
    "note",
    "open_situation",
    "pledge",
    "pledge_status",
    "report",
    "signals",
    "situation",
    "step",
    "tool",
    "toolkit",
    "widen",
]
