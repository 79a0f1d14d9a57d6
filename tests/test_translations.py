"""The UI's translations (docs/languages.md): every string marked for translation in the
templates, the Python code and the scripts has a translation in each of the four catalogs; no
template text is left unmarked; each committed .mo file holds exactly its .po file; and every
translation keeps its message's placeholders.

The messages are found here without GNU gettext (CI does not install it): templates through
Django's own ``templatize`` (what ``makemessages`` feeds xgettext), Python through its syntax
tree, the scripts by their ``gettext(...)`` calls. The .po and .mo files are read with polib.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
#: Locale directories of the four translated languages (English is the source).
LANGUAGES = ("zh_Hans", "fr", "de", "es")
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
PYTHON = sorted(
    p for d in ("archive",) for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts
)
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))

#: (context, msgid, msgid_plural): one message as the catalogs key it.
Message = tuple[str | None, str, str | None]

_CALLS = {
    # name: (index of context, index of msgid, index of plural) among the call's arguments
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _message(name: str, args: Sequence[object]) -> Message | None:
    ctx_at, id_at, plural_at = _CALLS[name]
    if len(args) <= id_at or not isinstance(args[id_at], str):
        return None
    context = args[ctx_at] if ctx_at is not None else None
    plural = args[plural_at] if plural_at is not None else None
    assert context is None or isinstance(context, str)
    assert plural is None or isinstance(plural, str)
    return context, str(args[id_at]), plural


def python_messages(source: str) -> Iterator[Message]:
    """The messages of the translation calls with literal strings in Python ``source``."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        name = node.func.attr if isinstance(node.func, ast.Attribute) else name
        if name not in _CALLS:
            continue
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        found = _message(name, args)
        if found is not None:
            yield found


_CALL_START = re.compile(r"\b(n?p?gettext)\(")


def template_messages(source: str) -> Iterator[Message]:
    """The messages of a template, read from ``templatize``'s output: text replaced by X's,
    each message as a call ``gettext(u'…')``, ``ngettext(u'…', u'…', count)``,
    ``pgettext(u'ctx', u'…')`` whose arguments are Python literals."""
    out = templatize(source)
    for match in _CALL_START.finditer(out):
        end = match.end()
        while True:  # the shortest closing parenthesis that makes a whole call
            end = out.index(")", end) + 1
            try:
                call = ast.parse(out[match.start() : end], mode="eval").body
            except SyntaxError:
                continue
            break
        assert isinstance(call, ast.Call)
        args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
        found = _message(match.group(1), args)
        if found is not None:
            yield found


_JS_CALL = re.compile(r'\b(n?gettext)\(\s*"((?:[^"\\]|\\.)*)"(?:\s*,\s*"((?:[^"\\]|\\.)*)")?')


def script_messages(source: str) -> Iterator[Message]:
    """The messages of ``gettext("…")`` and ``ngettext("…", "…", n)`` in a script."""
    for match in _JS_CALL.finditer(source):
        plural = match.group(3) if match.group(1) == "ngettext" else None
        yield None, match.group(2), plural


def catalog(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def _translated(entry: polib.POEntry | polib.MOEntry) -> bool:
    if getattr(entry, "fuzzy", False) or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _keys(po: polib.POFile) -> dict[tuple[str | None, str], polib.POEntry]:
    return {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}


def _all_messages() -> dict[str, set[Message]]:
    found: dict[str, set[Message]] = {"django": set(), "djangojs": set()}
    for path in TEMPLATES:
        found["django"].update(template_messages(path.read_text()))
    for path in PYTHON:
        found["django"].update(python_messages(path.read_text()))
    for path in SCRIPTS:
        found["djangojs"].update(script_messages(path.read_text()))
    return found


def test_the_extractors_find_messages_of_each_kind() -> None:
    template = (
        "{% load i18n %}<p title=\"{% translate 'Hint' %}\">{% blocktranslate count counter=n %}"
        "{{ counter }} page{% plural %}{{ counter }} pages{% endblocktranslate %}"
        '{% translate "p." context "abbreviation" %}</p>'
    )
    assert set(template_messages(template)) == {
        (None, "Hint", None),
        (None, "%(counter)s page", "%(counter)s pages"),
        ("abbreviation", "p.", None),
    }
    python = 'x = _("A")\ny = ngettext("%(n)d b", "%(n)d bs", n)\nz = pgettext_lazy("c", "D")'
    assert set(python_messages(python)) == {
        (None, "A", None),
        (None, "%(n)d b", "%(n)d bs"),
        ("c", "D", None),
    }
    script = 'gettext("Waiting…"); ngettext("%s selected", "%s selected", n)'
    assert set(script_messages(script)) == {
        (None, "Waiting…", None),
        (None, "%s selected", "%s selected"),
    }


def test_the_ui_languages_are_the_five_with_a_catalog_each() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["en", "zh-hans", "fr", "de", "es"]
    assert {p.name for p in LOCALE.iterdir() if p.is_dir()} == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language: str) -> None:
    """No UI string untranslated: each message marked in the code is in the language's
    catalog, translated (every plural form) and not fuzzy."""
    problems = []
    for domain, messages in _all_messages().items():
        entries = _keys(catalog(language, domain))
        assert messages, domain
        for context, msgid, plural in sorted(messages, key=str):
            entry = entries.get((context, msgid))
            if entry is None:
                problems.append(f"{domain}: missing {msgid!r} (context {context!r})")
            elif not _translated(entry):
                problems.append(f"{domain}: untranslated {msgid!r}")
            elif plural and entry.msgid_plural != plural:
                problems.append(f"{domain}: plural of {msgid!r} is stale")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalog_header_is_complete(language: str, domain: str) -> None:
    po = catalog(language, domain)
    assert not po.metadata_is_fuzzy  # a fuzzy header is left out of the .mo: no plural rule
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"].startswith("nplurals=")


