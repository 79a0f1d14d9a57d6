"""The progress line: redrawn in place on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

from archive.progress import Progress, duration


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_every_interval_and_the_final_state():
    written: list[str] = []
    clock = Clock()
    progress = Progress(written.append, 100, tty=False, every=10, clock=clock)
    for done in range(1, 101):
        clock.now = done * 0.5  # two files a second: a line at files 1, 21, 41, 61, 81
        progress.update(done, f"{done} imported")
    progress.close()
    assert all(text.endswith("\n") and "\r" not in text for text in written)
    assert [text.split()[0] for text in written] == [
        "1/100",
        "21/100",
        "41/100",
        "61/100",
        "81/100",
        "100/100",
    ]
    assert written[1] == " 21/100   21%  2.0 files/s  ETA 40s  21 imported\n"
    assert written[-1] == "100/100  100%  2.0 files/s  100 imported\n"


def test_terminal_bar_is_redrawn_in_place_and_cleared_for_other_lines():
    written: list[str] = []
    clock = Clock()
    progress = Progress(written.append, 4, tty=True, clock=clock)
    clock.now = 1.0
    progress.update(1)
    assert written == ["\r[#####...............]  1/4   25%  1.0 files/s  ETA 3s\x1b[K"]
    progress.update(2)  # within a tenth of a second: not redrawn
    assert len(written) == 1
    progress.print("rejected  x.png: The file is empty.")
    assert written[1:3] == ["\r\x1b[K", "rejected  x.png: The file is empty.\n"]
    assert written[3].startswith("\r[##########")  # the bar again, below the line
    clock.now = 2.0
    progress.update(4)
    progress.close()
    assert written[-2].startswith("\r[####################]  4/4  100%")
    assert written[-1] == "\n"


def test_nothing_to_do():
    written: list[str] = []
    progress = Progress(written.append, 0, tty=False)
    progress.close()
    assert written == ["0/0  100%\n"]


def test_duration():
    assert [duration(s) for s in (0, 42.4, 185, 3720)] == ["0s", "42s", "3m05s", "1h02m"]
