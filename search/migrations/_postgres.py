"""What the PostgreSQL-only migrations share. The PostgreSQL backend's tables
(search.backends.postgres) exist on PostgreSQL only: SQLite sites search with Whoosh or
tantivy, so these migrations do nothing there; archive 0015 (a PostgreSQL storage setting)
uses them too. (The loader reads no module whose name starts with an underscore as a
migration.)"""

from collections.abc import Callable, Sequence

from django.db import NotSupportedError, migrations, transaction


def on_postgres(
    forward: Sequence[str], backward: Sequence[str], where_supported: Sequence[str] = ()
) -> migrations.RunPython:
    """An operation that runs ``forward``'s statements on PostgreSQL (``backward``'s when it
    is unapplied) and nothing on other databases. ``where_supported``: statements run after
    ``forward``'s that a server may refuse as not supported (a compression method it was
    built without, say); such a server goes on as it was."""
    return migrations.RunPython(_statements(forward, where_supported), _statements(backward))


def _statements(statements: Sequence[str], where_supported: Sequence[str] = ()) -> Callable:
    def execute(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            # No parameters: a "%" in the statements is an operator (modulo), not a
            # placeholder.
            schema_editor.execute(statement, params=None)
        for statement in where_supported:
            try:
                # A savepoint: a refused statement must not abort the migration's transaction.
                with transaction.atomic(using=schema_editor.connection.alias):
                    schema_editor.execute(statement, params=None)
            except NotSupportedError:
                pass

    return execute
