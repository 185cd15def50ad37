"""Domain services: every change to the data goes through here (and into the audit log)."""
