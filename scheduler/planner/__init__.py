"""The planner: tasks + reminder policy → one outbox row per recipient chat per send window.

Read in this order:

- ``rules.py``: the reminder policy as data — which items are due on a day and who hears
  each (lead unit, coordinating units, unit head, deciding leader);
- ``due.py``: the few set-based reads that feed the rules, giving the day's items per unit,
  per unit head and per deciding leader;
- ``recipients.py``: who is reachable — active officials' active chats, their ``/kenh``
  choice, unit heads, bound groups, leaders;
- ``messages.py``: one message per chat (a unit's group instead of its members on that
  channel), rendered for the chat's channel and language;
- ``fanout.py``: the outbox rows, unique per chat and day, bulk-inserted from Python or
  expanded by the database for the units' members;
- ``tick.py``: :func:`run_tick`, what the scheduler calls every minute.
"""

from scheduler.planner.fanout import queue_messages
from scheduler.planner.messages import PlannedMessage, render_planned
from scheduler.planner.tick import TickResult, plan_day, run_tick

__all__ = [
    "PlannedMessage",
    "TickResult",
    "plan_day",
    "queue_messages",
    "render_planned",
    "run_tick",
]
