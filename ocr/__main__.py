"""``python -m ocr FILE...``: see ``ocr.cli``."""

from __future__ import annotations

from ocr.cli import main

raise SystemExit(main())
