"""Writing results: CSV in two dialects and JSON, all-or-nothing per scenario folder."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CSV_DIALECTS = ("pandas", "excel-no")


def csv_text(rows: Sequence[Mapping[str, Any]], dialect: str = "pandas") -> str:
    """Rows as CSV text.

    ``pandas``: comma separated, decimal point. ``excel-no``: semicolon separated with decimal
    commas, as Norwegian Excel opens it (the file gets a UTF-8 byte-order mark when written).
    """
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}; expected one of {', '.join(CSV_DIALECTS)}")
    buffer = io.StringIO()
    if not rows:
        return ""
    delimiter = ";" if dialect == "excel-no" else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    fields = list(rows[0])
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row[f], dialect) for f in fields])
    return buffer.getvalue()


def _cell(value: Any, dialect: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
        text = "0" if text in ("-0", "") else text
        return text.replace(".", ",") if dialect == "excel-no" else text
    return str(value)


def json_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=json_default) + "\n"


def canonical_json(document: Any) -> str:
    """Compact JSON with sorted keys: the same document always gives the same text (hashes, cache keys)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=json_default)


def json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_folder(target: Path, files: Mapping[str, str | bytes], *, bom_for: Sequence[str] = ()) -> None:
    """Write ``files`` (name -> text, or bytes for a binary file) into folder ``target`` all at once.

    Everything goes to a temporary folder beside ``target`` first; only when every file is
    written is it moved into place, replacing an older ``target``. A failure leaves the old
    folder (or nothing) behind, never a half-written one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, text in files.items():
            if isinstance(text, bytes):  # binary files (e.g. a .docx) as they are
                (staging / name).write_bytes(text)
                continue
            encoding = "utf-8-sig" if name in bom_for else "utf-8"
            (staging / name).write_text(text, encoding=encoding, newline="")
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old"
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_file(target: Path, text: str, *, bom: bool = False) -> None:
    """Write one text file whole or not at all: a temporary file beside it, then renamed over it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(staging, 0o666 & ~_umask())
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
