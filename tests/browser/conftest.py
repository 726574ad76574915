"""Headless Chromium (Debian's ``chromium`` package) driven by Playwright against
Django's live server.

Where Chromium is missing the browser tests are skipped with a plain message,
unless ``FLOCKGOV_REQUIRE_BROWSER=1`` (set by ``.ci/run``), in which case they fail.
"""

import os
import shutil

import pytest

from queries.vocabulary import load_defaults
from tests.conftest import PASSWORD, current_code

CHROMIUM = os.environ.get("FLOCKGOV_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = (
            f"BROWSER TESTS DID NOT RUN: no Chromium at {CHROMIUM} "
            "(apt-get install chromium)"
        )
        if os.environ.get("FLOCKGOV_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, transactional_db):
    """A fresh browser context per test; default vocabularies present."""
    load_defaults()
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, officer) -> None:
    """Signs in through the real pages: notice, password, then TOTP code."""
    page.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.check("#id_acknowledge")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/verify/**")
    page.fill("#id_token", current_code(officer))
    page.click("main button[type=submit]")
