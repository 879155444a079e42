"""Locking a row and reading what the lock guards, in one round trip to PostgreSQL."""

from django.db import connections


def lock_then_read(alias: str, lock: tuple[str, list], read: tuple[str, list]) -> list[tuple]:
    """Run `lock` (a SELECT … FOR [NO KEY] UPDATE), then `read`, and answer the read's rows.
    On PostgreSQL both travel as one query (psycopg2 sends them together) and the read is a
    statement of its own, begun once the lock is ours, so under READ COMMITTED it sees what
    the transaction it waited for committed; a hot row then stays locked for that round
    trip and the commit, not also while a busy worker's thread waits for the GIL between
    two statements. Where rows are not locked (SQLite: one writer at a time) only the read
    runs. Must run inside a transaction."""
    connection = connections[alias]
    sql, params = read
    if connection.features.has_select_for_no_key_update:
        sql, params = f"{lock[0]}; {sql}", [*lock[1], *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
