"""A progress line for long command-line jobs, without a dependency.

On a terminal it is one line redrawn in place (at most ten times a second, so drawing never
costs more than the work). Anywhere else (a pipe, a log file, cron's mail) it is a plain line
every ``every`` seconds: the log shows that the job is alive and how far it got, without a line
per file and without carriage returns.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

_REDRAW_SECONDS = 0.1
_BAR_WIDTH = 20


class Progress:
    """Progress of ``total`` steps, written through ``write`` (which must write the text as
    given, without adding a newline, and flush).

    Call ``update(done, detail)`` after each step, ``print(line)`` to show a line of its own
    (the bar is cleared first, so the two do not mix), and ``close()`` once at the end.
    """

    def __init__(
        self,
        write: Callable[[str], None],
        total: int,
        *,
        tty: bool,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._total = total
        self._tty = tty
        self._every = every
        self._clock = clock
        self._started = clock()
        self._last_shown = -float("inf")
        self._done = 0
        self._detail = ""
        self._drawn = False  # a bar is on screen (terminal only)
        self._shown_done = -1  # ``done`` when a line was last written

    def update(self, done: int, detail: str = "") -> None:
        """Record progress; redraw or write a line if enough time has passed."""
        self._done, self._detail = done, detail
        now = self._clock()
        if now - self._last_shown >= (_REDRAW_SECONDS if self._tty else self._every):
            self._show(now)

    def print(self, line: str) -> None:
        """Write ``line`` on a line of its own; on a terminal the bar is redrawn below it."""
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False
        self._write(line + "\n")
        if self._tty:
            self._show(self._clock())

    def close(self) -> None:
        """Show the final state (unless already shown) and end the line."""
        if self._shown_done != self._done or self._drawn:
            self._show(self._clock())
        if self._drawn:
            self._write("\n")
            self._drawn = False

    def _show(self, now: float) -> None:
        self._last_shown = now
        self._shown_done = self._done
        text = self.line(now)
        if self._tty:
            columns = shutil.get_terminal_size().columns
            # A line longer than the terminal wraps, and "\r" then only returns to its last row.
            self._write("\r" + text[: max(columns - 1, 10)] + "\x1b[K")
            self._drawn = True
        else:
            self._write(text + "\n")

    def line(self, now: float | None = None) -> str:
        """The progress as text: bar (terminal only), count, percentage, rate, ETA, detail."""
        now = self._clock() if now is None else now
        done, total = self._done, self._total
        fraction = done / total if total else 1.0
        # Fixed widths, so that the line does not jitter as the numbers grow.
        parts = [f"{done:>{len(str(total))}}/{total}", f"{fraction:4.0%}"]
        if self._tty:
            filled = round(fraction * _BAR_WIDTH)
            parts.insert(0, "[" + "#" * filled + "." * (_BAR_WIDTH - filled) + "]")
        elapsed = now - self._started
        if done and elapsed >= 1:  # a rate from the first instant says nothing
            rate = done / elapsed
            parts.append(f"{rate:.1f} files/s")
            if done < total:
                parts.append("ETA " + duration((total - done) / rate))
        # Last: on a narrow terminal the line is cut from the end.
        if self._detail:
            parts.append(self._detail)
        return "  ".join(parts)


def duration(seconds: float) -> str:
    """``seconds`` for people: ``42s``, ``3m05s``, ``1h02m``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
