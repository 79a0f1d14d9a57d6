"""``python -m ocr FILE...``: see ``ocr.cli``."""

from __future__ import annotations

from ocr.cli import main

# The guard matters: the process pool's workers are spawned, and a spawned worker imports the
# parent's main module again (multiprocessing skips package ``__main__`` modules today, but
# that is an implementation detail).
if __name__ == "__main__":
    raise SystemExit(main())
