"""archive.search.textnorm: accent folding and CJK bigrams, the same for index and query."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archive.search.textnorm import (
    cjk_terms,
    flow_text,
    flow_with_offsets,
    fold,
    index_text,
    query_words,
)


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


def test_words_hyphenated_at_a_line_end_are_joined_and_their_parts_kept_after():
    text = index_text("Dubrovnik has weath-\nered   the storms; they be- \n lieve it")
    flow, _, extras = text.partition("\n")
    assert flow.split() == [
        "Dubrovnik",
        "has",
        "weathered",
        "the",
        "storms;",
        "they",
        "believe",
        "it",
    ]
    assert extras.split() == ["weath-ered", "be-lieve"]


def test_mid_line_hyphens_and_number_ranges_are_not_joined():
    assert index_text("an e-mail from 2019-\n2020") == "an e-mail from 2019-\n2020"


def test_compound_tokens_are_split_in_the_flow_and_kept_whole_after():
    text = index_text("The duck/goose, (invoice@shop.com) www.shop.com/orders 3.11.2024 fox")
    flow, _, extras = text.partition("\n")
    assert flow == "The duck goose, (invoice shop com) www shop com orders 3 11 2024 fox"
    assert extras.split() == ["duck/goose", "invoice@shop.com", "www.shop.com/orders", "3.11.2024"]


def test_spaced_number_groups_get_their_joined_form():
    text = index_text("IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111")
    assert text.split("\n")[-1].split() == ["DE89370400440532013000", "4111111111111111"]


def test_query_words_are_the_parts_the_flow_holds():
    assert query_words("duck/goose") == ["duck", "goose"]
    assert query_words("invoice@shop.com") == ["invoice", "shop", "com"]
    assert query_words("12/2024") == ["12", "2024"]
    assert query_words("Préalable") == ["Prealable"]


def test_flow_offsets_map_each_folded_character_back_to_the_original():
    text = "Straße: weath-\nered é"
    flow, offsets = flow_with_offsets(text)
    assert flow == "Strasse: weathered e"
    assert len(offsets) == len(flow) + 1
    assert text[offsets[flow.index("weathered")] : offsets[flow.index("weathered") + 9]] == (
        "weath-\nered"
    )
    assert text[offsets[4] : offsets[6]] == "ß"
    assert text[offsets[-2] : offsets[-1]] == "é"


@given(st.text(alphabet=st.sampled_from("ab1ßéÉ漢字- \n\t/.@,:_\u0301\u00ad"), max_size=40))
def test_flow_with_offsets_is_the_indexed_flow_and_maps_every_character(text):
    flow, offsets = flow_with_offsets(text)
    assert flow == flow_text(text)
    assert len(offsets) == len(flow) + 1
    assert offsets == sorted(offsets)
    assert offsets[-1] == len(text)
    assert all(0 <= offset < len(text) for offset in offsets[:-1])
