"""Reading order: CER of the real engines' lines as ``ocr.layout.reading_order`` orders them.

Usage::

    python -m bench.reading_order                           # both engines, every page
    python -m bench.reading_order --before /tmp/layout_before.py --cache /tmp/ro-cache

Pages: the rendered layout pages of ``tests/ocr/layoutpages.py`` (two columns with a figure
and caption, a sidebar, a table in a column, a Chinese two-column page) and every page of
``../shared/testdata`` with ground truth (``tesseract_test``, ``tapuscorpus_fr``, ``ocrd_de``;
the line sets are single lines, where order cannot change). Each page is prepared
(``ocr.prepare``) and read once per engine; the same raw result is then ordered three ways:
as the engine gave it ("engine"), by the layout module given with ``--before`` (a copy of an
older ``ocr/layout.py``, e.g. ``git show main:ocr/layout.py > /tmp/layout_before.py``) and by
the current ``reading_order`` ("after"), so only the ordering differs between the columns.
``--cache`` keeps the engines' raw results as JSON so a rerun after a layout change costs
seconds. Scoring is ``ocr.scoring.cer`` (white space collapsed, so tabs count as spaces).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from PIL import Image

from bench.ocr_quality import TESTDATA, manifest
from ocr.engines import available_engines, get_engine
from ocr.layout import reading_order
from ocr.prepare import prepare
from ocr.scoring import cer, strip_unreadable
from ocr.types import PageResult, Word
from tests.ocr.layoutpages import PAGES

#: Sets of the shared test data whose items are whole pages.
PAGE_SETS = ("tesseract_test", "tapuscorpus_fr", "ocrd_de")
#: Test-data pages with more than one column (the UNLV magazine scans).
MULTI_COLUMN = ("8071_093.3B", "8087_054.3B")

Order = Callable[[PageResult], PageResult]


@dataclass(frozen=True, slots=True)
class Page:
    group: str  # "rendered", "testdata multi-column" or "testdata single-column"
    name: str
    load: Callable[[], Image.Image]
    truth: str
    languages: tuple[str, ...]


def pages(root: Path) -> list[Page]:
    """The rendered layout pages, then the test data's whole pages with ground truth."""
    found = []
    for name, build in PAGES.items():
        page = build()
        found.append(
            Page(
                "rendered",
                name,
                functools.partial(Image.Image.copy, page.image),
                page.text,
                (page.language,),
            )
        )
    if root.is_dir():
        for item in manifest(root, PAGE_SETS, None):
            multi = item.image.stem in MULTI_COLUMN
            group = "testdata multi-column" if multi else "testdata single-column"
            truth = strip_unreadable(item.truth.read_text(encoding="utf-8"))
            found.append(
                Page(
                    group,
                    item.image.name,
                    functools.partial(_open, item.image),
                    truth,
                    item.languages,
                )
            )
    return found


def raw_result(engine: str, page: Page, cache: Path | None) -> PageResult:
    """The engine's own result on the prepared page (from ``cache`` when it holds it)."""
    stored = cache / f"{engine}-{page.name}.json" if cache else None
    if stored is not None and stored.exists():
        return _from_json(json.loads(stored.read_text(encoding="utf-8")))
    reader = get_engine(engine)
    languages = tuple(code for code in page.languages if code in reader.languages)
    result = reader.recognize(prepare(page.load()), languages=languages or ("en",))
    if stored is not None:
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_text(json.dumps(_to_json(result), ensure_ascii=False), encoding="utf-8")
    return result


def load_layout(path: Path) -> ModuleType:
    """An older ``ocr/layout.py`` loaded from ``path`` under a name of its own."""
    spec = importlib.util.spec_from_file_location("layout_before", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def table(rows: list[tuple[str, str, str, list[float]]], labels: list[str]) -> list[str]:
    """Markdown: one row per (engine, group, page) with one CER per ordering, then means."""
    out = [
        "| engine | group | page | " + " | ".join(f"CER {label}" for label in labels) + " |",
        "|---|---|---|" + "---:|" * len(labels),
    ]
    for engine, group, name, values in rows:
        out.append(
            f"| {engine} | {group} | {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |"
        )
    out += [
        "",
        "| engine | group | pages | " + " | ".join(f"mean CER {la}" for la in labels) + " |",
    ]
    out.append("|---|---|---:|" + "---:|" * len(labels))
    keys = sorted({(engine, group) for engine, group, _, _ in rows})
    for engine, group in keys:
        chosen = [values for e, g, _, values in rows if (e, g) == (engine, group)]
        means = [statistics.fmean(v[i] for v in chosen) for i in range(len(labels))]
        out.append(
            f"| {engine} | {group} | {len(chosen)} | "
            + " | ".join(f"{m:.3f}" for m in means)
            + " |"
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--before", type=Path, help="an older ocr/layout.py to compare with")
    parser.add_argument("--cache", type=Path, help="folder for the engines' raw results")
    parser.add_argument("--only", help="comma-separated page names")
    args = parser.parse_args(argv)
    orders: list[tuple[str, Order]] = [("engine", lambda result: result)]
    if args.before is not None:
        orders.append(("before", load_layout(args.before).reading_order))
    orders.append(("after", reading_order))
    engines = [e for e in args.engines.split(",") if e in available_engines()]
    chosen = pages(TESTDATA)
    if args.only:
        chosen = [page for page in chosen if page.name in args.only.split(",")]
    rows = []
    for engine in engines:
        for page in chosen:
            result = raw_result(engine, page, args.cache)
            values = [cer(order(result).text, page.truth) for _, order in orders]
            rows.append((engine, page.group, page.name, values))
            print(engine, page.name, " ".join(f"{v:.3f}" for v in values), file=sys.stderr)
    print("\n".join(table(rows, [label for label, _ in orders])))
    return 0


def _open(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image.copy()


def _to_json(result: PageResult) -> dict[str, object]:
    data = asdict(result)
    data["words"] = [[w.text, list(w.box), w.confidence] for w in result.words]
    return data


def _from_json(data: dict[str, object]) -> PageResult:
    raw_words = data.pop("words")
    assert isinstance(raw_words, list)
    words = tuple(Word(text, (b[0], b[1], b[2], b[3]), conf) for text, b, conf in raw_words)
    data["languages"] = tuple(data["languages"])  # type: ignore[arg-type]
    return PageResult(words=words, **data)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
