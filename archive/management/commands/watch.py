"""``manage.py watch [DIR] --owner USERNAME [--interval S] [--once]``: the consume folder.

Files dropped into DIR (subfolders included) become the owner's documents once complete, then
move to ``DIR/done/`` or ``DIR/failed/`` (see ``archive.consume``). Runs until Ctrl-C or SIGTERM,
finishing the file in hand first; ``--once`` scans twice, ``--interval`` seconds apart, imports
what was complete and exits (for cron). ``DIR``, ``--owner`` and ``--interval`` default to the
``WATCH_DIR``, ``WATCH_OWNER`` and ``WATCH_INTERVAL`` settings; ``manage.py serve`` starts this
command when ``WATCH_DIR`` is set. Progress is logged (logger ``archive.consume``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.bulk import Summary
from archive.consume import ConsumeFolder, consume_once, watch
from archive.languages import DETECT, LANGUAGES
from archive.management.owners import owner_named
from archive.stopping import stop_on_signals


class Command(BaseCommand):
    help = "Import files dropped into a folder, then move them to done/ or failed/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder", nargs="?", type=Path, help="The folder to watch (default: WATCH_DIR)."
        )
        parser.add_argument("--owner", help="Username the documents belong to (WATCH_OWNER).")
        parser.add_argument(
            "--language",
            default="",
            choices=["", DETECT, *LANGUAGES],
            help='Language of the documents; "detect" (the default) finds it from the text.',
        )
        parser.add_argument(
            "--interval",
            type=float,
            help="Seconds between scans (WATCH_INTERVAL); a file must look the same at two "
            "scans in a row to be taken.",
        )
        parser.add_argument(
            "--once", action="store_true", help="Scan twice, --interval apart, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path | None = options["folder"] or (
            Path(settings.WATCH_DIR) if settings.WATCH_DIR else None
        )
        if folder is None:
            raise CommandError("Give the folder to watch (or set WATCH_DIR).")
        username: str = options["owner"] or settings.WATCH_OWNER
        if not username:
            raise CommandError("Give --owner (or set WATCH_OWNER): who the documents belong to.")
        interval: float = (
            options["interval"] if options["interval"] is not None else settings.WATCH_INTERVAL
        )
        if interval <= 0:
            raise CommandError("--interval must be above 0 seconds.")
        owner = owner_named(username)

        consume = ConsumeFolder(folder.resolve(), owner=owner, language=options["language"])
        try:
            consume.prepare()
        except OSError as error:
            raise CommandError(str(error)) from None

        if options["once"]:
            summary = Summary()
            for consumed in consume_once(consume, settle=interval):
                summary.add(consumed.result)
            self.stdout.write(summary.counts_line())
            return

        # Finish the file in hand on Ctrl-C or SIGTERM (serve sends both), then exit cleanly.
        stop = stop_on_signals()
        self.stdout.write(f"Watching {consume.folder} every {interval:g} s for {username}.")
        self.stdout.flush()  # under serve stdout is a pipe: say it now, not at exit
        watch(consume, interval=interval, should_stop=lambda: stop.requested)
