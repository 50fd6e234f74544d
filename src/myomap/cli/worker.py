"""`myomap worker`: runs the background jobs (e-mail, reminders, check-ins) from the queue,
for a clinic network on PostgreSQL or Redis, as many processes on as many machines as it
needs: each job is run once whoever takes it. The embedded default needs none: `myomap
serve` starts one consumer itself."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

THREADS = 2


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "worker",
        help="run background jobs (a clinic network; `myomap serve` runs them itself)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help=f"jobs run at once in this process (default {THREADS})",
    )
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.threads < 1:
        print(f"myomap worker: --threads must be 1 or more, not {args.threads}", file=sys.stderr)
        return 2
    import django
    from django.core.exceptions import ImproperlyConfigured

    from myomap.web.bootstrap import prepare_environment

    # Started in the background by a shell, a process inherits Ctrl+C ignored: this one
    # must still stop on SIGINT (how `myomap serve` asks it to) while it starts up.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    prepare_environment()
    try:
        django.setup()
    except ImproperlyConfigured as exc:  # a setting with a bad value, named in `exc`
        print(f"myomap worker: not started: {exc}", file=sys.stderr)
        return 2
    from myomap.jobs.consumer import make_consumer
    from myomap.jobs.queue import describe

    consumer = make_consumer(args.threads)
    # Jobs left running by a worker that died (their lease over) get their next attempt
    # now, not at the next minute's sweep.
    from myomap.jobs.tasks import sweep_jobs

    sweep_jobs.call_local()
    if not args.quiet:
        print(
            f"Myomap worker: running background jobs from {describe()} "
            f"({args.threads} at once). Press Ctrl+C to stop.",
            flush=True,
        )
    consumer.run()
    if not args.quiet:
        print("Myomap worker stopped.", flush=True)
    return 0


_STOPS = {signal.SIGINT, signal.SIGTERM}


_PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for this process when its parent dies


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    # A serve that dies without its stop (killed, crashed) takes its consumer with it on
    # Linux: a restarted serve never finds an orphan consumer of the same queue beside its own.
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
        except (OSError, AttributeError):
            pass


class BesideTheServer:
    """The one consumer `myomap serve` runs: a `myomap worker` process of its own, started
    by serve's own process (gunicorn's master, not each web worker it forks), so however
    many web processes there are, one consumer takes the jobs. Stopped with the server:
    asked to finish its running job first (as Ctrl+C does), then ended."""

    def __init__(self) -> None:
        import subprocess

        self._subprocess = subprocess
        self.owner = os.getpid()
        posix = os.name == "posix"
        # A stop arriving while the child is spawned waits until `process` is set, then
        # stops it here, so no consumer is ever left running without its server.
        if posix:
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "myomap.cli.main", "worker", "--quiet"],
                stdin=subprocess.DEVNULL,
                # Ctrl+C's signal back to its default in the child (a shell that started
                # serve in the background had it ignored), and the stops unblocked.
                preexec_fn=_default_interrupt if posix else None,
            )
        except BaseException:
            if posix:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
            raise
        if posix:
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
            except KeyboardInterrupt:
                self.stop()
                raise

    def stop(self, wait_seconds: float = 10.0) -> None:
        # A web worker forked from serve's process leaves through the same code: only the
        # process that started the consumer stops it.
        if os.getpid() != self.owner or self.process.poll() is not None:
            return
        # Asked to finish its running job (SIGINT), then told to stop now (SIGTERM: an
        # interrupted job is retried by the sweep once its lease is over), then ended.
        asks = [signal.SIGTERM] if os.name == "nt" else [signal.SIGINT, signal.SIGTERM]
        for ask, wait in zip(asks, (wait_seconds, 5.0), strict=False):
            try:
                self.process.send_signal(ask)
                self.process.wait(timeout=wait)
                return
            except self._subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:  # already gone (reaped by gunicorn's master)
                return
        self.process.kill()
        self.process.wait()
