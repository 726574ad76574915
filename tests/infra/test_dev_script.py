"""scripts/dev.py's own logic that needs no servers: what the test summary says
about the browser tests, and who still uses the embedded servers."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dev.py"


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("flockgov_dev_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def junit(tmp_path: Path, cases: str) -> Path:
    path = tmp_path / "pytest.xml"
    path.write_text(
        f'<?xml version="1.0"?><testsuites><testsuite name="pytest">{cases}'
        "</testsuite></testsuites>"
    )
    return path


def test_it_says_the_browser_tests_ran(dev, tmp_path):
    report = junit(
        tmp_path,
        '<testcase classname="tests.browser.test_search_journey" name="a"/>'
        '<testcase classname="tests.test_smoke_search" name="b"/>',
    )
    assert dev.browser_report(report) == (
        "Browser tests ran in headless Chromium: 1 passed, 0 failed"
    )


def test_it_says_plainly_when_the_browser_tests_did_not_run(dev, tmp_path):
    report = junit(
        tmp_path,
        '<testcase classname="tests.browser.test_search_journey" name="a">'
        '<skipped message="BROWSER TESTS DID NOT RUN: no Chromium at /x"/>'
        "</testcase>",
    )
    assert dev.browser_report(report) == (
        "BROWSER TESTS DID NOT RUN (1 skipped): no Chromium at /x"
    )


def test_it_counts_failed_browser_tests(dev, tmp_path):
    report = junit(
        tmp_path,
        '<testcase classname="tests.browser.test_a" name="a"><failure/></testcase>'
        '<testcase classname="tests.browser.test_a" name="b"/>',
    )
    assert dev.browser_report(report) == (
        "Browser tests ran in headless Chromium: 1 passed, 1 failed"
    )


def test_it_says_when_no_browser_test_was_selected(dev, tmp_path):
    report = junit(tmp_path, '<testcase classname="tests.test_x" name="a"/>')
    assert dev.browser_report(report) == "BROWSER TESTS: none selected"
    assert "unknown" in dev.browser_report(tmp_path / "missing.xml")


def test_it_forgets_clients_that_have_exited(dev, tmp_path, monkeypatch):
    monkeypatch.setattr(dev, "CLIENTS_FILE", tmp_path / "stack.clients")
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    dev.set_clients([os.getpid(), exited.pid])
    assert dev.live_clients() == [os.getpid()]
    assert dev.live_clients(exclude=os.getpid()) == []


def test_it_keeps_a_preferred_port_only_while_it_is_free(dev):
    port = dev.free_port()
    assert dev.free_port(port) == port
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        assert dev.free_port(port) != port
