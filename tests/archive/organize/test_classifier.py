"""The per-user classifier: learning, edge cases, storing and loading."""

from __future__ import annotations

import pytest

from archive.organize.classifier import Classifier, Prediction, TrainingDoc, tokens

UTILITY, SHOP, DOCTOR = 1, 2, 3
INVOICE, RECEIPT, LETTER = 10, 11, 12
TAX, HEALTH = 100, 101


def doc(text: str, correspondent: int | None, doc_type: int | None, *tags: int) -> TrainingDoc:
    return TrainingDoc(text, correspondent, doc_type, frozenset(tags))


DOCS = [
    doc("Stadtwerke München Stromrechnung Abschlag Verbrauch kWh", UTILITY, INVOICE, TAX),
    doc("Stadtwerke München Rechnung Strom Zählerstand kWh", UTILITY, INVOICE, TAX),
    doc("Stadtwerke München Jahresabrechnung Gas Verbrauch", UTILITY, INVOICE, TAX),
    doc("IKEA Kassenbon Regal Billy Lampe Summe", SHOP, RECEIPT),
    doc("IKEA receipt sofa table lamp total", SHOP, RECEIPT),
    doc("IKEA Kassenbon Kissen Teelichter Summe", SHOP, RECEIPT),
    doc("Praxis Dr. Schmidt Arztbrief Befund Diagnose", DOCTOR, LETTER, HEALTH),
    doc("Praxis Dr. Schmidt Befund Labor Blutbild Diagnose", DOCTOR, LETTER, HEALTH),
    doc("Einladung zum Sommerfest im Garten", None, LETTER),
]


def test_learns_correspondent_type_and_tags() -> None:
    classifier = Classifier.train(DOCS)
    assert classifier.trained_on == len(DOCS)
    utility = classifier.predict("Stadtwerke München Abrechnung Strom kWh")
    assert utility.correspondent is not None
    assert utility.correspondent[0] == UTILITY
    assert utility.document_type is not None
    assert utility.document_type[0] == INVOICE
    assert [tag for tag, _ in utility.tags] == [TAX]
    shop = classifier.predict("IKEA Kassenbon Summe")
    assert shop.correspondent is not None
    assert shop.correspondent[0] == SHOP
    assert shop.tags == ()
    doctor = classifier.predict("Dr. Schmidt Befund")
    assert doctor.correspondent is not None
    assert doctor.correspondent[0] == DOCTOR
    assert HEALTH in [tag for tag, _ in doctor.tags]
    for prediction in (utility, shop, doctor):
        for value in (prediction.correspondent, prediction.document_type):
            assert value is not None
            assert 0.0 < value[1] <= 1.0


def test_no_documents_predicts_nothing() -> None:
    classifier = Classifier.train([])
    assert classifier.trained_on == 0
    assert classifier.predict("anything") == Prediction(None, None, ())
    assert Classifier.loads(classifier.dumps()).predict("anything") == Prediction(None, None, ())


def test_documents_without_words_predict_nothing() -> None:
    classifier = Classifier.train([doc("12 34 56", UTILITY, INVOICE), doc("", SHOP, RECEIPT)])
    assert classifier.predict("12 34") == Prediction(None, None, ())


def test_a_single_class_is_not_guessed() -> None:
    docs = [
        doc("Stadtwerke Strom", UTILITY, INVOICE, TAX),
        doc("IKEA Regal", UTILITY, INVOICE, TAX),
    ]
    prediction = Classifier.train(docs).predict("Stadtwerke Strom")
    assert prediction == Prediction(None, None, ())


def test_classes_with_one_example_are_learned() -> None:
    docs = [
        doc("Finanzamt Steuerbescheid Einkommensteuer", 1, 10),
        doc("Krankenkasse Beitragsbescheinigung Versicherung", 2, 11),
        doc("Vermieter Nebenkostenabrechnung Wohnung Heizung", 3, 12),
    ]
    classifier = Classifier.train(docs)
    for number, text in enumerate(
        ["Steuerbescheid Finanzamt", "Versicherung Krankenkasse", "Heizung Wohnung"]
    ):
        prediction = classifier.predict(text)
        assert prediction.correspondent is not None
        assert prediction.correspondent[0] == number + 1
        assert prediction.document_type is not None
        assert prediction.document_type[0] == number + 10


def test_none_is_a_prediction_too() -> None:
    classifier = Classifier.train(DOCS)
    assert classifier.predict("Einladung Sommerfest Garten").correspondent is None


def test_dumps_and_loads_give_the_same_predictions() -> None:
    classifier = Classifier.train(DOCS)
    data = classifier.dumps()
    loaded = Classifier.loads(data)
    assert loaded.trained_on == classifier.trained_on
    for text in ["Stadtwerke Strom", "IKEA Regal", "Befund Diagnose", "", "nothing known"]:
        assert loaded.predict(text) == classifier.predict(text)


@pytest.mark.parametrize("data", [b"", b"not a model", b"PK\x03\x04garbage"])
def test_loads_refuses_other_bytes(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a stored classifier"):
        Classifier.loads(data)


def test_tokens_fold_drop_numbers_and_split_cjk() -> None:
    assert tokens("Müller STRASSE 12 x A4") == ["muller", "strasse", "a4"]
    assert tokens("東京電力") == ["東京", "京電", "電力"]


def test_a_tag_on_every_document_is_not_suggested() -> None:
    docs = [doc(d.text, d.correspondent, d.document_type, TAX) for d in DOCS]
    assert Classifier.train(docs).predict("Stadtwerke München Strom").tags == ()


def test_few_documents_do_not_make_certain_predictions() -> None:
    """A class filed n times is at most n/(n+1) sure: three utility bills, at most 0.75."""
    prediction = Classifier.train(DOCS).predict("Stadtwerke München Abrechnung Strom kWh")
    assert prediction.correspondent is not None
    assert 0.5 < prediction.correspondent[1] <= 0.75
    single = [
        doc("Finanzamt Steuerbescheid Einkommensteuer", 1, 10),
        doc("Krankenkasse Beitragsbescheinigung Versicherung", 2, 11),
    ]
    once = Classifier.train(single).predict("Finanzamt Steuerbescheid")
    assert once.correspondent is not None
    assert once.correspondent[1] <= 0.5


def test_more_documents_of_a_class_make_it_likelier() -> None:
    few = Classifier.train(DOCS).predict("Praxis Schmidt Befund")
    more_docs = [*DOCS, *(doc(f"Praxis Dr. Schmidt Befund {w}", DOCTOR, LETTER) for w in "abcdef")]
    more = Classifier.train(more_docs).predict("Praxis Schmidt Befund")
    assert few.correspondent is not None
    assert more.correspondent is not None
    assert more.correspondent[0] == few.correspondent[0] == DOCTOR
    assert more.correspondent[1] >= few.correspondent[1]
