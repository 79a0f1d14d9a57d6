"""Documents for ``bench/organize.py``: the hand-labelled test data, generated dated letters in
every language, and a synthetic archive of 10,000 filed documents built from real text.

- ``labelled()``: ``tests/organize_labels.json`` with the text of each document (its ground
  truth; with ``ocr=True`` the project's OCR engine reads those without one, cached under
  ``var/bench/organize-ocr``).
- ``dated_letters()``: letters written here in 14 languages, each with a date in one of the
  formats of its language, filler from the real ground-truth texts, and (for half) a trap
  before the date: an IBAN, an invoice number built from a date, a far-future due date, a
  date before 1900; some with an OCR misread year (``2O24``); some with no date at all.
  They are generated from the formats the issue names, so they test coverage of those
  formats and traps, not the unknown formats of unseen documents (the labelled set does).
- ``filed_archive()``: documents made of real words from the test data, each from one of 50
  correspondents (a name and a few words of its own, each present with probability 0.7), of
  one of 12 types (a few words of its own) and with 0-3 of 20 tags (tag words appear with
  probability 0.5), plus 150 random words; the truth is known, so held-out accuracy checks
  the answers beside the time.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from archive.organize.classifier import TrainingDoc

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "organize_labels.json"
TESTDATA = ROOT.parent.parent / "shared" / "testdata"
if not TESTDATA.exists():
    TESTDATA = Path("/work/shared/testdata")
OCR_CACHE = ROOT / "var" / "bench" / "organize-ocr"


@dataclass(frozen=True)
class Labelled:
    id: str
    language: str
    type: str
    correspondent: str | None
    date: datetime.date | None
    pages: tuple[str, ...] | None  # None: no text (no ground truth and no OCR asked)
    text_source: str  # "ground truth", "ocr" or "none"


def labelled(*, ocr: bool = False) -> list[Labelled]:
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    out: list[Labelled] = []
    for row in data["documents"]:
        pages: tuple[str, ...] | None = None
        source = "none"
        if row["text"]:
            text = (TESTDATA / row["text"]).read_text(encoding="utf-8")
            pages = (text.replace("~~~", ""),)  # upstream's mark for an unreadable word
            source = "ground truth"
        elif ocr:
            pages = _ocr_pages(TESTDATA / row["file"], row["language"])
            source = "ocr"
        date = datetime.date.fromisoformat(row["date"]) if row["date"] else None
        out.append(
            Labelled(
                row["id"], row["language"], row["type"], row["correspondent"], date, pages, source
            )
        )
    return out


def _ocr_pages(path: Path, language: str) -> tuple[str, ...]:
    """The pages of ``path`` as the default OCR engine reads them, cached (OCR is slow)."""
    OCR_CACHE.mkdir(parents=True, exist_ok=True)
    cache = OCR_CACHE / f"{path.name}.json"
    if cache.exists():
        return tuple(json.loads(cache.read_text(encoding="utf-8")))
    import ocr

    try:
        result = ocr.recognize(path, languages=[language])
    except ocr.UnsupportedLanguage:  # the default engine reads de, en, fr, zh
        result = ocr.recognize(path)
    pages = [page.text for page in result.pages]
    cache.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    return tuple(pages)


def real_texts() -> dict[str, list[str]]:
    """Ground-truth texts of the test data by language (pages and lines)."""
    import csv

    texts: dict[str, list[str]] = {}
    with (TESTDATA / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            text = (TESTDATA / row["set"] / row["ground_truth"]).read_text(encoding="utf-8")
            texts.setdefault(row["lang"].split(",")[0], []).append(text.replace("~~~", ""))
    return texts


# ---------------------------------------------------------------------------- dated letters

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "no": "januar februar mars april mai juni juli august september oktober november desember",
    "fi": "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta "
    "elokuuta syyskuuta lokakuuta marraskuuta joulukuuta",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}


def _month(language: str, date: datetime.date) -> str:
    return _MONTHS[language].split()[date.month - 1]


def _formats(language: str) -> list[str]:
    """Format names of ``language``: rendered by ``render``."""
    common = {
        "en": ["d Month yyyy", "Month d, yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "Mon d, yyyy"],
        "de": ["dd.mm.yyyy", "d. Month yyyy", "dd.mm.yy", "yyyy-mm-dd"],
        "fr": ["dd/mm/yyyy", "d Month yyyy", "dd.mm.yyyy"],
        "es": ["dd/mm/yyyy", "d de Month de yyyy"],
        "it": ["dd/mm/yyyy", "d Month yyyy"],
        "pt": ["dd/mm/yyyy", "d de Month de yyyy"],
        "nl": ["dd-mm-yyyy", "d Month yyyy"],
        "sv": ["yyyy-mm-dd", "d Month yyyy"],
        "da": ["dd.mm.yyyy", "d. Month yyyy"],
        "no": ["dd.mm.yyyy", "d. Month yyyy"],
        "fi": ["d.m.yyyy", "d. Month yyyy"],
        "ru": ["dd.mm.yyyy", "d Month yyyy г."],
        "zh": ["yyyy年m月d日", "yyyy-mm-dd", "yyyy/mm/dd"],
        "ja": ["yyyy年m月d日", "era", "yyyy/mm/dd"],
    }
    return common[language]


def render(fmt: str, language: str, date: datetime.date) -> str:
    d, m, y = date.day, date.month, date.year
    table = {
        "d Month yyyy": f"{d} {_month(language, date) if language in _MONTHS else ''} {y}",
        "d. Month yyyy": f"{d}. {_month(language, date) if language in _MONTHS else ''} {y}",
        "Month d, yyyy": f"{_month('en', date)} {d}, {y}",
        "Mon d, yyyy": f"{_month('en', date)[:3]} {d}, {y}",
        "mm/dd/yyyy": f"{m:02}/{d:02}/{y}",
        "dd/mm/yyyy": f"{d:02}/{m:02}/{y}",
        "dd.mm.yyyy": f"{d:02}.{m:02}.{y}",
        "dd-mm-yyyy": f"{d:02}-{m:02}-{y}",
        "dd.mm.yy": f"{d:02}.{m:02}.{y % 100:02}",
        "d.m.yyyy": f"{d}.{m}.{y}",
        "yyyy-mm-dd": f"{y}-{m:02}-{d:02}",
        "yyyy/mm/dd": f"{y}/{m:02}/{d:02}",
        "d de Month de yyyy": f"{d} de {_month(language, date) if language in _MONTHS else ''} "
        f"de {y}",
        "d Month yyyy г.": f"{d} {_month(language, date) if language in _MONTHS else ''} {y} г.",
        "yyyy年m月d日": f"{y}年{m}月{d}日",
        "era": f"令和{y - 2018}年{m}月{d}日" if y >= 2019 else f"平成{y - 1988}年{m}月{d}日",
    }
    return table[fmt]


_FILLER_FALLBACK = {"zh": "ja", "ja": "ja"}


@dataclass(frozen=True)
class DatedLetter:
    language: str
    fmt: str
    trap: str
    pages: tuple[str, ...]
    date: datetime.date | None


def dated_letters(
    today: datetime.date, *, per_format: int = 12, seed: int = 7
) -> list[DatedLetter]:
    rng = random.Random(seed)
    texts = real_texts()
    english = texts.get("en", [""])
    zh_ja = [
        "本发明涉及一种文件扫描和存档系统，用户可以在浏览器中上传扫描件。",
        "ご利用いただきありがとうございます。下記のとおりご請求申し上げます。",
        "今天天气很好，我们去公园散步，然后在附近的饭店吃了午饭。",
    ]
    letters: list[DatedLetter] = []
    for language in ["en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "ru",
                     "zh", "ja"]:  # fmt: skip
        pool = zh_ja if language in ("zh", "ja") else texts.get(language) or english
        formats = _formats(language)
        for fmt in formats:
            for number in range(per_format):
                date = _random_date(rng, today, era=fmt == "era")
                trap = ["none", "iban", "invoice number", "far future", "before 1900"][number % 5]
                if fmt == "dd.mm.yy" and trap in ("far future", "before 1900"):
                    trap = "iban"  # a two-digit year cannot be far future or before 1900
                lines = [_filler(rng, pool, 200)]
                if trap == "iban":
                    lines.append("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX")
                elif trap == "invoice number":
                    other = _random_date(rng, today)
                    lines.append(f"No. RE-{other:%Y-%m-%d}-{rng.randint(1, 9999):04}")
                elif trap == "far future":
                    lines.append(render(fmt, language, date.replace(year=rng.randint(2090, 2150))))
                elif trap == "before 1900":
                    lines.append(render(fmt, language, _pre1900(rng, fmt)))
                written = render(fmt, language, date)
                if number % 4 == 3 and str(date.year) in written:
                    written = written.replace(str(date.year), str(date.year).replace("0", "O", 1))
                lines.append(written)
                lines.append(_filler(rng, pool, 600))
                letters.append(DatedLetter(language, fmt, trap, ("\n".join(lines),), date))
        for number in range(per_format):
            # No date of its own: only traps and filler.
            trap = ["iban", "invoice number", "far future", "before 1900"][number % 4]
            fmt = formats[number % len(formats)]
            if fmt == "dd.mm.yy":
                fmt = formats[0]
            lines = [_filler(rng, pool, 400)]
            if trap == "iban":
                lines.append("IBAN FR76 3000 6000 0112 3456 7890 189")
            elif trap == "invoice number":
                lines.append(f"Ref. {_random_date(rng, today):%Y%m%d}-{rng.randint(1, 99)}")
            elif trap == "far future":
                lines.append(render(fmt, language, _random_date(rng, today).replace(year=2099)))
            else:
                lines.append(render(fmt, language, _pre1900(rng, fmt)))
            lines.append(_filler(rng, pool, 400))
            letters.append(DatedLetter(language, "no date", trap, ("\n".join(lines),), None))
    return letters


def _pre1900(rng: random.Random, fmt: str) -> datetime.date:
    if fmt == "era":  # rendered as Heisei: 1850 gives a negative era year, no date
        return datetime.date(1850, 1, 1)
    return datetime.date(rng.randint(1700, 1899), rng.randint(1, 12), rng.randint(1, 28))


def _random_date(rng: random.Random, today: datetime.date, *, era: bool = False) -> datetime.date:
    start = datetime.date(2019 if era else 1990, 5, 1)
    return start + datetime.timedelta(days=rng.randint(0, (today - start).days))


def _filler(rng: random.Random, pool: list[str], length: int) -> str:
    text = rng.choice(pool)
    text = re.sub(r"\d", "", text)  # the filler's own numbers would be dates of their own
    start = rng.randint(0, max(0, len(text) - length))
    return text[start : start + length]


# ---------------------------------------------------------------------------- filed archive


def _word_pool() -> list[str]:
    words: set[str] = set()
    for texts in real_texts().values():
        for text in texts:
            words.update(w for w in re.findall(r"[^\W\d_]{3,}", text))
    return sorted(words)


def filed_archive(
    count: int, *, correspondents: int = 50, types: int = 12, tags: int = 20, seed: int = 3
) -> list[TrainingDoc]:
    rng = random.Random(seed)
    pool = _word_pool()
    signature = {c: rng.sample(pool, 6) for c in range(1, correspondents + 1)}
    type_words = {t: rng.sample(pool, 4) for t in range(1, types + 1)}
    tag_words = {t: rng.sample(pool, 3) for t in range(1, tags + 1)}
    docs: list[TrainingDoc] = []
    for _ in range(count):
        correspondent = rng.randint(1, correspondents)
        doc_type = rng.randint(1, types)
        doc_tags = frozenset(rng.sample(range(1, tags + 1), rng.randint(0, 3)))
        words = rng.choices(pool, k=150)
        words += [w for w in signature[correspondent] if rng.random() < 0.7]
        words += [w for w in type_words[doc_type] if rng.random() < 0.7]
        words += [w for t in doc_tags for w in tag_words[t] if rng.random() < 0.5]
        rng.shuffle(words)
        docs.append(TrainingDoc(" ".join(words), correspondent, doc_type, doc_tags))
    return docs
