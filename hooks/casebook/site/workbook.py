"""cases.xlsx: the open data as a workbook for Excel, WPS and LibreOffice users.

A CSV opens garbled in LibreOffice's default import (it ignores the byte-order mark), and every
value in it is text; a workbook carries its encoding, numbers and dates. Three sheets:

- 案例: the columns of cases.csv, in the same order, headed by their Chinese titles (the codebook's);
- 关键数据: one row per key figure, its value a number;
- 来源: one row per source a case cites, with its GB/T 7714 citation.

Every string is stored as a string (data type "s"), never as a formula: a cell that starts with
=, +, - or @ opens as the text it is (the CSV needs a quote for that; a workbook does not). The
same records give the same bytes: the document's dates are the newest record's, and the zip
entries carry a fixed time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from ..model import Casebook
from .codebook import FORMATS, ColumnRow, KeyRow, csv_columns_doc, json_keys
from .exports import LIST_SEPARATOR, _record, plan

CASES_SHEET = "案例"
FIGURES_SHEET = "关键数据"
SOURCES_SHEET = "来源"
SHEETS = (CASES_SHEET, FIGURES_SHEET, SOURCES_SHEET)
MIN_WIDTH, MAX_WIDTH = 6, 60  # in characters of Latin width; a CJK character counts two
DATE_FORMAT = "yyyy-mm-dd"  # what openpyxl gives a date cell; the tests check it
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry
# Characters a spreadsheet draws two columns wide: CJK, full-width forms, CJK punctuation.
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


@dataclass(frozen=True)
class Sheet:
    """What the codebook says of a sheet beside 案例."""

    name: str
    description: str
    columns: tuple[str, ...]


def _list_sheets(keys: Sequence[KeyRow]) -> list[tuple[str, str, str, list[KeyRow]]]:
    """(sheet, the list key of a case it spreads into rows, description, that list's keys)."""
    out = []
    for sheet, key, description in (
        (FIGURES_SHEET, "figures", "每个关键数字一行，数值是数字，可以直接计算。"),
        (SOURCES_SHEET, "sources", "每个案例引用的每个来源一行，附 GB/T 7714 著录。"),
    ):
        prefix = f"cases[].{key}[]."
        out.append((sheet, key, description, [k for k in keys if k.path.startswith(prefix)]))
    return out


def sheets(book: Casebook) -> list[Sheet]:
    keys = json_keys(book)
    lead = _lead_titles(keys)
    return [Sheet(s, d, (*lead, *(k.title for k in rows))) for s, _, d, rows in _list_sheets(keys)]


def _lead_titles(keys: Sequence[KeyRow]) -> tuple[str, str]:
    by_path = {k.path: k.title for k in keys}
    return by_path["cases[].id"], by_path["cases[].title"]


def _width(text: str) -> int:
    """Display width, in Latin characters, of as much of the text as a column can show."""
    head = text[: MAX_WIDTH + 1]
    return len(head) + len(_WIDE.findall(head))


def _cell_value(value: Any, is_date: bool) -> Any:
    """A value as the workbook holds it: numbers stay numbers, full dates become dates, lists are
    joined as in the CSV, and what is missing stays empty."""
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class _SheetWriter:
    """One write-only sheet: a frozen, bold header row, text kept as text, widths from content."""

    def __init__(self, wb: Workbook, name: str, headers: Sequence[str]) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(name)
        self.ws.freeze_panes = "A2"
        self.headers = list(headers)
        self.widths = [_width(h) for h in headers]
        self.rows: list[list[Any]] = []  # values, not cells: a sheet takes its widths before its rows

    def add(self, values: Iterable[Any]) -> None:
        row = list(values)
        for i, value in enumerate(row):
            if isinstance(value, str):
                self.widths[i] = max(self.widths[i], _width(value))
            elif isinstance(value, dt.date):
                self.widths[i] = max(self.widths[i], 10)
            elif value is not None:
                self.widths[i] = max(self.widths[i], len(str(value)))
        self.rows.append(row)

    def _cell(self, value: Any) -> Any:
        """A value as openpyxl should write it. Plain values go as they are (openpyxl types them,
        and gives dates a date format); only what needs more becomes a cell, because a cell
        object costs ten times a plain value at thousands of rows."""
        if not isinstance(value, str):
            return value
        formula_like = value.startswith("=") or value in ERROR_CODES
        long = _width(value) > MAX_WIDTH
        if not (formula_like or long):
            return value  # openpyxl writes any other string as a string cell
        cell = WriteOnlyCell(self.ws, value)
        # openpyxl reads "=..." as a formula and "#N/A" as an error: the string as written.
        cell.data_type = "s"
        if long:
            cell.alignment = WRAP
        return cell

    def _header(self, title: str) -> Any:
        cell = WriteOnlyCell(self.ws, title)
        cell.data_type = "s"
        cell.font = BOLD
        return cell

    def finish(self) -> None:
        for i, width in enumerate(self.widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH) + 2
        self.ws.append([self._header(h) for h in self.headers])
        for row in self.rows:
            self.ws.append([self._cell(v) for v in row])
        self.rows = []


def cases_xlsx(book: Casebook) -> bytes:
    rules = plan(book)
    keys = json_keys(book)
    columns: list[ColumnRow] = csv_columns_doc(book, keys)
    kinds = {k.path: k.kind for k in keys}
    dates = [kinds.get(f"cases[].{c.key}") == FORMATS["date"] for c in columns]
    records = [_record(book, case, rules) for case in book.cases_by_title]

    wb = Workbook(write_only=True)
    newest = max((c.last_changed for c in book.cases.values()), default="2000-01-01")
    wb.properties.created = wb.properties.modified = dt.datetime.fromisoformat(newest)
    wb.properties.creator = book.site.publisher
    wb.properties.title = f"{book.site.name}开放数据"

    main = _SheetWriter(wb, CASES_SHEET, [c.title for c in columns])
    for record in records:
        cells: list[Any] = []
        for _, rule in rules:
            if rule.cells is not None:
                cells += rule.cells(record)
        main.add(_cell_value(v, d) for v, d in zip(cells, dates, strict=True))
    writers = [main]
    lead = _lead_titles(keys)
    for sheet, key, _, rows in _list_sheets(keys):
        subs = [r.path.rsplit(".", 1)[1] for r in rows]
        sub_dates = [r.kind == FORMATS["date"] for r in rows]
        writer = _SheetWriter(wb, sheet, [*lead, *(r.title for r in rows)])
        for record in records:
            for item in record[key]:
                writer.add(
                    [
                        record["id"],
                        record["title"],
                        *(_cell_value(item[s], d) for s, d in zip(subs, sub_dates, strict=True)),
                    ]
                )
        writers.append(writer)
    for writer in writers:
        writer.finish()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter, not Workbook.save: save() stamps the file with the time of the build.
        ExcelWriter(wb, archive).save()
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The same zip with every entry dated ZIP_TIME, so that the same records give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
