"""Parallel wrong passwords get no more password checks than the allowance (issue 15,
item 1: a burst of 16 once got 9-10 checks against a limit of 5). Real HTTP requests to a
live server, each on its own thread and database connection."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BURST = 16


def _post(url: str, data: dict[str, str]) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode()
    try:
        with urllib.request.urlopen(url, data=body, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_burst_of_wrong_passwords_gets_only_the_allowed_checks(
    live_server: Any, alice: User, settings: Any
) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    # The wait after the 5th failure must outlast the burst: with the default 1 s, a guess that
    # a busy machine delays by more than a second is rightly checked (the back-off is over).
    settings.LOGIN_BACKOFF_SECONDS = 600
    url = f"{live_server.url}/api/token/"
    start = threading.Barrier(BURST)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def guess(index: int) -> None:
        start.wait()
        answer = _post(url, {"username": "alice", "password": f"guess-{index}"})
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _ in answers)
    checked = [text for status, text in answers if status == 400]
    refused = [text for status, text in answers if status == 429]
    assert len(answers) == BURST, statuses
    assert len(checked) == 5, statuses
    assert len(refused) == BURST - 5, statuses
    assert all("not correct" in json.loads(text)["detail"] for text in checked)
    assert all("Too many failed logins" in json.loads(text)["detail"] for text in refused)
