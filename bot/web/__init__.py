"""The web side of Dondoc: the leaders' dashboard and the web chat channel.

``bot.web.auth`` (login links, sessions, CSRF) is pure service code that the chat handlers
may use; the aiohttp parts live in ``dashboard``, ``chat`` and ``component``.
"""
