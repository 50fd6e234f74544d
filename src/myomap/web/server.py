"""Several server processes for `myomap serve --workers N` (gunicorn, on Linux and other
Unix systems), run in-process through gunicorn's application API so that `myomap serve`
keeps its checks, its messages and its Ctrl+C.

The app is loaded once in the master before the workers are forked (they start at once),
and no database connection is ever carried across a fork: the master closes its own
before each fork, so every worker opens its own connections. Nothing the app needs is kept
in one process's memory (sessions, throttles and the audit log are in the database), so
any worker can answer any request.

The forwarded headers are handled by the same code as with waitress (its proxy-headers
middleware, with the options of `myomap.cli.serve.proxy_options`): believed from the
declared proxy only, dropped from anyone else before the app sees them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.sock import TCP6Socket, TCPSocket
from gunicorn.util import is_ipv6
from waitress.proxy_headers import proxy_headers_middleware

WSGIApp = Callable[..., Any]
# Django's views are synchronous: a few threads per process let one process wait on the
# database or a slow client while another request runs; the processes use the cores.
WORKER_CLASS = "gthread"


def _close_database_connections() -> None:
    """Before a fork: the worker must not inherit a connection the master opened (two
    processes on one SQLite handle or one PostgreSQL socket corrupt each other's state)."""
    from django.db import connections

    connections.close_all()


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int, proxy: dict[str, Any]
) -> dict[str, Any]:
    """gunicorn's settings for `myomap serve`. gunicorn's own forwarded-header handling is
    narrowed to what waitress believes: the scheme (X-Forwarded-Proto) from the declared
    proxy only, nothing else from anyone (no SCRIPT_NAME or PATH_INFO from headers); the
    proxy middleware then does the rest exactly as with waitress."""
    trusted = proxy.get("trusted_proxy")
    bind = f"[{host}]:{port}" if is_ipv6(host) else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "threads": threads,
        "preload_app": True,
        # Also before a worker killed or crashed is replaced: gunicorn forks a new one.
        "pre_fork": lambda arbiter, worker: _close_database_connections(),
        "forwarded_allow_ips": str(trusted or ""),
        "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"} if trusted else {},
        "forwarder_headers": "",
        "proxy_protocol": "off",
        # Quiet like waitress: no access log, only warnings (a worker that died, ...).
        "accesslog": None,
        "loglevel": os.environ.get("MYOMAP_LOG_LEVEL", "warning").lower(),
        # A request may run longer than gunicorn's 30 s default (a large export).
        "timeout": 120,
        "graceful_timeout": 10,
        # No control socket file in the home folder, no process title games.
        "control_socket_disable": True,
        "proc_name": "myomap",
    }


class MyomapServer(BaseApplication):
    """The Django app, already loaded, with its settings given in code (no config file,
    no command-line parsing of gunicorn's own)."""

    def __init__(self, application: WSGIApp, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self.application


def with_proxy_headers(application: WSGIApp, proxy: dict[str, Any]) -> WSGIApp:
    """The app behind waitress's own proxy-headers middleware, with waitress's options."""
    return proxy_headers_middleware(
        application,
        trusted_proxy=proxy.get("trusted_proxy"),
        trusted_proxy_count=proxy.get("trusted_proxy_count", 1),
        trusted_proxy_headers=proxy.get("trusted_proxy_headers", set()),
        clear_untrusted=proxy.get("clear_untrusted_proxy_headers", True),
    )


class Listening:
    """gunicorn's master, bound to its port before anything else happens, so a port in use
    is one clear message and the demo logins are created only once the port is ours."""

    def __init__(
        self,
        application: WSGIApp,
        *,
        host: str,
        port: int,
        workers: int,
        threads: int,
        proxy: dict[str, Any],
    ) -> None:
        options = gunicorn_options(
            host=host, port=port, workers=workers, threads=threads, proxy=proxy
        )
        self.app = MyomapServer(with_proxy_headers(application, proxy), options)
        # Typed loosely: the stubs know a listener's address only as a string.
        self.arbiter: Any = cast(Any, Arbiter(self.app))
        socket_type: Any = TCP6Socket if is_ipv6(host) else TCPSocket
        # Raises OSError (address in use, ...) here, not later inside gunicorn's retries.
        self.arbiter.LISTENERS = [socket_type((host, port), self.app.cfg, self.arbiter.log)]
        self.master = os.getpid()

    def run(self) -> int:
        """Serve until stopped (Ctrl+C, SIGTERM); the master's exit status. A worker leaves
        through here too (gunicorn ends it with SystemExit): that is passed on."""
        _close_database_connections()
        try:
            self.arbiter.run()
        except SystemExit as exc:
            if os.getpid() != self.master:
                raise
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return 0
