"""Dondoc: domain rules, storage, services, channel adapters and the CLI."""
