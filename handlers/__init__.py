"""The conversation, independent of any chat channel.

Adapters pass a neutral :class:`bot.messages.IncomingMessage` to :class:`Dispatcher` and get
neutral :class:`bot.messages.Reply` objects back. Nothing here imports Telegram or Zalo code.
"""

from handlers.dispatcher import Dispatcher, build_dispatcher
from handlers.router import Router
from handlers.turn import Turn

__all__ = ["Dispatcher", "Router", "Turn", "build_dispatcher"]
