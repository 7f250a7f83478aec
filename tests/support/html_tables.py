"""Read the numbers of a dashboard page: KPI values and table rows, by their ids and
data attributes (the same hooks the browser test uses)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_KPI = re.compile(r'id="kpi-([a-z_]+)" data-value="(\d+)"')


def kpis(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in _KPI.findall(html)}


class _Rows(HTMLParser):
    """Rows of one table (by id): the row's data-<key> attribute -> {data-col: int}."""

    def __init__(self, table_id: str, key: str) -> None:
        super().__init__()
        self.table_id, self.key = table_id, f"data-{key}"
        self.inside = False
        self.row: str | None = None
        self.col: str | None = None
        self.rows: dict[str, dict[str, str]] = {}
        self.cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("id") == self.table_id
        elif self.inside and tag == "tr" and a.get(self.key) is not None:
            self.row = a[self.key]
            self.rows[self.row] = {}
            self.cells = []
        elif self.inside and tag == "td" and self.row is not None:
            self.col = a.get("data-col") or f"#{len(self.cells)}"
            self.cells.append(self.col)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "tr":
            self.row = None
        elif tag == "td":
            self.col = None

    def handle_data(self, data: str) -> None:
        if self.row is not None and self.col is not None:
            self.rows[self.row][self.col] = self.rows[self.row].get(self.col, "") + data.strip()


def table(html: str, table_id: str, key: str) -> dict[str, dict[str, str]]:
    parser = _Rows(table_id, key)
    parser.feed(html)
    return parser.rows


def numbers(html: str, table_id: str, key: str) -> dict[str, dict[str, int]]:
    return {row: {c: int(v) for c, v in cols.items() if v.isdigit() and not c.startswith("#")}
            for row, cols in table(html, table_id, key).items()}
