"""`myomap serve`: the main job. Prepares the embedded database on first run, creates the
demo logins when the database is empty (only then, or with --demo), prints where to go,
and serves the web app with a production WSGI server."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="run the web app (creates the database on first run)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    demo = parser.add_mutually_exclusive_group()
    demo.add_argument(
        "--demo",
        action="store_true",
        help="create the demo clinic and the missing demo accounts even if the database is "
        "in use (by default only on the first run of an empty database)",
    )
    demo.add_argument(
        "--no-demo", action="store_true", help="do not create demo accounts, not even on first run"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"myomap serve: --port must be 1-65535, not {args.port}", file=sys.stderr)
        return 2
    import django
    from django.conf import settings
    from django.core.management import call_command

    from myomap.web.bootstrap import prepare_environment

    prepare_environment()
    django.setup()
    database = settings.DATABASES["default"]
    engine = str(database["ENGINE"])
    where = str(database["NAME"]) if engine.endswith("sqlite3") else engine.rsplit(".", 1)[-1]
    print(f"Myomap: preparing the database ({where})...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)

    from waitress.server import create_server

    from myomap.web.wsgi import application

    try:
        server: Any = create_server(
            application, host=args.host, port=args.port, threads=args.threads
        )
    except OSError as exc:
        print(
            f"myomap serve: cannot listen on {args.host}:{args.port} ({exc.strerror}). "
            "Is Myomap already running? Try --port with another number.",
            file=sys.stderr,
        )
        return 1
    # Demo logins have public passwords: created only on the first run of an empty
    # database (or with --demo), once the port is ours, and printed only when just created.
    logins: list[Any] = []
    if not args.no_demo:
        from myomap.web.demo import create_demo_data_on_first_run, ensure_demo_data

        logins = ensure_demo_data() if args.demo else create_demo_data_on_first_run()
    shown_host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    print(f"Myomap is running at http://{shown_host}:{args.port}/", flush=True)
    for login in logins:
        print(f"  Demo {login.role} login: {login.username} / {login.password}", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("  Other devices: add this machine's name or address to MYOMAP_ALLOWED_HOSTS.")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("\nMyomap stopped.")
    return 0
