"""Channel adapters: Telegram, Zalo and the web chat. Thin: they translate, handlers decide."""
