"""The dashboard in a real headless Chromium, opened from file://.

The page must load without a console error, an uncaught exception, a dialog (a hostile file name
that ran as script would open one), or any network request; its script must run (the table
filters print their counts); and a screenshot goes to the data root for people to look at.
Chromium is driven over the DevTools protocol (websocket-client). `scripts/ensure_chromium.sh`
installs Debian's chromium; without it the test is skipped, except under CI where it fails.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_report import HOSTILE_NAME, run_report, shared_defect_dataset

websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")

FILTER_COUNT = "document.querySelector(\"[data-count='files-table']\").textContent"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-port=0",
    "--window-size=1400,1000",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.exceptions + self.log_errors + self.network + self.dialogs


class DevTools:
    """A minimal DevTools-protocol client: commands with ids, events collected on the way."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.dialog_id = 1_000_000
        self.events: list[dict] = []

    def _event(self, message: dict) -> None:
        """Keep the event; dismiss a dialog at once (an open alert() blocks the page's load)."""
        self.events.append(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            self.dialog_id += 1
            self.ws.send(
                json.dumps(
                    {
                        "id": self.dialog_id,
                        "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": True},
                    }
                )
            )

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def wait_for(self, event: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {seconds} s")
            self._receive(deadline - time.monotonic())

    def settle(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._receive(deadline - time.monotonic())

    def _receive(self, seconds: float) -> None:
        self.ws.settimeout(max(seconds, 0.05))
        try:
            self._event(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(30)

    def close(self) -> None:
        self.ws.close()


def _devtools_port(profile: Path, process: subprocess.Popen, seconds: float = 30) -> int:
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited early with code {process.returncode}")
        if active.is_file() and active.read_text().strip():
            return int(active.read_text().split()[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


def inspect_page(browser: str, page: Path, screenshot: Path) -> PageReport:
    """Open `page` from file://, collect what went wrong, save a full-page screenshot."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    process = subprocess.Popen(
        [browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the browser's helpers can be stopped with it
    )
    report = PageReport()
    try:
        port = _devtools_port(profile, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        target = next(t for t in targets if t.get("type") == "page")
        tools = DevTools(target["webSocketDebuggerUrl"])
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                tools.call(f"{domain}.enable")
            tools.call(
                "Emulation.setDeviceMetricsOverride",
                width=1400,
                height=1000,
                deviceScaleFactor=1,
                mobile=False,
            )
            tools.call("Page.navigate", url=page.resolve().as_uri())
            tools.wait_for("Page.loadEventFired", 60)
            tools.settle(1.5)
            for name, expression in {
                "filter_count": FILTER_COUNT,
                "scripts": "document.scripts.length",
                "hostile_text": f"document.body.innerText.includes({json.dumps(HOSTILE_NAME)})",
                "svg_charts": "document.querySelectorAll('svg').length",
                "title": "document.title",
            }.items():
                result = tools.call("Runtime.evaluate", expression=expression, returnByValue=True)
                report.values[name] = result.get("result", {}).get("value")
            size = tools.call("Page.getLayoutMetrics")["cssContentSize"]
            shot = tools.call(
                "Page.captureScreenshot",
                format="png",
                captureBeyondViewport=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": min(size["height"], 12000),
                    "scale": 1,
                },
            )
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            tools.settle(0.5)
        finally:
            tools.close()
        for event in tools.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                texts = [str(a.get("value", a.get("description"))) for a in params.get("args", [])]
                report.console_errors.append("console: " + " ".join(texts))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                report.exceptions.append(
                    "exception: "
                    + str(details.get("exception", {}).get("description") or details.get("text"))
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                report.log_errors.append(f"log ({entry.get('source')}): {entry.get('text')}")
            elif method == "Network.requestWillBeSent":
                url = params.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:")):
                    report.network.append(f"network request: {url}")
            elif method == "Page.javascriptDialogOpening":
                report.dialogs.append(f"dialog opened: {params.get('message')}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        shutil.rmtree(profile, ignore_errors=True)
    return report


@pytest.fixture(scope="module")
def browser() -> str:
    found = chromium_path()
    if not found:
        message = "no chromium: run scripts/ensure_chromium.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The dashboard of a generated dataset with defects and a hostile file name; and its root."""
    dataset = shared_defect_dataset(tmp_path_factory)
    result = run_report(dataset)
    assert result.returncode == 0, result.stderr
    return dataset.root.quality / "dashboard.html", dataset.root.root


def test_dashboard_opens_cleanly_in_chromium(browser: str, dashboard: tuple[Path, Path]) -> None:
    page, root = dashboard
    screenshot = root / "dashboard_screenshot.png"
    report = inspect_page(browser, page, screenshot)
    assert report.problems == [], "\n".join(report.problems)
    assert report.values["scripts"] == 1
    assert str(report.values["filter_count"]).endswith("shown")  # the inline script ran
    assert report.values["hostile_text"] is True  # shown as text, not run
    assert int(report.values["svg_charts"]) >= 3
    assert screenshot.stat().st_size > 10_000
    print(f"\nscreenshot: {screenshot}")


def test_the_browser_check_catches_a_broken_page(browser: str, tmp_path: Path) -> None:
    """The harness itself: a page with a failing script and an external image is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        f"<p>{HOSTILE_NAME}</p>"
        '<img src="http://127.0.0.1:9/pixel.png">'
        "<script>console.error('boom'); undefinedFunction();</script></body></html>"
    )
    report = inspect_page(browser, page, tmp_path / "broken.png")
    assert report.console_errors and report.exceptions and report.network and report.dialogs
