"""`myomap serve`: the main job. Checks the knowledge base, prepares the embedded database
(private files, migrations), creates the demo logins only when asked with --demo (on the
first run of an empty database), prints where to go, and serves the web app with a
production WSGI server: with --workers N (default: one per usable core) that many
processes under gunicorn (myomap.web.server), or one waitress process with --workers 1 and
where gunicorn does not run (Windows).

With secure settings on (a deployment on a network) it refuses --demo and refuses to start
while any demo account exists. A real installation without an administrator is told how to
create one (`myomap admin create`); nothing is ever created with a known password."""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
from typing import Any

REMOVE_DEMO = "myomap demo --remove"


def proxy_options(settings: Any) -> dict[str, Any]:
    """Behind the declared HTTPS proxy, waitress believes the forwarded headers from the
    proxy's address only (the first of MYOMAP_TRUSTED_PROXIES): the client's address is the
    one the outermost of MYOMAP_TRUSTED_PROXY_COUNT proxies appended, and the scheme https.
    Elsewhere waitress drops them, so a client cannot claim an address or HTTPS by sending
    the headers itself."""
    if not settings.BEHIND_PROXY:
        return {"clear_untrusted_proxy_headers": True}
    proxy = str(settings.TRUSTED_PROXIES[0]) if settings.TRUSTED_PROXIES else ""
    try:
        ipaddress.ip_address(proxy)
    except ValueError:
        raise SystemExit(
            "myomap serve: behind a proxy, MYOMAP_TRUSTED_PROXIES must start with the proxy's "
            f"address (one address, not a network), not {proxy!r}"
        ) from None
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": max(1, int(settings.TRUSTED_PROXY_COUNT)),
        # Not X-Forwarded-Host: the documented proxies do not set it, so a client could.
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


# Threads per process. Several processes use the cores; a second thread in each overlaps
# one request's waits (the database, a slow client) with another's work, while more threads
# only share the process's one interpreter lock in turns, which stretches the slowest
# answers (at 32 connections on 2 cores: 99th percentile about twice that of 2 threads,
# the same requests a second). One process alone has only its threads to wait with.
THREADS_EACH = 2
THREADS_ALONE = 8


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's share), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every system (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def several_processes_available() -> bool:
    """gunicorn is installed and runs here (it needs fork: not on Windows)."""
    try:
        import gunicorn.arbiter  # noqa: F401
    except ImportError:
        return False
    return hasattr(os, "fork")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="run the web app (creates the database on first run)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server processes (default: one per usable core, here "
        f"{usable_cores()}); more than 1 needs gunicorn (Linux, macOS)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help=f"worker threads in each process (default {THREADS_EACH} with several "
        f"processes, {THREADS_ALONE} in one)",
    )
    parser.add_argument(
        "--no-jobs",
        action="store_true",
        help="run no background jobs here: separate `myomap worker` processes run them "
        "(a clinic network)",
    )
    demo = parser.add_mutually_exclusive_group()
    demo.add_argument(
        "--demo",
        action="store_true",
        help="on the first run of an empty database, create the demo clinic and print its "
        "logins (public passwords: never on a network; `myomap demo` adds it later, "
        f"`{REMOVE_DEMO}` takes it away)",
    )
    demo.add_argument(
        "--no-demo",
        action="store_true",
        help="does nothing: without --demo no demo data is created (kept for old scripts)",
    )
    parser.set_defaults(handler=run)


