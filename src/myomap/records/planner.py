"""The database's own statistics, which its query planner chooses indexes by.

PostgreSQL keeps them itself (autovacuum). SQLite keeps none until asked: without them,
a name search at 10,000 clients walks the list's order index and filters row by row
(about 4 ms) instead of reading the search indexes and sorting the few rows found (about
0.5 ms). `myomap serve` refreshes them as it starts, and the demo clinic after seeding."""

from __future__ import annotations

from django.db import connection

# Rows SQLite samples per index: enough for the planner, quick on a large database.
SAMPLE_ROWS = 1000


def refresh_statistics(*, postgres_too: bool = False) -> None:
    """Refresh the planner's statistics: SQLite always; PostgreSQL only when asked (after
    a bulk load, before autovacuum comes round)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
            cursor.execute("ANALYZE")
        elif postgres_too and connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
