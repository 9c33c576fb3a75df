"""What the search app's PostgreSQL migrations share. The PostgreSQL backend's tables
(search.backends.postgres) exist on PostgreSQL only: SQLite sites search with Whoosh or
tantivy, so these migrations do nothing there. (The loader reads no module whose name starts
with an underscore as a migration.)"""

from collections.abc import Callable, Sequence

from django.db import migrations


def on_postgres(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """An operation that runs ``forward``'s statements on PostgreSQL (``backward``'s when it
    is unapplied) and nothing on other databases."""
    return migrations.RunPython(_statements(forward), _statements(backward))


def _statements(statements: Sequence[str]) -> Callable:
    def execute(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            # No parameters: a "%" in the statements is an operator (modulo), not a
            # placeholder.
            schema_editor.execute(statement, params=None)

    return execute
