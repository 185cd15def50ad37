"""The adapter core every chat channel shares.

- :mod:`.ordering`: one chat's updates run one after another, different chats concurrently;
- :mod:`.retry`: an update is retried until its effects are committed (one poison limit);
- :mod:`.webhook`: the webhook route (constant-time secret check, 503 until live, 400 for an
  unreadable body, 500 so the platform delivers again, 200 once committed);
- :mod:`.reconnect`: connecting at start-up without holding the rest of the bot hostage.

The Telegram, Zalo and web-chat parts only translate between their platform and the neutral
messages of :mod:`bot.messages`.
"""
