"""Fixtures for tests in a real browser: Debian's Chromium driven by Playwright (sync API)
against the app run for real (``manage.py serve``: gunicorn and a django-q2 worker) on the
pytest-django test database.

Every test in this folder is marked ``browser`` and ``slow`` automatically, and every test that
uses ``live_app`` (so every ``page``) is transactional: the server is another process and sees
only committed data; the database is emptied after each such test.

- ``live_app`` -> str: the base URL (``http://127.0.0.1:PORT``); ``app_server`` gives the
  ``LiveApp`` (process, log file, media folder); both make the test transactional.
- ``page`` -> Page: a fresh context and page, desktop 1280x800, light; ``page.goto("/login/")``
  works (relative to the live app). Parametrize it with
  ``@pytest.mark.parametrize("page", [{"device": "phone"}, {"color_scheme": "dark"}],
  indirect=True)``. ``phone_page`` is the phone variant.
- ``make_page(device="desktop"|"phone", color_scheme="light"|"dark"|"no-preference")`` -> Page.
- ``make_user(username, **fields)`` -> User, saved with the password ``support.PASSWORD``;
  ``user`` is ``make_user("alice")``.
- ``logged_in_page(user, *, device=..., color_scheme=...)`` -> Page, logged in through the form.
- ``browser`` -> Browser (Chromium), ``chromium_path`` -> str.

Helpers in ``support.py``: ``login``, ``axe_check``, ``assert_accessible``, ``screenshot``,
``js_errors``. A failing test saves a screenshot of each page it opened and prints the path.

Chromium is ``/usr/bin/chromium`` (``SCAN_ARCHIVE_CHROMIUM`` overrides). Without it the tests
skip, unless ``SCAN_ARCHIVE_REQUIRE_BROWSER`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.live_server import LiveApp, LiveAppError, start, stop
from tests.browser.support import PASSWORD, login, record_js_errors

Device = Literal["desktop", "phone"]
ColorScheme = Literal["light", "dark", "no-preference"]

DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    # An iPhone 12-15 sized screen at scale 2 (sharp screenshots of a sensible size).
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root (CI, containers), where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",  # no internet here: no update, sync or safe-browsing calls
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
# Each test's reports by phase ("setup", "call", "teardown"), for fixtures to see a failure.
_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the test, so that fixtures can tell whether it failed.
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def chromium_path() -> str:
    path = os.environ.get("SCAN_ARCHIVE_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        reason = (
            f"Chromium not found at {path}: install Debian's package "
            "(apt-get install --no-install-recommends chromium) or set SCAN_ARCHIVE_CHROMIUM"
        )
        if os.environ.get("SCAN_ARCHIVE_REQUIRE_BROWSER"):
            pytest.fail(f"{reason} (SCAN_ARCHIVE_REQUIRE_BROWSER is set)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="package")
def playwright(chromium_path: str) -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio event loop in this thread (in a greenlet) for as long
    # as it is started, and the loop counts as running even while test code runs. Django's ORM
    # then refuses every query from the test ("You cannot call this from an async context",
    # SynchronousOnlyOperation), although the test code itself is plain synchronous code.
    # DJANGO_ALLOW_ASYNC_UNSAFE turns that check off for exactly as long as the loop exists:
    # this package's tests (the fixture is package-scoped, so the loop and the variable are gone
    # before tests in other folders run, which may call asyncio.run() themselves).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        manager = sync_playwright().start()
        try:
            yield manager
        finally:
            manager.stop()


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


# --- the app ----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def app_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApp]:
    """``manage.py serve`` (web + one worker) on the test database, for this folder's tests.
    (Not pytest-django's ``live_server``: that one runs only the web app, in a thread here.)"""
    failure = ""
    try:
        app = start(tmp_path_factory.mktemp("live-app"))
    except LiveAppError as error:
        failure = str(error)
    if failure:  # failed outside the except block: no "during handling" traceback noise
        pytest.fail(failure, pytrace=False)
    yield app
    stop(app)


@pytest.fixture
def live_app(app_server: LiveApp, transactional_db: None, settings: Any) -> str:
    """The running app's base URL. The test's database writes must be committed for the server
    to see them, hence ``transactional_db``. Files the test stores in-process (documents made
    through the services) go to the server's media folder."""
    failure = ""
    try:
        app_server.check_alive()
    except LiveAppError as error:
        failure = str(error)
    if failure:
        pytest.fail(failure, pytrace=False)
    settings.MEDIA_ROOT = app_server.media_root
    # Templates rendered in-process need no collectstatic (manifest storage needs one).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return app_server.url


@pytest.fixture
def make_user(transactional_db: None, django_user_model: type[User]) -> Callable[..., User]:
    def make(username: str, **fields: Any) -> User:
        return django_user_model.objects.create_user(username, password=PASSWORD, **fields)

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("alice")


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def make_page(
    browser: Browser, live_app: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., Page]]:
    """Open pages, each in a new browser context (own cookies), closed after the test."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(*, device: Device = "desktop", color_scheme: ColorScheme = "light") -> Page:
        context = browser.new_context(
            base_url=live_app, color_scheme=color_scheme, locale="en-US", **DEVICES[device]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        record_js_errors(page)
        pages.append(page)
        return page

    yield make
    call = request.node.stash.get(_reports, {}).get("call")
    if call is not None and call.failed:
        for index, page in enumerate(pages):
            if not page.is_closed():
                path = tmp_path / f"failure-{index}.png"
                page.screenshot(path=path, full_page=True)
                print(f"screenshot of {page.url} at failure: {path}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page: Callable[..., Page], request: pytest.FixtureRequest) -> Page:
    """A desktop page, or as parametrized: ``indirect=True`` with ``{"device": ..., ...}``."""
    options: dict[str, Any] = getattr(request, "param", {})
    return make_page(**options)


@pytest.fixture
def phone_page(make_page: Callable[..., Page]) -> Page:
    return make_page(device="phone")


@pytest.fixture
def logged_in_page(make_page: Callable[..., Page]) -> Callable[..., Page]:
    """``logged_in_page(user)``: a new page logged in as ``user`` through the login form
    (``password`` defaults to the ``make_user`` one; ``device``, ``color_scheme`` as for
    ``make_page``)."""

    def open_as(
        user: User,
        *,
        password: str = PASSWORD,
        device: Device = "desktop",
        color_scheme: ColorScheme = "light",
    ) -> Page:
        page = make_page(device=device, color_scheme=color_scheme)
        login(page, user.get_username(), password)
        if page.url.split("?")[0].endswith("/login/"):
            raise AssertionError(f"logging in as {user.get_username()!r} failed: still on the form")
        return page

    return open_as
