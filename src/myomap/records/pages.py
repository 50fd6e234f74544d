"""One way to cut a list into pages, for every list page and API list: the page's rows,
its number, the total, the number of pages, and the links to the others keeping the
list's filters (the search term, the audit log's action and client).

Two queries per page whatever the list's length: the count, and the page's rows (the
database skips to them through the list's index, see the models' `Meta.indexes`).

    page = paginate(client_list(user, q), requested(request.GET.get("page")),
                    per_page=50, keep={"q": q})
    page.rows, page.number, page.count, page.pages, page.link(page.number + 1)

A page number typed by hand may be wrong. `requested` reads it ("3", "abc", "-1"), and
`paginate` shows the nearest page there is, with a `notice` saying so, for the web;
the API refuses such a number in its schema (422 naming `page`) before it gets here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urlencode

from django.db.models import Model, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)

# How many numbered links a page shows on each side of the current one.
AROUND = 2


@dataclass(frozen=True)
class Asked:
    """The page number as asked: `number` when it is a whole number, and what was typed."""

    number: int | None
    typed: str


def requested(raw: str | None) -> Asked:
    """The page a query string asks for: `requested("3")` is page 3; `requested(None)`
    (no page given) is page 1; `requested("abc")` is no number at all."""
    typed = "".join(ch for ch in (raw or "") if ch.isprintable()).strip()[:20]
    if not typed:
        return Asked(1, "")
    try:
        return Asked(int(typed), typed)
    except ValueError:
        return Asked(None, typed)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. `number` is 1-based; an empty list has one (empty) page."""

    rows: list[T]
    number: int
    count: int
    pages: int
    per_page: int
    keep: Mapping[str, str] = field(default_factory=dict)
    notice: str = ""  # why this is not the page that was asked for, if it is not
    at: str = ""  # the list's own address, when the links must name it (below)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_number(self) -> int:
        return max(self.number - 1, 1)

    @property
    def next_number(self) -> int:
        return min(self.number + 1, self.pages)

    @property
    def previous_link(self) -> str:
        return self.link(self.previous_number)

    @property
    def next_link(self) -> str:
        return self.link(self.next_number)

    @property
    def where(self) -> str:
        """ "Page 3 of 201" and the total, as the page links show them: "10,003"."""
        return f"Page {self.number:,} of {self.pages:,}"

    @property
    def count_text(self) -> str:
        return f"{self.count:,}"

    @property
    def first_index(self) -> int:
        """The 1-based position of the page's first row in the whole list (0 if empty)."""
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0

    def link(self, number: int) -> str:
        """The link to page `number`, keeping the list's filters: `?q=smi&page=3` (filters
        left empty are left out), after the list's address when it has one
        (`/accounts/clinic/?page=2`: a list also shown on the answer to a form posted to
        another address, where "?page=2" would go there)."""
        params = {name: value for name, value in self.keep.items() if value}
        params["page"] = str(number)
        return self.at + "?" + urlencode(params)

    @property
    def window(self) -> list[int | None]:
        """The numbers to link: the first, the last and AROUND pages either side of this
        one; None where pages are skipped. Page 7 of 20: [1, None, 5, 6, 7, 8, 9, None, 20]."""
        near = range(max(1, self.number - AROUND), min(self.pages, self.number + AROUND) + 1)
        shown = sorted({1, self.pages, *near})
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers

    @property
    def links(self) -> list[tuple[int | None, str]]:
        """(number, query string) for each number of `window`; (None, "") for a gap."""
        return [(n, self.link(n) if n is not None else "") for n in self.window]


def pages_for(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


@overload
def paginate(
    rows: QuerySet[M],
    asked: Asked | int,
    *,
    per_page: int,
    keep: Mapping[str, str] | None = None,
    noun: str = "page",
    at: str = "",
) -> Page[M]: ...


@overload
def paginate(
    rows: Sequence[T],
    asked: Asked | int,
    *,
    per_page: int,
    keep: Mapping[str, str] | None = None,
    noun: str = "page",
    at: str = "",
) -> Page[T]: ...


def paginate(
    rows: QuerySet[Any] | Sequence[Any],
    asked: Asked | int,
    *,
    per_page: int,
    keep: Mapping[str, str] | None = None,
    noun: str = "page",
    at: str = "",
) -> Page[Any]:
    """The page `asked` of `rows` (an ordered queryset: counted, then sliced). A number
    that is not a page gives the nearest page there is, and a notice saying so."""
    if isinstance(asked, int):
        asked = Asked(asked, str(asked))
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    pages = pages_for(count, per_page)
    number, notice = _nearest(asked, pages, noun)
    start = (number - 1) * per_page
    shown = list(rows[start : start + per_page])
    return Page(shown, number, count, pages, per_page, dict(keep or {}), notice, at)


def _nearest(asked: Asked, pages: int, noun: str) -> tuple[int, str]:
    if asked.number is None:
        return 1, f"“{asked.typed}” is not a {noun} number: showing {noun} 1."
    if asked.number < 1:
        return 1, f"There is no {noun} {asked.number}: showing {noun} 1."
    if asked.number > pages:
        return pages, f"There is no {noun} {asked.number}: showing the last, {noun} {pages}."
    return asked.number, ""
