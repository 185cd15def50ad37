"""The Telegram adapter (python-telegram-bot 22.x): it only translates.

Incoming updates become neutral :class:`bot.messages.IncomingMessage` objects
(:mod:`.convert`), the dispatcher in ``handlers/`` answers with neutral replies, and
:mod:`.render` turns those into Bot API calls. :mod:`.polling` and :mod:`.webhook` acknowledge
an update only after its effects are committed; :mod:`.channel` is the component the
composition root (:mod:`bot.app`) builds.
"""

import os

# Opt in to python-telegram-bot's future behaviour (durations as ``timedelta``), which the
# adapter already handles; without it PTB warns on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")
