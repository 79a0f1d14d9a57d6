"""Suggestions from the OCR text (issue 14), measured: document dates, the classifier, amounts.

Run: ``python -m bench.organize [dates|classifier|training] [--ocr] [--size N]``
(all sections by default). Prints tables; each section checks its answers against a reference
(the hand labels of ``tests/organize_labels.json``, the date written into a generated letter,
the known class of a synthetic document) beside the time.

- ``dates``: precision and recall of the suggested document date, this project's parser
  (``archive.organize.dates``) against ``dateparser.search.search_dates`` given the same
  language, day/month order and the same choice rule (first date neither far future nor before
  1900), on the labelled documents and on generated letters in 14 languages (``--ocr`` adds
  the labelled documents without ground truth, read by the OCR engine).
- ``classifier``: leave-one-out accuracy of type and correspondent suggestions on the labelled
  documents, against the majority class of the same training fold.
- ``training``: training time, stored size and prediction time for ``--size`` (10,000)
  synthetic filed documents made of real words, and held-out accuracy as the answer check.
"""

from __future__ import annotations

import argparse
import datetime
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence

from archive.organize.classifier import Classifier, TrainingDoc
from archive.organize.dates import FUTURE_SLACK, MIN_YEAR, find_document_date
from bench.organize_corpus import DatedLetter, Labelled, dated_letters, filed_archive, labelled

DateFinder = Callable[[Sequence[str], str, datetime.date], datetime.date | None]


def own_finder(pages: Sequence[str], language: str, today: datetime.date) -> datetime.date | None:
    found = find_document_date(pages, language, today=today)
    return found.value if found else None


def dateparser_finder() -> DateFinder:
    from dateparser.search import search_dates

    def find(pages: Sequence[str], language: str, today: datetime.date) -> datetime.date | None:
        settings = {
            "DATE_ORDER": "MDY"
            if language == "en"
            else "YMD"
            if language in ("zh", "ja")
            else "DMY",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RELATIVE_BASE": datetime.datetime.combine(today, datetime.time()),
        }
        code = "nb" if language == "no" else language  # dateparser's Norwegian is Bokmål
        for page in pages:
            try:
                found = search_dates(page, languages=[code], settings=settings) or []
            except Exception:  # dateparser raises on some inputs; count as nothing found
                found = []
            for written, moment in found:
                if not any(ch.isdigit() for ch in written):
                    continue  # "hier", "demain": relative to the run, never a document's date
                value = moment.date()
                if value.year >= MIN_YEAR and value <= today + FUTURE_SLACK:
                    return value
        return None

    return find


def score(
    finder: DateFinder,
    cases: Sequence[tuple[str, Sequence[str], datetime.date | None]],
    today: datetime.date,
) -> tuple[int, int, int, float, list[str]]:
    """(correct, suggested, labelled with a date, median ms, misses)."""
    correct = suggested = dated = 0
    times: list[float] = []
    misses: list[str] = []
    for name, pages, truth in cases:
        started = time.perf_counter()
        got = finder(pages, name.split(":")[0], today)
        times.append(time.perf_counter() - started)
        dated += truth is not None
        suggested += got is not None
        correct += got is not None and got == truth
        if got != truth:
            misses.append(f"{name}: got {got}, labelled {truth}")
    return correct, suggested, dated, 1000 * statistics.median(times), misses


