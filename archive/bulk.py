"""Bulk inserts without the ORM's work per value, for the ingest's batches.

``QuerySet.bulk_create`` compiles each field of each row on its own: a placeholder asked of
the field, its value through ``pre_save`` and ``get_db_prep_save``, a check for expressions.
For an article's twenty-odd columns that was a quarter of the saving process's time
(0.26 ms an article), twice what the database took to store the row. Here the statement is
written once per batch and each column's conversion is chosen once per model: the values
that are already what the database takes (a str for a text column, an int for an integer,
an aware datetime) go as they are; anything else goes through the field, as bulk_create
would send it.
"""

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


def insert_all(objects: Sequence[models.Model]) -> None:
    """Insert new instances of one model (no primary key yet) and set their primary keys,
    as ``bulk_create`` does (no ``save()``, no signals; plain values, not expressions).
    What this does not cover goes to ``bulk_create`` itself: a database that cannot return
    the ids of a multi-row insert, a model with parent tables, an instance given its key."""
    if not objects:
        return
    model = type(objects[0])
    db = connections[router.db_for_write(model)]  # as bulk_create chooses it
    if (
        not db.features.can_return_rows_from_bulk_insert
        or model._meta.parents
        or any(instance.pk is not None for instance in objects)
    ):
        model._base_manager.bulk_create(objects)
        return
    fields, converters, stamped = _columns(model)
    now = timezone.now()  # auto_now and auto_now_add: one time for the whole insert
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    returning = f" RETURNING {table}.{quote(model._meta.pk.column)}"
    row_placeholder = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, _max_parameters(db) // len(fields))
    with db.cursor() as cursor:
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            values: list[Any] = []
            for instance in chunk:
                for name in stamped:
                    setattr(instance, name, now)
                values += [convert(instance, db) for convert in converters]
            cursor.execute(f"{head}{', '.join([row_placeholder] * len(chunk))}{returning}", values)
            for instance, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                instance.pk = key
                instance._state.adding = False
                instance._state.db = db.alias


def _max_parameters(db: BaseDatabaseWrapper) -> int:
    """How many values one statement may carry: SQLite's own limit (32,766 since 3.32;
    Django assumes the 999 of older builds, which cut a batch of articles into a dozen
    statements), PostgreSQL's 65,535."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        return db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return db.features.max_query_params or 65_535


Converter = Callable[[models.Model, BaseDatabaseWrapper], Any]


@cache
def _columns(model: type[models.Model]) -> tuple[list[models.Field], list[Converter], list[str]]:
    """The columns an insert writes (bulk_create's: every concrete one but the generated
    primary key and generated columns), each with how an instance's value is read for it,
    and the attributes stamped with the time of the insert (auto_now, auto_now_add)."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    stamped = [
        field.attname
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    return fields, [_converter(field) for field in fields], stamped


def _converter(field: models.Field) -> Converter:
    """What bulk_create sends for the field: ``get_db_prep_save(pre_save(instance))``, with
    a shortcut for Django's own plain fields (not a subclass, which may convert otherwise):
    their ``pre_save`` reads the attribute, and a value already of the column's type (or
    None) is sent as it is."""
    name = field.attname

    def through_the_field(instance: models.Model, db: BaseDatabaseWrapper) -> Any:
        return field.get_db_prep_save(field.pre_save(instance, True), db)

    # A plain foreign key sends its target's value (a subclass may convert otherwise).
    column = field.target_field if type(field) is models.ForeignKey else field
    plain = _PLAIN.get(type(column))
    if plain is datetime:

        def datetime_value(instance: models.Model, db: BaseDatabaseWrapper) -> Any:
            # An aware datetime is what the field's own preparation leaves as it is (a naive
            # one gets its warning there, a date its time).
            value = instance.__dict__[name]
            if type(value) is datetime and value.tzinfo is not None:
                return db.ops.adapt_datetimefield_value(value)
            return through_the_field(instance, db)

        return datetime_value
    if plain is None:
        return through_the_field

    def plain_value(instance: models.Model, db: BaseDatabaseWrapper) -> Any:
        value = instance.__dict__[name]
        if value is None or type(value) is plain:
            return value
        return through_the_field(instance, db)

    return plain_value


# Django's plain fields whose preparation leaves a value of this type as it is.
_PLAIN: dict[type[models.Field], type] = {
    **dict.fromkeys([models.CharField, models.TextField, models.SlugField, models.URLField], str),
    **dict.fromkeys(
        [
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.AutoField,
            models.BigAutoField,
        ],
        int,
    ),
    models.BooleanField: bool,
    models.DateTimeField: datetime,
}
