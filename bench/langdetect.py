"""Language detectors side by side: py3langid and lingua-language-detector.

Accuracy on the ground-truth texts of ``../shared/testdata`` (language by the manifest; whole
pages and text lines as they are, and the first five words of each as a "short" text), a few
Chinese texts and receipt lines written here, time per text, memory of the loaded model and the
installed size. Both are restricted to the languages the app offers (``archive.languages``).

Run: ``python -m bench.langdetect [py3langid|lingua]`` (prints a table). lingua is not a
dependency of the app: ``pip install lingua-language-detector`` to compare.
"""

from __future__ import annotations

import csv
import importlib.util
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from archive.languages import LANGUAGES

TESTDATA = Path(__file__).resolve().parents[1].parent.parent / "shared" / "testdata"
if not TESTDATA.exists():
    TESTDATA = Path("/work/shared/testdata")

#: Texts the test data lacks: Chinese, and short lines as receipts and forms carry them.
EXTRA: list[tuple[str, str, str]] = [
    (
        "zh",
        "page",
        "本发明涉及一种文件扫描和存档系统，用户可以在浏览器中上传扫描件，后台自动识别文字并建立全文索引。",
    ),
    ("zh", "page", "今天天气很好，我们去公园散步，然后在附近的饭店吃了午饭。"),
    ("zh", "short", "发票号码：一二三四五"),
    ("zh", "short", "合计金额 人民币"),
    ("en", "short", "Total amount due upon receipt"),
    ("en", "short", "Thank you for your purchase"),
    ("de", "short", "Vielen Dank für Ihren Einkauf"),
    ("de", "short", "Gesamtbetrag inklusive Mehrwertsteuer"),
    ("fr", "short", "Merci de votre visite à bientôt"),
    ("fr", "short", "Montant total toutes taxes comprises"),
]


def corpus() -> list[tuple[str, str, str]]:
    """(language, kind, text): kind is page, line or short (first five words)."""
    rows: list[tuple[str, str, str]] = []
    with (TESTDATA / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if "," in row["lang"]:
                continue  # eurotext: several languages on one page
            text = (TESTDATA / row["set"] / row["ground_truth"]).read_text(encoding="utf-8")
            kind = "line" if "lines" in row["set"] else "page"
            rows.append((row["lang"], kind, text))
            words = text.split()
            if kind == "page" and len(words) > 5:
                rows.append((row["lang"], "short", " ".join(words[:5])))
    return rows + EXTRA


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def size_mb(package: str) -> float:
    spec = importlib.util.find_spec(package)
    assert spec is not None
    assert spec.origin is not None
    folder = Path(spec.origin).parent
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def load_py3langid() -> Callable[[str], str]:
    """As the app uses it (``ocr.langdetect``), with no confidence threshold: "?" only for a
    text with too few letters, like lingua's None."""
    from ocr.langdetect import detect_language, supported_languages

    supported_languages()  # load the model

    def detect(text: str) -> str:
        found = detect_language(text, candidates=tuple(LANGUAGES), default="?", min_confidence=0)
        return found.language

    return detect


def load_lingua() -> Callable[[str], str]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = {"no": ("NB", "NN")}
    names = [code for lang in LANGUAGES for code in codes.get(lang, (lang,))]
    isos = [getattr(IsoCode639_1, code.upper()) for code in names]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()

    def detect(text: str) -> str:
        language = detector.detect_language_of(text)
        if language is None:
            return "?"
        code = language.iso_code_639_1.name.lower()
        return "no" if code in ("nb", "nn") else code

    return detect


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    loaders = {"py3langid": load_py3langid, "lingua": load_lingua}
    rows = corpus()
    for name, load in loaders.items():
        if (which and name != which) or importlib.util.find_spec(name) is None:
            continue
        before = rss_mb()
        started = time.perf_counter()
        detect = load()
        detect("warm up the model")  # lingua loads its models lazily
        load_seconds = time.perf_counter() - started
        by_kind: dict[str, list[bool]] = {}
        timings: dict[str, list[float]] = {}
        misses: list[str] = []
        for language, kind, text in rows:
            t0 = time.perf_counter()
            got = detect(text)
            timings.setdefault(kind, []).append(time.perf_counter() - t0)
            by_kind.setdefault(kind, []).append(got == language)
            by_kind.setdefault(f"{kind}:{language}", []).append(got == language)
            if got != language:
                misses.append(f"{language}->{got} {text[:40]!r}")
        print(
            f"## {name}: load {load_seconds:.2f} s, +{rss_mb() - before:.0f} MB RSS, "
            f"installed {size_mb(name if name != 'lingua' else 'lingua'):.1f} MB"
        )
        for kind, hits in sorted(by_kind.items()):
            print(f"  {kind:12} {sum(hits):3}/{len(hits):<3} {100 * sum(hits) / len(hits):5.1f} %")
        for kind, seconds in sorted(timings.items()):
            print(
                f"  time {kind:7} median {1000 * statistics.median(seconds):.2f} ms, "
                f"max {1000 * max(seconds):.2f} ms"
            )
        for miss in misses[:12]:
            print("  miss", miss)


if __name__ == "__main__":
    main()
