"""``dondoc import``, ``export``, ``invite`` and ``demo-data``."""
