"""The dashboard reads no server files, answers only the hosts it serves, and refuses what its
page would never send with a 4xx and a message (issue 17; docs/reliability.md). The page in
a browser, including a DNS-rebinding attempt, is in ``test_dashboard_browser.py``."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from dashboard_server import Session, _outputs, dashboard

SECRET = "SECRET-TOKEN-1234567890"


@pytest.fixture(scope="module")
def served():
    with dashboard("--workers", "1") as (url, _, log):
        yield url, log


@pytest.fixture(scope="module")
def server(served):
    return served[0]


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "server-secret.toml"
    path.write_text(f'api_token = "{SECRET}"\nname = "{SECRET}"\n')
    return path


def call(url: str, trigger: str, values: dict) -> tuple[int, str]:
    try:
        return 200, json.dumps(Session(url).call(trigger, values))
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def upload(url: str, text: str, filename: str = "s.toml") -> tuple[int, str]:
    contents = "data:application/octet-stream;base64," + base64.b64encode(text.encode()).decode()
    return call(url, "upload.contents", {"upload.contents": contents, "upload.filename": filename,
                                         "uploaded.data": {}})


@pytest.mark.parametrize("reference", ["absolute", "relative", "home"])
def test_an_upload_cannot_extend_a_server_file(server, secret_file, reference):
    name = {"absolute": str(secret_file), "relative": "../" * 12 + str(secret_file).lstrip("/"),
            "home": "~/../../" + str(secret_file).lstrip("/")}[reference]
    status, body = upload(server, f'extends = "{name}"\n')
    assert status == 200 and "may not extend files on the server" in body, body
    assert SECRET not in body and "uploaded:" not in body


def test_an_uploads_own_unknown_keys_are_echoed_but_nothing_else(server):
    status, body = upload(server, 'extends = "baseline"\nmy_note = "mine"\n')
    assert status == 200 and "my_note" in body and "unknown field" in body


@pytest.mark.parametrize("forged", ["secret path", "relative path", "unknown name", "number", "list"])
def test_a_forged_scenario_choice_gets_400_and_discloses_nothing(server, secret_file, forged):
    choice = {"secret path": str(secret_file), "relative path": "../../../" + str(secret_file),
              "unknown name": "x" * 300, "number": 5, "list": [1, 2]}[forged]
    status, body = call(server, "scenario.value", {"scenario.value": choice, "uploaded.data": {}})
    assert status == 400 and "not a scenario this page offers" in body, (status, body)
    assert SECRET not in body


def test_forged_upload_data_may_extend_built_in_scenarios_only(server, secret_file):
    forged = {"upload:x.toml": {"extends": str(secret_file)}}
    status, body = call(server, "scenario.value", {"scenario.value": "upload:x.toml", "uploaded.data": forged})
    assert status == 400 and "may not extend files on the server" in body and SECRET not in body
    fine = {"upload:y.toml": {"extends": "sanctions-2017", "months": 30}}
    status, body = call(server, "scenario.value", {"scenario.value": "upload:y.toml", "uploaded.data": fine})
    assert status == 200 and '"months": {"value": 30}' in body, body


def test_deeply_nested_uploads_and_page_data_get_a_message(server):
    status, body = upload(server, "x" + ".x" * 5000 + " = 1\n")
    assert status == 200 and "nested at most 32 deep" in body
    for depth in (40, 3000):                      # within what JSON parsers take, and beyond
        session = Session(server)
        callback = session.callback("scenario.value")
        body = json.dumps({"output": callback["output"], "outputs": _outputs(callback["output"]), "changedPropIds": ["scenario.value"],
                           "inputs": [{**callback["inputs"][0], "value": "upload:d"}],
                           "state": [{**callback["state"][0], "value": {"upload:d": "DEEP"}}]})
        body = body.replace('"DEEP"', '{"a": ' * depth + "1" + "}" * depth)
        request = urllib.request.Request(server + "_dash-update-component", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=30)
        assert error.value.code == 400 and "nested" in error.value.read().decode()


def test_a_300_character_file_name_gets_a_message_not_500(server):
    status, body = upload(server, 'extends = "baseline"\n', filename="n" * 300 + ".toml")
    assert status == 200 and "at most 255" in body, body


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:80", "127.0.0.1.nip.io", "[::2]:1"])
def test_a_foreign_host_is_refused(server, host):
    for path, data in (("", None), ("_dash-layout", None), ("_dash-update-component", b"{}")):
        request = urllib.request.Request(server + path, data=data, headers={"Host": host,
                                                                           "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=30)
        assert error.value.code == 403 and "does not serve the host" in error.value.read().decode()


@pytest.mark.parametrize("origin", ["http://attacker.example", "null", "file://", "http://localhost.attacker.example"])
def test_a_post_from_another_origin_is_refused(server, origin):
    request = urllib.request.Request(server + "_dash-update-component", data=b"{}",
                                     headers={"Origin": origin, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 403


def test_the_servers_own_origin_and_host_are_served(server):
    port = server.rsplit(":", 1)[1].strip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        request = urllib.request.Request(server + "_dash-layout", headers={"Host": host,
                                                                           "Origin": f"http://{host}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "0", "", "::", "192.0.2.1"])
def test_a_non_loopback_bind_needs_public_and_says_what_an_outsider_could_do(host):
    done = subprocess.run([sys.executable, "-m", "quotasim.cli", "dashboard", "--host", host, "--port", "1"],
                          capture_output=True, text=True, timeout=60)   # it used to start serving
    assert done.returncode == 2
    for words in ("start runs", "upload scenario files", "see and download every run's results", "--public"):
        assert words in done.stderr, done.stderr


def test_served_hosts_of_a_wildcard_bind_are_this_machines_names():
    from quotasim.dashboard.guard import served_hosts
    names = served_hosts("0.0.0.0", ("dash.example.org",))
    assert {"localhost", "127.0.0.1", "::1", "dash.example.org", socket.gethostname().lower()} <= names
    assert "attacker.example" not in names


def test_request_threads_are_capped():
    from quotasim.dashboard.guard import make_server
    running, peak, lock = [0], [0], threading.Lock()

    def slow_app(environ, start_response):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    server = make_server("127.0.0.1", 0, slow_app, max_threads=3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        clients = [threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=60).read()) for _ in range(12)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    finally:
        server.shutdown()
        server.server_close()
    assert peak[0] == 3          # 12 clients at once, never more than 3 requests served together


def test_only_refused_requests_are_logged_so_polling_never_fills_the_error_stream(served):
    """The page polls every ``app.PROGRESS_POLL_MS``. When every request was logged, a server whose
    error stream was a pipe read only at the end stopped answering once the log filled the
    pipe, as in a CI run where two browser tests timed out."""
    url, log = served
    before = log.read_text()
    for _ in range(300):
        with urllib.request.urlopen(url + "_dash-dependencies", timeout=30) as answer:
            assert answer.status == 200
    assert log.read_text() == before, log.read_text()[len(before):][:500]
    port = url.rsplit(":", 1)[1].strip("/")
    foreign = urllib.request.Request(url + "_dash-layout", headers={"Host": f"attacker.example:{port}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(foreign, timeout=30)
    assert refused.value.code == 403
    added = log.read_text()[len(before):]
    assert '"GET /_dash-layout HTTP/1.1" 403' in added, added
