"""Start ``quotasim dashboard`` in a subprocess on a free loopback port, as a user would, and
talk to it as its page does (``start_and_follow``)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

import quotasim
from quotasim.dashboard.controls import CONTROLS

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dashboard(*options: str, timeout: float = 60.0):
    """Yield ``(url, process, log)`` of a running dashboard, ``log`` the file its error stream
    goes to; stop it afterwards. The stream goes to a file, not a pipe: a pipe nobody reads
    while the server runs would stop the server once it filled."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="quotasim-dashboard-") as folder:
        log = Path(folder) / "stderr.txt"
        with log.open("w") as stream:
            process = subprocess.Popen([sys.executable, "-m", "quotasim.cli", "dashboard", "--port", str(port),
                                        *options], stdout=subprocess.DEVNULL, stderr=stream, text=True)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError(f"the dashboard exited: {log.read_text()[-2000:]}") from None
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield url, process, log
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def require_chromium() -> None:
    """Skip without Debian's Chromium, except where it is required (CI sets QUOTASIM_REQUIRE_BROWSER=1)."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("QUOTASIM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")


class Session:
    """One page's conversation with the server, through Dash's callback endpoint."""

    def __init__(self, url: str) -> None:
        self.url = url
        with urllib.request.urlopen(url + "_dash-dependencies", timeout=30) as answer:
            self.callbacks = json.load(answer)

    def callback(self, trigger: str) -> dict:
        return next(cb for cb in self.callbacks if any(f"{i['id']}.{i['property']}" == trigger for i in cb["inputs"]))

    def call(self, trigger: str, values: dict[str, object]) -> dict:
        """Fire the callback ``trigger`` (``id.property``) with ``values`` for its inputs and state."""
        cb = self.callback(trigger)
        body = {"output": cb["output"], "outputs": _outputs(cb["output"]),
                "inputs": [_value(i, values) for i in cb["inputs"]],
                "state": [_value(s, values) for s in cb["state"]], "changedPropIds": [trigger]}
        return post(self.url + "_dash-update-component", json.dumps(body).encode())


def post(url: str, data: bytes, timeout: float = 60) -> dict:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read() or b"{}")


def _outputs(output: str) -> list[dict]:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]} for part in parts]


def _value(dependency: dict, values: dict) -> dict:
    key = f"{dependency['id']}.{dependency['property']}"
    return {**dependency, "value": values.get(key)}


def page_values(seed: int) -> dict[str, object]:
    """What the page sends for a run of half the baseline (51,125 people) over ten years."""
    baseline = quotasim.load_scenario("baseline")
    values = {"run.n_clicks": 1, "scenario.value": "baseline", "uploaded.data": {}, "rule.value": "adaptive",
              "months.value": 120, "scale.value": 0.5, "seed.value": seed, "replications.value": 1,
              "current-job.data": None}
    for control in CONTROLS:
        value = baseline
        for part in control.name.split("."):
            value = getattr(value, part)
        values[f"param-{control.name.replace('.', '-')}.value"] = value
    return values


def start_and_follow(url: str, seed: int, **changes) -> tuple[str, str]:
    """A session: start a run; follow it to the end. Returns (outcome, message)."""
    session = Session(url)
    urllib.request.urlopen(url, timeout=60).read()                          # the page itself
    answer = session.call("run.n_clicks", {**page_values(seed), **changes})["response"]
    message = answer.get("error", {}).get("children", "")
    if "current-job" not in answer:
        return "refused", message
    job = answer["current-job"]["data"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        update = session.call("tick.n_intervals", {"tick.n_intervals": 1, "current-job.data": job,
                                                   "previous-job.data": None})["response"]
        status = update.get("status", {}).get("children", "")
        if status.startswith("done"):
            return "done", status
        if status.startswith("the run failed"):
            return "failed", status
        time.sleep(0.3)
    return "timeout", ""
