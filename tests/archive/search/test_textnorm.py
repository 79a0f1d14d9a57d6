"""archive.search.textnorm: accent folding and CJK bigrams, the same for index and query."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archive.search.textnorm import cjk_terms, fold, index_text


def test_fold_removes_accents_and_special_letters():
    assert fold("Français Müller Ærø straße Œuvre") == "Francais Muller AEro strasse OEuvre"


def test_fold_keeps_cjk_and_hangul_intact():
    assert fold("한국어 がぎ 漢字") == "한국어 がぎ 漢字"


def test_cjk_runs_become_adjacent_bigrams_then_single_characters():
    assert cjk_terms("扫描图像") == ["扫描", "描图", "图像"]
    assert cjk_terms("图") == ["图"]
    text = index_text("将扫描 OCR")
    assert text.split() == ["将扫", "扫描", "OCR", "将", "扫", "描"]


@given(st.text())
def test_fold_never_grows_non_cjk_text_unboundedly_and_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once
