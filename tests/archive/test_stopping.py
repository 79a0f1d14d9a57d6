"""``archive.stopping``: Ctrl-C and SIGTERM only set the flag a command's loop checks."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from archive.stopping import stop_on_signals


@pytest.fixture
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.usefixtures("restore_handlers")
def test_a_signal_is_recorded_not_raised(sig: signal.Signals) -> None:
    stop = stop_on_signals()
    assert not stop.requested
    os.kill(os.getpid(), sig)  # delivered to the main thread before kill returns to Python
    assert stop.requested
