"""What the dashboard's web server lets in: the hosts it serves, and a bounded number of requests.

* **Host and Origin.** A page on another site can make a browser send requests to a server on
  the user's own machine (DNS rebinding: ``attacker.example`` resolves to ``127.0.0.1``).
  Every request's ``Host`` must name an address this server serves, and a state-changing
  request (a POST: every callback) that carries an ``Origin`` must come from such an
  address too; others get HTTP 403 with the reason.
* **Threads.** At most ``MAX_REQUEST_THREADS`` requests are served at once, each with a
  socket timeout; further connections wait in the listen queue instead of each taking a
  thread (runs themselves are bounded by the job queue).
* **Refusals.** A request whose data the page would never send (a scenario choice naming no
  scenario, a value nested too deeply) is answered with HTTP 400 and a message, never 500.
* **Log.** Only refused and failed requests (status 400 and up) are logged, to the error
  stream; the page's polling for progress is not.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

__all__ = ["Refused", "guard", "served_hosts", "is_loopback", "make_server", "MAX_REQUEST_THREADS",
           "REQUEST_TIMEOUT_SECONDS", "outsider_warning"]

#: Requests served at once (each a thread); more wait in the listen queue.
MAX_REQUEST_THREADS = 32
#: A connection that sends nothing for this long is closed (a slow client holds no thread for ever).
REQUEST_TIMEOUT_SECONDS = 60
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Refused(ValueError):
    """A request the page would never send; answered with HTTP 400 and this message."""


def is_loopback(host: str) -> bool:
    """True for an address that serves this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_hosts(host: str, extra: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """Host names a request may name: loopback names, the address bound, ``extra``, and for an
    address that serves every interface, this machine's names and addresses."""
    names = set(LOOPBACK_NAMES) | {name.lower() for name in extra}
    if host not in ("", "0", "0.0.0.0", "::"):
        names.add(host.lower().strip("[]"))
    else:
        hostname = socket.gethostname()
        names |= {hostname.lower(), socket.getfqdn().lower()}
        try:
            names |= {str(info[4][0]) for info in socket.getaddrinfo(hostname, None)}
        except OSError:
            pass
    return frozenset(names)


def outsider_warning(host: str) -> str:
    """What anyone who can reach a dashboard bound to ``host`` could do (said before serving)."""
    return (f"warning: serving on {host or 'every interface'}, not this machine only: anyone who can reach this "
            "address can start runs that use this machine's processors and memory, upload scenario files, see "
            "and download every run's results while they are kept, and read the built-in scenarios. They cannot "
            "read other files (uploads may extend built-in scenarios only), but the dashboard has no login and no "
            "encryption: serve it on an untrusted network only behind an authenticating HTTPS proxy")


def guard(server: Flask, hosts: frozenset[str]) -> None:
    """Refuse requests naming a host not in ``hosts``; answer :class:`Refused` with 400."""

    @server.before_request
    def _check_host():
        name = _hostname(request.host)
        if name not in hosts:
            return (f"refused: this dashboard does not serve the host {request.host[:100]!r} "
                    "(requests must name the address it is served on)", 403, {"Content-Type": "text/plain"})
        origin = request.headers.get("Origin")
        if request.method in _STATE_CHANGING and origin is not None:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in hosts:
                return (f"refused: a request from the page of {origin[:100]!r}, not this dashboard's", 403,
                        {"Content-Type": "text/plain"})
        return None

    @server.errorhandler(Refused)
    def _refused(exc):
        return f"error: {exc}", 400, {"Content-Type": "text/plain"}

    @server.errorhandler(RecursionError)
    def _too_deep(exc):
        return "error: the request is nested too deeply", 400, {"Content-Type": "text/plain"}


def _hostname(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _Handler(WSGIRequestHandler):
    """Werkzeug's handler with a socket timeout, logging only what went wrong.

    A page with a run in progress asks for it several times a second
    (``app.PROGRESS_POLL_MS``), so an access log of every request would fill a terminal and,
    where the server's error stream is a pipe nobody reads until the end (a supervisor, a
    test harness), fill the pipe and stop the server on its next write. Refusals and errors (status 400 and up) are logged."""

    timeout = REQUEST_TIMEOUT_SECONDS

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code)[:1] in ("4", "5"):
            super().log_request(code, size)


class _BoundedServer(ThreadedWSGIServer):
    """Werkzeug's threaded server with at most ``max_threads`` requests at once."""

    def __init__(self, host: str, port: int, app, max_threads: int) -> None:
        super().__init__(host, port, app, handler=_Handler)
        self._slots = threading.BoundedSemaphore(max_threads)

    def process_request(self, request, client_address) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(host: str, port: int, app, max_threads: int = MAX_REQUEST_THREADS) -> _BoundedServer:
    """A WSGI server for ``app`` on ``host:port`` serving at most ``max_threads`` requests at once."""
    return _BoundedServer(host, port, app, max_threads)
