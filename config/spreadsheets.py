"""CSV that a spreadsheet opens as data: a text cell that begins with `=`, `+`, `-`, `@`, a
tab or a carriage return would be read as a formula (OWASP's CSV injection), so it is
written with a leading apostrophe; numbers, and text that is a plain number (`-12.50`), stay
as they are. Written here rather than with defusedcsv: it leaves tab and carriage return
alone and rewrites `|` inside values."""

import csv
import re
from collections.abc import Iterable
from numbers import Number
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: Any) -> Any:
    if value is None or isinstance(value, Number):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's interface, every cell made safe."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """csv.DictWriter's interface, every cell made safe (the header row is ours)."""

    def __init__(self, file, fieldnames: list[str], **options):
        self._writer = csv.DictWriter(file, fieldnames=fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: dict[str, Any]) -> None:
        self._writer.writerow({name: safe_cell(value) for name, value in row.items()})

    def writerows(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
