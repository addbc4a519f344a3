"""The abandoned-call list as a file to download: CSV in UTF-8 with a byte-order mark (so Excel reads the Korean
headers as Korean) and Excel (.xlsx, written with openpyxl, times and waits as real cells). Both carry exactly
the page's columns (``history_table.ABANDONED_HEADERS``): time, masked number, wait, queue, callback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from dashboard.history_table import ABANDONED_HEADERS, abandoned_rows
from dashboard.supervisor_ports import AbandonedCall
from kernel.calendar import SEOUL

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def abandoned_csv(calls: Sequence[AbandonedCall]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ABANDONED_HEADERS)
    writer.writerows(abandoned_rows(calls))
    return out.getvalue().encode("utf-8-sig")


def abandoned_xlsx(calls: Sequence[AbandonedCall]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "포기호"
    sheet.append(ABANDONED_HEADERS)
    for call in calls:
        sheet.append([
            call.enqueued_at.astimezone(SEOUL).replace(tzinfo=None), call.caller_masked or "발신번호 없음",
            round(call.wait_s), f"{call.center}/{call.skill}", "예" if call.callback_requested else "",
        ])  # fmt: skip
    for column, width in zip("ABCDE", (20, 18, 14, 24, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