def dates_section(ocr: bool) -> None:
    today = datetime.date.today()
    docs = [d for d in labelled(ocr=ocr) if d.pages is not None]
    labelled_cases = [(f"{d.language}:{d.id}", d.pages or (), d.date) for d in docs]
    letters = dated_letters(today)
    letter_cases = [(f"{x.language}:{x.fmt}:{x.trap}", x.pages, x.date) for x in letters]
    finders: dict[str, DateFinder] = {"own parser": own_finder}
    try:
        finders["dateparser"] = dateparser_finder()
    except ImportError:
        print("(dateparser not installed: pip install dateparser to compare)")
    print(
        f"## Document date ({len(docs)} labelled documents with text, "
        f"{sum(d.date is not None for d in docs)} carry a date; {len(letters)} generated "
        "letters in 14 languages)"
    )
    print("| set | parser | precision | recall | suggested | correct | dated | median ms/doc |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for set_name, cases in (("labelled", labelled_cases), ("generated", letter_cases)):
        for name, finder in finders.items():
            correct, suggested, dated, ms, misses = score(finder, cases, today)
            precision = correct / suggested if suggested else 1.0
            recall = correct / dated if dated else 1.0
            print(
                f"| {set_name} | {name} | {precision:.3f} | {recall:.3f} | {suggested} | "
                f"{correct} | {dated} | {ms:.2f} |"
            )
            for miss in misses[:8] if set_name == "labelled" or name == "own parser" else []:
                print(f"|   miss | {name} | {miss} | | | | | |")
    _per_language(letters, finders, today)


def _per_language(
    letters: Sequence[DatedLetter], finders: dict[str, DateFinder], today: datetime.date
) -> None:
    print("\n| language | " + " | ".join(f"{n} P / R" for n in finders) + " |")
    print("|---|" + "---:|" * len(finders))
    for language in dict.fromkeys(x.language for x in letters):
        cells = []
        for finder in finders.values():
            cases = [
                (f"{x.language}:{x.fmt}", x.pages, x.date)
                for x in letters
                if x.language == language
            ]
            correct, suggested, dated, _, _ = score(finder, cases, today)
            cells.append(f"{correct / max(suggested, 1):.2f} / {correct / max(dated, 1):.2f}")
        print(f"| {language} | " + " | ".join(cells) + " |")


def classifier_section(ocr: bool) -> None:
    docs = [d for d in labelled(ocr=ocr) if d.pages is not None]
    print(f"\n## Leave-one-out on the labelled documents ({len(docs)} with text)")
    print(
        "| field | classifier | majority baseline | learnable (class seen in the other docs) "
        "| classifier on learnable | suggestions with confidence ≥ 0.5: right / made |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for field in ("type", "correspondent"):
        right = base = learnable = right_learnable = sure = sure_right = 0
        for held_out, doc in enumerate(docs):
            rest = [d for i, d in enumerate(docs) if i != held_out]
            names = sorted(
                {v for d in docs for f in ("type", "correspondent") if (v := _field(d, f))}
            )
            ids = {name: number for number, name in enumerate(names, start=1)}
            training = [_training(d, ids) for d in rest]
            prediction = Classifier.train(training).predict("\n".join(doc.pages or ()))
            got = prediction.document_type if field == "type" else prediction.correspondent
            truth = ids.get(_field(doc, field) or "")
            got_id = got[0] if got else None
            right += got_id == truth
            majority = Counter(_field(d, field) for d in rest).most_common(1)[0][0]
            base += majority == _field(doc, field)
            seen = any(_field(d, field) == _field(doc, field) for d in rest)
            learnable += seen
            right_learnable += seen and got_id == truth
            if got and got[1] >= 0.5:
                sure += 1
                sure_right += got_id == truth
        n = len(docs)
        print(
            f"| {field} | {right}/{n} = {right / n:.2f} | {base}/{n} = {base / n:.2f} | "
            f"{learnable} | {right_learnable}/{learnable} = "
            f"{right_learnable / max(learnable, 1):.2f} | {sure_right}/{sure} |"
        )


def _field(doc: Labelled, field: str) -> str | None:
    return doc.type if field == "type" else doc.correspondent


def _training(doc: Labelled, ids: dict[str, int]) -> TrainingDoc:
    return TrainingDoc(
        "\n".join(doc.pages or ()),
        ids.get(doc.correspondent or ""),
        ids.get(doc.type),
        frozenset(),
    )


def training_section(size: int) -> None:
    held = max(size // 5, 200)
    docs = filed_archive(size + held)
    train, test = docs[:size], docs[size:]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Classifier.train(train[:50])  # imports scikit-learn once, as a worker process does
    started, cpu = time.perf_counter(), time.process_time()
    classifier = Classifier.train(train)
    train_seconds, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    started = time.perf_counter()
    data = classifier.dumps()
    dump_ms = 1000 * (time.perf_counter() - started)
    started = time.perf_counter()
    loaded = Classifier.loads(data)
    load_ms = 1000 * (time.perf_counter() - started)
    times = []
    right_c = right_t = tag_tp = tag_fp = tag_fn = 0
    confident: list[bool] = []  # correspondent suggestions with confidence >= 0.9: right?
    for doc in test:
        started = time.perf_counter()
        prediction = loaded.predict(doc.text)
        times.append(time.perf_counter() - started)
        right_c += bool(
            prediction.correspondent and prediction.correspondent[0] == doc.correspondent
        )
        right_t += bool(
            prediction.document_type and prediction.document_type[0] == doc.document_type
        )
        if prediction.correspondent and prediction.correspondent[1] >= 0.9:
            confident.append(prediction.correspondent[0] == doc.correspondent)
        got = {tag for tag, _ in prediction.tags}
        tag_tp += len(got & doc.tags)
        tag_fp += len(got - doc.tags)
        tag_fn += len(doc.tags - got)
    majority_c = Counter(d.correspondent for d in train).most_common(1)[0][0]
    majority_t = Counter(d.document_type for d in train).most_common(1)[0][0]
    base_c = sum(d.correspondent == majority_c for d in test) / len(test)
    base_t = sum(d.document_type == majority_t for d in test) / len(test)
    n = len(test)
    print(
        f"\n## Training on {size:,} synthetic filed documents (real words; 50 correspondents, "
        f"12 types, 20 tags), {n:,} held out"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| training time, wall (CPU) | {train_seconds:.1f} s ({train_cpu:.1f} s) |")
    print(f"| peak memory added while training | {peak:.0f} MB |")
    print(f"| stored size (dumps) | {len(data) / 1e6:.2f} MB |")
    print(f"| dumps / loads | {dump_ms:.0f} ms / {load_ms:.0f} ms |")
    print(
        f"| predict, median / p95 | {1000 * statistics.median(times):.2f} ms / "
        f"{1000 * sorted(times)[int(0.95 * len(times))]:.2f} ms |"
    )
    print(f"| correspondent accuracy (baseline) | {right_c / n:.3f} ({base_c:.3f}) |")
    print(f"| type accuracy (baseline) | {right_t / n:.3f} ({base_t:.3f}) |")
    precision = tag_tp / max(tag_tp + tag_fp, 1)
    recall = tag_tp / max(tag_tp + tag_fn, 1)
    print(f"| tags precision / recall | {precision:.3f} / {recall:.3f} |")
    print(
        f"| correspondent suggestions with confidence ≥ 0.9: share, accuracy | "
        f"{len(confident) / n:.3f}, {sum(confident) / max(len(confident), 1):.3f} |"
    )
    # The reference: each synthetic document's known class. A correspondent or type is told
    # by about 4 of its 6 (or 3 of its 4) words among 150 random ones.
    ok = right_c / n > 0.85 and right_t / n > 0.85 and right_c / n > 5 * base_c
    print(f"| answer check (accuracy > 0.85 and > 5x baseline) | {'OK' if ok else 'FAIL'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=["dates", "classifier", "training"])
    parser.add_argument("--ocr", action="store_true", help="OCR labelled files without text")
    parser.add_argument("--size", type=int, default=10_000, help="documents to train on")
    args = parser.parse_args()
    if "dates" in args.sections:
        dates_section(args.ocr)
    if "classifier" in args.sections:
        classifier_section(args.ocr)
    if "training" in args.sections:
        training_section(args.size)


if __name__ == "__main__":
    main()