def _compiled(
    entries: list[polib.POEntry] | list[polib.MOEntry],
) -> dict[tuple[str | None, str], object]:
    out: dict[tuple[str | None, str], object] = {}
    for e in entries:
        if not e.msgid or not _translated(e):
            continue
        value = (
            (e.msgid_plural, tuple(sorted(e.msgstr_plural.items()))) if e.msgid_plural else e.msgstr
        )
        out[(e.msgctxt, e.msgid)] = value
    return out


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalog_matches_its_source(language: str, domain: str) -> None:
    """The committed .mo (what Django reads) holds exactly the .po's translations: a .po
    edited without running ``compilemessages`` fails here."""
    directory = LOCALE / language / "LC_MESSAGES"
    po = polib.pofile(str(directory / f"{domain}.po"))
    mo = polib.mofile(str(directory / f"{domain}.mo"))
    assert _compiled(list(mo)) == _compiled(list(po))
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfir]|%s")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    """A translation names the same placeholders as its message (a plural form may leave
    the number out), so formatting it can never fail or lose a value."""
    problems = []
    for domain in ("django", "djangojs"):
        for entry in catalog(language, domain):
            wanted = sorted(_PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for form in forms:
                got = sorted(_PLACEHOLDER.findall(form))
                if entry.msgid_plural:
                    ok = set(got) <= set(wanted) and set(wanted) - set(got) <= {"counter", "count"}
                else:
                    ok = got == wanted
                if not ok:
                    problems.append(f"{entry.msgid!r}: {form!r}")
    assert not problems, "\n".join(problems)


#: Attributes whose values people read (or hear, through a screen reader).
_READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "label", "hx-confirm"}
_WORD = re.compile(r"[^\W\d_]{2,}")
#: Text that stays as it is in every language: the product's name.
_UNTRANSLATED = {"Scan Archive"}


class _Text(HTMLParser):
    """The words of a template's markup outside tags, code examples and scripts, and those of
    its read attributes (each template tag or variable stands as a ``§``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _READ_ATTRIBUTES and value:
                self._take(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self._take(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._take(data)

    def _take(self, text: str) -> None:
        for kept in _UNTRANSLATED:
            text = text.replace(kept, "")
        self.words += _WORD.findall(text)


def unmarked_words(source: str) -> list[str]:
    """Words of ``source`` that no translation tag covers: its text with every template tag,
    variable and comment replaced by ``§``, and the text inside ``blocktranslate`` and
    ``comment`` blocks left out."""
    parts: list[str] = []
    inside = ""
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            if word in ("blocktranslate", "blocktrans", "comment"):
                inside = word
            elif word in ("endblocktranslate", "endblocktrans", "endcomment"):
                inside = ""
            parts.append("§")
        elif token.token_type is TokenType.TEXT and not inside:
            parts.append(token.contents)
        elif token.token_type is not TokenType.TEXT:
            parts.append("§")
    parser = _Text()
    parser.feed("".join(parts))
    parser.close()
    return parser.words


def test_the_unmarked_word_check_finds_hard_coded_text() -> None:
    assert unmarked_words('<p title="Remove">{% translate "Hello" %} {{ name }}</p>') == ["Remove"]
    assert unmarked_words("<h1>Hello</h1>") == ["Hello"]
    assert not unmarked_words('{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}<i alt="">')
    assert not unmarked_words("<code>tag:tax</code>{# note #}<b>{{ x }} · 3</b>")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_text_is_left_unmarked(path: Path) -> None:
    """Every word a template shows is inside a translation tag (user data comes in
    variables, search syntax examples in ``<code>``)."""
    assert unmarked_words(path.read_text()) == []
