"""Start ``quotasim dashboard`` in a subprocess on a free loopback port, as a user would."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dashboard(*options: str, timeout: float = 60.0):
    """Yield ``(url, process)`` of a running dashboard; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "quotasim.cli", "dashboard", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"the dashboard exited: {process.stderr.read()[-2000:]}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def require_chromium() -> None:
    """Skip without Debian's Chromium, except where it is required (CI sets QUOTASIM_REQUIRE_BROWSER=1)."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("QUOTASIM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
