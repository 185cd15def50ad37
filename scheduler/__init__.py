"""Scheduler: reminder planner, outbox dispatcher and digests (APScheduler-driven)."""
