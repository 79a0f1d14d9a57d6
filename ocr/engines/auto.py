"""``auto``: reads each page with the engine that measured best for the page's language.

The choice comes from ``auto_table.json`` beside this module: per language, the engines in order
of preference, with the figures that decided it (mean character error rate and bag-of-words F1
per test set, from ``python -m bench.ocr_quality``). Re-run the benchmark and edit the table
when an engine or the pipeline changes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from ocr.engines.base import Engine, check_languages
from ocr.errors import EngineUnavailable, UnsupportedLanguage
from ocr.textline import is_text_line
from ocr.types import PageResult

TABLE_PATH = Path(__file__).with_name("auto_table.json")


@dataclass(frozen=True, slots=True)
class Table:
    """The parsed ``auto_table.json``: engine preference per language code.

    ``rankings[code]`` lists engine names, best first. An engine listed for a language was
    measured on it, so it may read that language even when it does not declare it (RapidOCR's
    Chinese/English model reads French typescript better than Tesseract's French model): it is
    then given the languages it has, or none ("any"). ``default`` ranks engines for languages
    the table does not name (and for pages with no language given).
    """

    rankings: dict[str, tuple[str, ...]]
    default: tuple[str, ...]
    line_rankings: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> Table:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        rows = data["languages"].items()
        return cls(
            rankings={code: tuple(row["ranking"]) for code, row in rows},
            default=tuple(data["default"]),
            line_rankings={
                code: tuple(row["line_ranking"]) for code, row in rows if "line_ranking" in row
            },
        )

    def engines(self) -> tuple[str, ...]:
        """Every engine the table names, in first-mention order."""
        rows = [*self.rankings.values(), *self.line_rankings.values()]
        names = [*self.default, *(name for row in rows for name in row)]
        return tuple(dict.fromkeys(names))


def readable_languages() -> tuple[str, ...]:
    """What ``AutoEngine().languages`` would be, without loading any engine: the languages its
    table's engines that can run here read (``ocr.engines.readable_languages``), plus those
    the table routes to one of them."""
    from ocr.engines import available_engines
    from ocr.engines import readable_languages as engine_languages  # the registry imports us

    table = Table.load()
    usable = set(available_engines())
    engines = [name for name in table.engines() if name in usable and name != AutoEngine.name]
    declared = {code for name in engines for code in engine_languages(name)}
    routed = {
        code for code, ranking in table.rankings.items() if any(n in engines for n in ranking)
    }
    return tuple(sorted(declared | routed))


class AutoEngine:
    """Delegates each page to the best measured engine for its first (primary) language.

    Choice, for requested languages ``codes`` (primary = the first): walk the table's ranking
    for the primary language (its ``line_ranking`` for a single text-line image, see
    ``ocr.textline.is_text_line``; ``default`` when it has no row), then every other loaded
    engine; take the first engine that is loaded and either declares the primary language or
    is listed for it in the table. That engine gets the requested codes it declares (none
    means "any"). So a missing engine (no tessdata, no licence) falls back to the next one.

    The result is the chosen engine's own ``PageResult``: ``engine`` names it (e.g.
    ``"tesseract"``), so documents record what really read them, and ``languages`` are the
    codes it was given.

    ``languages`` are those some loaded engine declares, plus those the table routes to a
    loaded engine. Every engine the table names is loaded in ``__init__`` through
    ``get_engine`` (so shared with direct users of those engines); those that cannot load are
    skipped. Raises ``EngineUnavailable`` when none loads.

    Thread safety: as safe as the engines it delegates to (they serialise themselves).
    """

    name = "auto"

    def __init__(self, table: Table | None = None) -> None:
        from ocr.engines import available_engines, get_engine  # the registry imports us

        self._table = table if table is not None else Table.load()
        self._engines: dict[str, Engine] = {}
        failures: list[str] = []
        for name in self._table.engines():
            if name == self.name:
                continue
            try:
                self._engines[name] = get_engine(name)
            except EngineUnavailable as error:
                failures.append(str(error))  # fine: fall back to the others
        if not self._engines:
            reason = "none of the engines it chooses from can run here: " + " ".join(failures)
            raise EngineUnavailable(self.name, available_engines(), reason=reason)
        declared = {code for engine in self._engines.values() for code in engine.languages}
        routed = {
            code
            for code, ranking in self._table.rankings.items()
            if any(name in self._engines for name in ranking)
        }
        self.languages: tuple[str, ...] = tuple(sorted(declared | routed))

    def choose(
        self, languages: Sequence[str], *, line: bool = False
    ) -> tuple[Engine, tuple[str, ...]]:
        """The engine for a page in ``languages`` and the codes to give it; ``line``: the page
        is a single text line, ranked by the table's ``line_ranking`` where it has one.

        Raises ``UnsupportedLanguage`` (listing ``self.languages``) when no engine fits.
        """
        codes = check_languages(self, languages)
        primary = codes[0] if codes else None
        listed: tuple[str, ...] = ()
        if primary is not None:
            if line:
                listed = self._table.line_rankings.get(primary, ())
            listed = listed or self._table.rankings.get(primary, ())
        ranking = listed or self._table.default
        for name in dict.fromkeys([*ranking, *self._engines]):
            engine = self._engines.get(name)
            if engine is None:
                continue
            if primary is None or primary in engine.languages or name in listed:
                return engine, tuple(code for code in codes if code in engine.languages)
        raise UnsupportedLanguage(self.name, codes, self.languages)

    def recognize(self, image: Image.Image, *, languages: Sequence[str] = ("en",)) -> PageResult:
        """Read one prepared page with the chosen engine; see ``Engine`` for the contract."""
        # Only measured when the table ranks lines apart: the check costs a pass over the image.
        line = bool(self._table.line_rankings) and is_text_line(image)
        engine, codes = self.choose(languages, line=line)
        return engine.recognize(image, languages=codes)
