"""Text-line direction: PP-OCR's line classifier says whether a line image is upright or
upside down.

The classifier (``ch_ppocr_mobile_v2.0_cls``, 0.6 MB, shipped inside the ``rapidocr`` wheel) was
trained by PaddleOCR on Chinese and Latin text lines to tell 0° from 180°. It looks at the
glyphs themselves, so it works for scripts without ascenders (Chinese, Japanese) and is not
swayed by specks, stamps or strokes the way an ink-profile statistic is. It runs here on
onnxruntime directly, apart from any OCR engine, so orientation does not depend on which
engine reads the page; about a millisecond per line on one core.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

#: The model file inside the ``rapidocr`` package.
MODEL_NAME = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
#: The model's input: 3 channels, 48 pixels high, at most 192 wide (padded).
_HEIGHT, _WIDTH = 48, 192


class DirectionClassifier:
    """The line classifier on onnxruntime (one thread: it is small, and pages already run
    in parallel). ``upside_down`` is safe to call from several threads (a lock)."""

    def __init__(self, model: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()

    def upside_down(self, lines: Sequence[np.ndarray]) -> np.ndarray:
        """For each grey line image (dark text on light, any size), the probability that it
        is upside down (0.0 .. 1.0). An empty sequence gives an empty array."""
        if not lines:
            return np.zeros(0, dtype=np.float32)
        batch = np.stack([_normalised(line) for line in lines])
        with self._lock:
            (probabilities,) = self._session.run(None, {self._input: batch})
        # Columns are the labels "0" and "180", as softmax probabilities.
        return np.asarray(probabilities, dtype=np.float32)[:, 1]


def model_path() -> Path | None:
    """Where the classifier model is installed, or None when ``rapidocr`` is not."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "models" / MODEL_NAME
    return path if path.is_file() else None


@functools.cache
def _load() -> DirectionClassifier | None:
    path = model_path()
    if path is None or importlib.util.find_spec("onnxruntime") is None:
        return None
    return DirectionClassifier(path)


_loading = threading.Lock()


def get_classifier() -> DirectionClassifier | None:
    """The process-wide classifier, loaded on first use (tens of milliseconds); None when its
    model or onnxruntime is not installed (then orientation falls back to ink profiles)."""
    with _loading:
        return _load()


def _normalised(line: np.ndarray) -> np.ndarray:
    """A grey line as the model's input: 48 px high, aspect kept up to 192 px wide, values
    to -1 .. 1, the rest padded with 0 (as PaddleOCR pads)."""
    height, width = line.shape[:2]
    resized_width = min(_WIDTH, max(1, int(np.ceil(_HEIGHT * width / max(height, 1)))))
    resized = cv2.resize(line, (resized_width, _HEIGHT), interpolation=cv2.INTER_LINEAR)
    values = resized.astype(np.float32) / 127.5 - 1.0
    padded = np.zeros((3, _HEIGHT, _WIDTH), dtype=np.float32)
    padded[:, :, :resized_width] = values[np.newaxis]
    return padded
