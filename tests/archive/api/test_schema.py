"""The OpenAPI schema against the live API, with schemathesis: no 500s, responses as documented.

The app runs for real (pytest-django's ``live_server``, requests over HTTP) with an
authenticated user who has real documents: a scan read by a real worker run and a PDF waiting
for its password. Every operation gets generated valid input (``positive``) and invalid input
(``negative``); operations about one document also get runs with the user's real ids, or
nearly every request would only meet a 404. Operations that destroy (delete a document, revoke
the token) run last.

Bounded for CI on 2 cores: ``SCHEMATHESIS_MAX_EXAMPLES`` (default 8) examples per operation
and mode. The counts are printed (``pytest -s``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.db import connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from archive.models import Document
from tests.archive.conftest import run_queued_tasks

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@dataclass
class Tally:
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _order(label: str) -> tuple[int, str]:
    """Reads first, then writes, then what destroys what later operations need."""
    method, path = label.split(" ", 1)
    if path == "/api/token/" and method == "DELETE":
        return 3, label
    if method == "DELETE":
        return 2, label
    return (0 if method == "GET" else 1), label


def _upload(url: str, headers: dict[str, str], path: Path) -> int:
    with path.open("rb") as handle:
        response = requests.post(url, headers=headers, files={"files": handle}, timeout=60)
    assert response.status_code == 201, response.text
    return int(response.json()["files"][0]["document"]["id"])


@pytest.fixture
def _short_connections():
    """The live server answers each request in a thread of its own: with persistent
    connections (CONN_MAX_AGE) each thread's would outlive it and keep the test database
    from being dropped. The wrappers of every thread share this settings dict."""
    database = connections.settings["default"]
    kept = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = kept


@pytest.mark.usefixtures("_short_connections")
def test_live_api_conforms_to_its_schema(live_server, alice, testdata: Path, settings):
    # No worker runs here: a synchronous OCR request waits 1 s, then answers with its job.
    settings.OCR_SYNC_WAIT_SECONDS = 1
    base = live_server.url
    headers = {"Authorization": f"Token {Token.objects.create(user=alice).key}"}
    scan = _upload(f"{base}/api/documents/", headers, testdata / "tesseract_test" / "phototest.tif")
    _upload(f"{base}/api/documents/", headers, testdata / "pdfs/paperless/password-is-test.pdf")
    with (testdata / "tesseract_test" / "phototest.tif").open("rb") as handle:
        job = requests.post(
            f"{base}/api/ocr/?async=1", headers=headers, files={"file": handle}, timeout=60
        )
    assert job.status_code == 202, job.text
    run_queued_tasks()  # the worker's part, in this process
    assert Document.objects.get(pk=scan).status == Document.Status.DONE
    assert requests.get(job.json()["url"], headers=headers, timeout=60).json()["status"] == "done"
    real = {"id": scan, "number": 1, "fmt": "alto", "job": job.json()["id"]}

    schema = schemathesis.openapi.from_url(f"{base}/api/schema/?format=json")
    results = list(schema.get_all_operations())
    # An operation the schema describes in a way schemathesis cannot use is a failure too.
    invalid = [str(r.err()) for r in results if isinstance(r, Err)]
    assert not invalid, invalid
    operations = sorted(
        (r.ok() for r in results if isinstance(r, Ok)), key=lambda op: _order(op.label)
    )
    tallies: dict[str, Tally] = {}
    session = requests.Session()
    started = time.monotonic()
    for operation in operations:
        tally = tallies.setdefault(operation.label, Tally())
        names = {p.name for p in operation.path_parameters}
        for mode in MODES:
            try:
                _run(operation.as_strategy(generation_mode=mode), tally, session, base, headers)
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): no negative examples.
                assert not mode.is_positive, operation.label
            if names and mode.is_positive:
                # Ids of other objects (a permission, a share link) are left to the generator.
                fixed = {name: real[name] for name in names if name in real}
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                _run(strategy, tally, session, base, headers)
    seconds = time.monotonic() - started

    examples = sum(t.examples for t in tallies.values())
    failures = [f for t in tallies.values() for f in t.failures]
    print(
        f"\nschemathesis: {len(tallies)} operations, {examples} examples, "
        f"{len(failures)} failures, {seconds:.1f} s"
    )
    for label, tally in tallies.items():
        codes = " ".join(f"{code}×{n}" for code, n in sorted(tally.statuses.items()))
        print(f"  {label:<55} {tally.examples:>4}  {codes}")
    assert len(tallies) >= 14
    assert not failures, "\n\n".join(failures[:10])


def _run(
    strategy: Any, tally: Tally, session: requests.Session, base: str, headers: dict[str, str]
) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: a failure can be reproduced
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: Any) -> None:
        tally.examples += 1
        response = case.call(base_url=base, session=session, headers=headers)
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as error:  # every failure is collected, then reported together
            tally.failures.append(f"{case.operation.label}: {error}")

    one()
