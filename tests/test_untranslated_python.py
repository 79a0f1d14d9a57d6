"""No user-visible text left hard-coded in the Python code (issue 17, docs/languages.md).

The catalogs' completeness check (tests/test_translations.py) sees only text that is already
wrapped in ``gettext``; this test finds the text that is not, by walking the syntax tree of
every module of ``archive/`` (migrations left out) for the three ways a Python string reaches
a person:

(a) the message of ``messages.debug/info/success/warning/error(request, message)``;
(b) the message of an error that is shown to the user: the first positional argument of
    ``raise SomeError(message, ...)`` for the classes in ``USER_ERRORS`` (each is caught by a
    view or the API and its message shown as it is: a flash message, a form error, a JSON
    ``detail``);
(c) the message a document-panel ``change`` callback in ``archive/views`` returns (shown as
    the flash message after a metadata change).

Flagged is a string literal with words, an f-string, ``"…" % x``, ``"…".format(…)``, or
``format_html`` with such a format; a ``gettext(...)`` call (or a variable: it is checked
where it is made) passes. Operator-facing text stays English by design and is not checked:
``CommandError`` and ``BackupError`` (management commands' output for whoever runs them on
the server) and errors that are faults of the app (``ValueError``, ``RuntimeError``, …, which
are logged and answered with the error page, see ``archive/errors.py``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sorted(p for p in (ROOT / "archive").rglob("*.py") if "migrations" not in p.parts)

#: Error classes whose message is shown to the user as it is (how each reaches the user).
USER_ERRORS = {
    "UserError",  # archive/errors.py: a refusal shown as a form message or an API detail
    "QueueFull",  # a UserError; the upload page's message, the API's 429 detail
    "CodeRefused",  # a UserError; the two-factor form's error
    "OrganizeError",  # the document panel's message, the organize pages, the API's 400
    "RuleError",  # a matching rule's form error, the API's 400 on a tag/correspondent
    "FilterError",  # the library's facet filter message, the API's 400 on filter=
    "QueryError",  # the search page's message under the box, the API's 400 on q=
    "QueryTooExpensive",  # the search page's message, the API's 400
    "BadCursor",  # the search page's and shared page's message, the API's 400
    "UploadRejected",  # the upload form's error per file, the API's 400
    "OverLimit",  # an UploadRejected: the upload form, the API's 429
    "OcrFileRejected",  # the OCR import form's error, the API's 400
    "OcrRequestRejected",  # the OCR service API's JSON error
    "ExportUnavailable",  # the document page's message when a PDF/OCR file cannot be made
    "ExportFailed",  # an ExportUnavailable, kept in Document.searchable_pdf_error (see ALLOWED)
    "ValidationError",  # Django forms' and DRF's: a form error, the API's 400 body
}

#: Literals that look user-visible by the rules above but are not, each with the reason.
#: Keyed by (path relative to the repository, the literal's text).
ALLOWED: dict[tuple[str, str], str] = {
    # A searchable PDF's build failure is made by the worker, outside any request (so in no
    # user's language), and stored as text in Document.searchable_pdf_error for the download
    # to show later. Translating it needs a stored code instead of the text (and a
    # migration): left for a later change.
    ("archive/exports.py", "The original cannot be read: {}"): "worker, stored text",
    (
        "archive/exports.py",
        "The searchable PDF could not be made from this file ({}). "
        "The original can still be downloaded.",
    ): "worker, stored text",
}

_WORD = re.compile(r"[^\W\d_]{2,}")
_MESSAGE_FUNCTIONS = {"debug", "info", "success", "warning", "error"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literal_text(node: ast.expr) -> str | None:
    """The English text of ``node`` when it is written in the code rather than translated:
    a literal with words, an f-string, ``"…" % x``, ``"…".format(…)``, ``format_html("…")``;
    None for anything else (a ``gettext`` call, a variable, …)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _WORD.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return text if _WORD.search(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _literal_text(node.left)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return _literal_text(node.func.value)
        if _name(node.func) == "format_html" and node.args:
            return _literal_text(node.args[0])
    if isinstance(node, ast.Dict):  # ValidationError({"field": ["message"]})
        for value in node.values:
            found = _literal_text(value) if value is not None else None
            if found:
                return found
    if isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            found = _literal_text(item)
            if found:
                return found
    return None


def _change_callbacks(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "change":
            yield node


def hard_coded(source: str, path: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each user-visible literal of ``source`` not wrapped in gettext."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        found: str | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (
                node.func.attr in _MESSAGE_FUNCTIONS
                and _name(owner) == "messages"
                and len(node.args) >= 2
            ):
                found = _literal_text(node.args[1])
        elif (
            isinstance(node, ast.Raise)
            and isinstance(node.exc, ast.Call)
            and _name(node.exc.func) in USER_ERRORS
            and node.exc.args
        ):
            found = _literal_text(node.exc.args[0])
        if found is not None and isinstance(node, ast.stmt | ast.expr):
            yield node.lineno, found
    if path.startswith("archive/views/"):
        for function in _change_callbacks(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Return) and node.value is not None:
                    found = _literal_text(node.value)
                    if found is not None:
                        yield node.lineno, found


def test_the_check_finds_each_kind_of_hard_coded_text() -> None:
    source = """
messages.info(request, "The text is unchanged.")
messages.success(request, f"Version {n} restored.")
messages.error(request, format_html("{} failed", name))
messages.error(request, format_html(gettext("{} failed"), name))
messages.success(request, gettext("Saved."))
raise OrganizeError("No such tag.", field="tags")
raise OrganizeError(f"Tagged {path}.")
raise OrganizeError(gettext("No such tag."))
raise serializers.ValidationError({"q": ["A bad query."]})
raise CommandError("No user named x.")
raise ValueError("internal")
def change(document):
    return f"Tagged {tag.path}."
"""
    found = [text for _line, text in sorted(hard_coded(source, "archive/views/x.py"))]
    assert found == [
        "The text is unchanged.",
        "Version {} restored.",
        "{} failed",
        "No such tag.",
        "Tagged {}.",
        "A bad query.",
        "Tagged {}.",
    ]
    assert [t for _l, t in sorted(hard_coded(source, "archive/x.py"))] == found[:-1]


def test_no_user_visible_text_is_hard_coded_in_python() -> None:
    """Every message a person reads comes through gettext, so it is in their language."""
    problems = []
    for path in PYTHON:
        relative = str(path.relative_to(ROOT))
        for line, text in hard_coded(path.read_text(), relative):
            if (relative, text) not in ALLOWED:
                problems.append(f"{relative}:{line}: {text!r}")
    assert not problems, f"{len(problems)} hard-coded messages:\n" + "\n".join(problems)


def test_every_allowed_literal_still_exists() -> None:
    """The allow-list names no literal that is gone (a stale entry would hide a new one)."""
    present = {
        (str(p.relative_to(ROOT)), text)
        for p in PYTHON
        for _line, text in hard_coded(p.read_text(), str(p.relative_to(ROOT)))
    }
    assert set(ALLOWED) <= present
