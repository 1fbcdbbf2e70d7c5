"""Running the real dashboard server and driving it from Debian's Chromium through Playwright.

Browsers cannot be downloaded where the tests run, so Playwright launches the system Chromium that
`.ci/run` installs instead of its own. A missing browser or package fails the test: skipping would let CI
pass without ever opening the dashboard.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_dashboard(env: dict[str, str], timeout: float = 60) -> Iterator[str]:
    """Serve the dashboard exactly as users start it (`python -m dashboard`, which runs `streamlit run
    dashboard/app.py`); yield its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "dashboard", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    server_env = os.environ | {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"} | env
    # stderr goes to a file, not a pipe, so a chatty server can never block on a full pipe
    with tempfile.TemporaryFile("w+") as stderr:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while not _healthy(f"{base}/_stcore/health"):
                if server.poll() is not None or time.monotonic() > deadline:
                    stderr.seek(0)
                    why = f"exited with code {server.returncode}" if server.returncode is not None else "timed out"
                    pytest.fail(f"the dashboard did not start at {base} ({why}):\n{stderr.read()}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright; fails with what to install when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: pip install -r requirements-dev.txt")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (as .ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(headless=True, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
