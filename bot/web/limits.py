"""Limits on what a browser may send to the web chat before it is linked to an official.

Counts live in memory (one instance's view, reset by a restart): they only slow down a
flood or someone guessing invite codes, and keeping them costs no database write per frame.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import deque

from aiohttp import web

WINDOW = dt.timedelta(minutes=1)
SWEEP_EVERY = 1000
"""Forget idle keys after this many checks, so the table does not grow without bound."""


class SlidingWindowLimiter:
    """At most ``limit`` events per key in any one-minute window."""

    def __init__(self) -> None:
        self._events: dict[str, deque[dt.datetime]] = {}
        self._checks = 0

    def allow(self, key: str, limit: int, now: dt.datetime) -> bool:
        """Count one event for ``key`` unless that would exceed ``limit``; False if refused."""
        self._checks += 1
        if self._checks % SWEEP_EVERY == 0:
            self._sweep(now)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - WINDOW:
            events.popleft()
        if len(events) >= limit:
            return False
        events.append(now)
        return True

    def _sweep(self, now: dt.datetime) -> None:
        stale = [
            key for key, events in self._events.items() if not events or events[-1] <= now - WINDOW
        ]
        for key in stale:
            del self._events[key]


def client_address(request: web.BaseRequest) -> str:
    """The address a request came from. Behind a reverse proxy on this machine (the direct
    peer is a loopback address) it is the last ``X-Forwarded-For`` entry, the one the proxy
    itself saw; a header from anyone else is ignored, since clients can forge it."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _is_loopback(peer):
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return peer


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
