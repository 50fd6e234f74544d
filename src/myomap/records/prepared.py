"""Querysets compiled once per process and database, then run with other numbers.

Django compiles a queryset's SQL anew on every evaluation: for the record pages' reads
(a visit with its client, a note's versions) that takes longer than SQLite takes to
answer, and every page pays for it several times. A `Prepared` read is written as a
queryset (the same filters, visibility rules and joins as anywhere else), built once
with a placeholder number for each argument; its SQL and the compiler's description of
the columns are kept, and each call runs that SQL with the real numbers put where the
placeholders were, through Django's own row-to-model code (select_related included).

Only whole numbers (primary keys, clinic ids) are arguments, so a placeholder cannot be
changed on its way into the SQL; building checks that each lands exactly once among the
parameters. What is kept is SQL text and column descriptions, never rows: nothing of the
records stays in the process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M")  # a model, or the tuples of a values_list

# Numbers no record has: the placeholder for argument i is PLACEHOLDER + i.
PLACEHOLDER = 7_391_846_000_000


@dataclass(frozen=True)
class Staff:
    """A clinic's therapist or admin as the visibility rules read one (`is_staff_member`,
    `clinic_id`): so a prepared read is built with the same rule as every other read."""

    clinic_id: int
    is_authenticated: bool = True
    is_staff_member: bool = True


def staff_clinic(user: Any) -> int | None:
    """The clinic of a therapist or admin, whose reads may be prepared; None for anyone
    else (a client reads through the plain querysets)."""
    if getattr(user, "is_authenticated", False) and getattr(user, "is_staff_member", False):
        clinic: int | None = getattr(user, "clinic_id", None)
        return clinic
    return None


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int | None, ...]  # for each parameter: which argument, or None (a constant)
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool


class Prepared(Generic[M]):
    """`build(*numbers)` compiled once per database; `rows(*numbers)` runs it."""

    def __init__(self, build: Callable[..., QuerySet[Any, M]], arguments: int) -> None:
        self._build = build
        self._arguments = arguments
        self._compiled: dict[str, _Compiled] = {}
        self._converters: dict[int, Any] = {}

    def rows(self, *numbers: int) -> list[M]:
        if len(numbers) != self._arguments:
            raise TypeError(f"expected {self._arguments} numbers, got {len(numbers)}")
        compiled = self._for(router.db_for_read(self._model()))
        values = [int(n) for n in numbers]
        params = [
            value if slot is None else values[slot]
            for value, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        queryset = compiled.queryset._chain()  # type: ignore[attr-defined]
        compiler = queryset.query.get_compiler(using=queryset.db)
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        compiler.select = compiled.select
        compiler.klass_info = compiled.klass_info
        compiler.annotation_col_map = compiled.annotation_col_map
        compiler.col_count = compiled.col_count
        compiler.has_extra_select = compiled.has_extra_select
        # The columns' converters depend on the columns and this connection's backend only:
        # worked out once per connection (each thread has its own) instead of per call.
        converters = self._converters.get(id(compiler.connection))
        if converters is None:
            fields = [s[0] for s in compiled.select[0 : compiled.col_count]]
            converters = compiler.get_converters(fields)
            self._converters[id(compiler.connection)] = converters
        compiler.get_converters = lambda fields: converters
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def _model(self) -> type[Model]:
        if not self._compiled:
            model: type[Model] = self._build(*self._placeholders()).model
            return model
        return next(iter(self._compiled.values())).queryset.model

    def _placeholders(self) -> list[int]:
        return [PLACEHOLDER + i for i in range(self._arguments)]

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        return compiled

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build(*self._placeholders()).using(alias)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ValueError("a prepared read is built from a model's manager, with no prefetch")
        compiler = queryset.query.get_compiler(using=alias, connection=connections[alias])
        sql, params = compiler.as_sql()
        slots = tuple(_slot(p, self._arguments) for p in params)
        for argument in range(self._arguments):
            if slots.count(argument) != 1:
                raise ValueError(f"argument {argument} is not one parameter of the SQL: {sql}")
        return _Compiled(
            queryset,
            sql,
            tuple(params),
            slots,
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            compiler.col_count,
            compiler.has_extra_select,
        )


def _slot(param: Any, arguments: int) -> int | None:
    if isinstance(param, int) and not isinstance(param, bool):
        index = param - PLACEHOLDER
        if 0 <= index < arguments:
            return index
    return None
