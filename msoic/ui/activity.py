"""When this server last began or ended a page script, for work nobody is waiting for.

Preparing the Report page's report takes 1-2.5 s of both cores. Started while people are clicking,
it slowed every session of a replica after a load (p95 4 s against 1.8-2.5 s without it), so it
waits until no script has begun or ended for a while (`quiet_for`)."""

from __future__ import annotations

import time

_last = time.monotonic()  # a float is read and written whole: no lock needed


def touch() -> None:
    """A page script of some session begins or ends now (top and end of app.py)."""
    global _last
    _last = time.monotonic()


def quiet_for() -> float:
    """Seconds since any page script of this server began or ended."""
    return time.monotonic() - _last
