"""The dashboard under load, on loopback (docs/reliability.md, "Dashboard under load").

Fifty sessions start runs at once, each exactly as the page does it: the same HTTP
requests to Dash's callback endpoint, built from the server's own list of callbacks
(``/_dash-dependencies``), then polling for progress until done. Browsers are left out
so that fifty sessions fit on two cores; ``test_dashboard_browser.py`` covers the page.
The server must stay responsive, take on no more than it can hold and say so to the
rest, give its memory back when the sessions are gone, and refuse oversized uploads.
"""

from __future__ import annotations

import base64
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
from dashboard_server import Session, dashboard, post, start_and_follow

from quotasim.dashboard.app import MAX_REQUEST_BYTES
from quotasim.dashboard.scenarios import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.slow

SESSIONS, WORKERS, WAITING_PER_WORKER = 50, 2, 2
KEEP_SECONDS = 3


def test_fifty_sessions_at_once():
    with dashboard("--workers", str(WORKERS), "--keep-seconds", str(KEEP_SECONDS)) as (url, process, _):
        server = psutil.Process(process.pid)
        # One small run first: the server then holds what any run needs loaded (compiled kernels).
        assert start_and_follow(url, 0, **{"scale.value": 0.01, "months.value": 12})[0] == "done"
        baseline_rss = server.memory_info().rss
        peak = [baseline_rss]
        stop = threading.Event()

        def watch_memory() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], server.memory_info().rss)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch_memory)
        watcher.start()
        with ThreadPoolExecutor(SESSIONS) as pool:
            sessions = [pool.submit(start_and_follow, url, seed) for seed in range(SESSIONS)]
            time.sleep(1.0)                                                    # all of them in flight
            clock = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as answer:           # responsive while loaded
                assert answer.status == 200
            Session(url).call("scenario.value", {"scenario.value": "sanctions-2017", "uploaded.data": {}})
            answered_in = time.perf_counter() - clock
            outcomes = [future.result() for future in sessions]
        stop.set()
        watcher.join()

        done = [message for outcome, message in outcomes if outcome == "done"]
        refused = [message for outcome, message in outcomes if outcome == "refused"]
        capacity = WORKERS * (1 + WAITING_PER_WORKER)
        assert len(done) + len(refused) == SESSIONS, outcomes
        assert capacity <= len(done) < SESSIONS and len(refused) >= SESSIONS - 3 * capacity
        assert all("server busy" in message and "try again" in message for message in refused)
        print(f"\n{SESSIONS} sessions: {len(done)} runs done, {len(refused)} refused as busy; page and a callback "
              f"answered in {answered_in:.2f} s under load; server RSS {baseline_rss / 2**20:.0f} MiB before, "
              f"peak {peak[0] / 2**20:.0f} MiB")

        time.sleep(KEEP_SECONDS + 1)                                         # the sessions are gone ...
        Session(url).call("tick.n_intervals", {"tick.n_intervals": 1, "current-job.data": "none",
                                               "previous-job.data": None})  # ... and the server looks
        after = server.memory_info().rss
        grown, released = peak[0] - baseline_rss, peak[0] - after
        print(f"after the sessions: RSS {after / 2**20:.0f} MiB ({released / 2**20:.0f} MiB given back "
              f"of {grown / 2**20:.0f} MiB grown)")
        assert after < baseline_rss + 0.5 * grown + 20 * 2**20


def test_oversized_uploads_are_refused():
    with dashboard("--workers", "1") as (url, _, _):
        session = Session(url)
        too_big_for_http = b"x" * (MAX_REQUEST_BYTES + 1)
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(url + "_dash-update-component", too_big_for_http)
        assert refused.value.code == 413                                     # never read into memory
        data = b"# padding\n" * (MAX_UPLOAD_BYTES // 10 + 100)               # fits the request, not the limit
        contents = "data:application/toml;base64," + base64.b64encode(data).decode()
        answer = session.call("upload.contents", {"upload.contents": contents, "upload.filename": "big.toml",
                                                  "uploaded.data": {}})["response"]
        message = answer["upload-message"]["children"]
        assert "big.toml" in message and f"up to {MAX_UPLOAD_BYTES:,} bytes" in message