def _fail(message: str, code: int) -> int:
    print(f"myomap serve: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        return _fail(f"--port must be 1-65535, not {args.port}", 2)
    workers = usable_cores() if args.workers is None else args.workers
    if workers < 1:
        return _fail(f"--workers must be 1 or more, not {workers}", 2)
    if args.threads is not None and args.threads < 1:
        return _fail(f"--threads must be 1 or more, not {args.threads}", 2)
    if workers > 1 and not several_processes_available():
        if args.workers is not None:
            print(
                "myomap serve: several processes need gunicorn, which does not run on this "
                "system; serving with one process (--workers 1).",
                file=sys.stderr,
            )
        workers = 1
    if args.threads is None:
        args.threads = THREADS_EACH if workers > 1 else THREADS_ALONE
    from django.core.exceptions import ImproperlyConfigured

    from myomap.cli.kb import load_or_report
    from myomap.web.bootstrap import prepare_environment, secure_settings_on

    try:
        secure = secure_settings_on()
    except ImproperlyConfigured as exc:
        return _fail(str(exc), 2)
    if secure and args.demo:
        return _fail(
            f"--demo creates logins with public passwords; it is refused with "
            f"{' and '.join(secure)} on (a server on a network)",
            2,
        )
    # The same list `myomap kb check` prints, before anything is served from it.
    try:
        kb = load_or_report()
    except (OSError, UnicodeDecodeError) as exc:  # a file the loader could not even read
        return _fail(f"not started: cannot read the knowledge base: {exc}", 1)
    if kb is None:
        return _fail("not started: fix the knowledge base (`myomap kb check` lists the same)", 1)

    import django
    from django.conf import settings
    from django.core.management import call_command

    prepare_environment()
    try:
        django.setup()
    except ImproperlyConfigured as exc:  # a setting with a bad value, named in `exc`
        return _fail(f"not started: {exc}", 2)
    from django.db import connection

    database = settings.DATABASES["default"]
    where = str(database["NAME"]) if connection.vendor == "sqlite" else connection.vendor
    print(f"Myomap: preparing the database ({where})...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    from myomap.records.planner import refresh_statistics

    refresh_statistics()

    from myomap.web.admins import has_clinic_admin
    from myomap.web.demo import demo_accounts

    if secure:
        present = demo_accounts()
        if present:
            return _fail(
                f"demo accounts with public passwords exist ({', '.join(present)}) and "
                f"{' and '.join(secure)} is on. Remove them first: `{REMOVE_DEMO}` "
                "(it deletes the demo clinic, its clients and its accounts).",
                2,
            )

    from myomap.web.wsgi import application

    try:
        server: Any = _listen(application, args, workers, proxy_options(settings))
    except OSError as exc:
        return _fail(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror}). "
            "Is Myomap already running? Try --port with another number.",
            1,
        )
    # Demo logins have public passwords: created only when asked, on the first run of an
    # empty database, once the port is ours, and printed only when just created.
    logins: list[Any] = []
    if args.demo:
        from myomap.web.demo import create_demo_data_on_first_run

        logins = create_demo_data_on_first_run()
    shown_host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    print(f"Myomap is running at http://{shown_host}:{args.port}/", flush=True)
    for login in logins:
        print(f"  Demo {login.role} login: {login.username} / {login.password}", flush=True)
    if args.demo and not logins and not demo_accounts():
        print("  No demo data: the database is in use. `myomap demo` adds the demo clinic.")
    if not has_clinic_admin():
        print(
            "  No administrator yet: run `myomap admin create USERNAME --clinic NAME`; "
            "it prints a one-time link to set the admin's password.",
            flush=True,
        )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("  Other devices: add this machine's name or address to MYOMAP_ALLOWED_HOSTS.")
    if workers > 1:
        print(f"  {workers} server processes, {args.threads} threads each.", flush=True)
    jobs = None
    # Until the server installs its own handlers (in `run`), a service manager's stop
    # (SIGTERM) ends serve as Ctrl+C does, through the `finally` that stops the jobs.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        # One consumer of the background jobs beside the web processes (myomap.cli.worker),
        # inside the try: a stop that arrives while it starts still stops it.
        jobs = None if args.no_jobs else _jobs_beside()
        print("Press Ctrl+C to stop.", flush=True)
        code = server.run() or 0
    except KeyboardInterrupt:
        code = 0
    finally:
        if jobs is not None:
            jobs.stop()
    print("\nMyomap stopped.", flush=True)
    return int(code)


def _listen(application: Any, args: argparse.Namespace, workers: int, proxy: dict[str, Any]) -> Any:
    """The server, bound to its port (OSError when it cannot be): gunicorn's master for
    several processes, waitress for one."""
    if workers > 1:
        from myomap.web.server import Listening

        return Listening(
            application,
            host=args.host,
            port=args.port,
            workers=workers,
            threads=args.threads,
            proxy=proxy,
        )
    from waitress.server import create_server

    # SIGTERM (a service manager's stop) ends waitress as Ctrl+C does, with its message.
    signal.signal(signal.SIGTERM, _interrupt)
    return create_server(application, host=args.host, port=args.port, threads=args.threads, **proxy)


def _jobs_beside() -> Any:
    from myomap.cli.worker import BesideTheServer

    return BesideTheServer()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
