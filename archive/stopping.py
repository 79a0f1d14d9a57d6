"""Stopping a long-running command cleanly on Ctrl-C or SIGTERM (``serve``, ``watch``).

The handler only records the request; the command's own loop checks it, finishes what it holds
(the file in hand, stopping its children in order) and returns. Raising from the handler
instead (Python's default KeyboardInterrupt) could cut a step in half.
"""

from __future__ import annotations

import signal


class StopRequest:
    """Set once SIGINT or SIGTERM has arrived; see ``stop_on_signals``."""

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum: int, frame: object) -> None:
        self.requested = True


def stop_on_signals() -> StopRequest:
    """Route SIGINT (Ctrl-C) and SIGTERM (a supervisor, ``serve`` stopping its children) of
    this process to a new ``StopRequest``, and return it. Call from the main thread."""
    request = StopRequest()
    signal.signal(signal.SIGINT, request._handle)
    signal.signal(signal.SIGTERM, request._handle)
    return request
