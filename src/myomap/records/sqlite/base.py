"""Django's SQLite backend, with SQLite's advice for long-lived connections followed:
`PRAGMA optimize` just before a connection closes (a server thread's connection closes
after CONN_MAX_AGE). It refreshes the planner's statistics of the tables that connection
used, when they would change a plan, sampling at most `analysis_limit` rows per index, so
a clinic that grows from 3 clients to 5,000 while the server runs gets the name search's
indexes without a restart. Usually it does nothing and costs nothing."""

from __future__ import annotations

import contextlib
import sqlite3

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("PRAGMA optimize")
        super()._close()  # type: ignore[misc]
