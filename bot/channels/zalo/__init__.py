"""Zalo Bot Platform channel."""
