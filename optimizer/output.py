"""Writing results: CSV in two dialects and JSON; every output written all-or-nothing.

Rules for every file or folder the toolkit writes (``write_folder``, ``write_file``):

- it is built under a unique hidden name beside its target (``.<name>.tmp-<pid>-<hex>``), flushed
  to disk, and only then put in place, so a reader sees the old complete result or the new one;
- on Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``: the old result is never missing.
  Where that is not available (other systems, some network file systems) the old result is first
  renamed to ``.<name>.backup-<pid>-<hex>``, the new one moved in and the backup removed; a run
  killed between the two renames leaves the backup, which the next write restores;
- leftovers of killed runs (temporary names of processes that no longer exist) are removed by the
  next write to the same target;
- only an earlier result of the same kind is replaced: a result folder carries a marker file
  (``.vertskommune``) naming its kind; a single file is replaced only if it is unchanged since this
  toolkit wrote it (recorded in ``.vertskommune-files.json`` in its folder). Anything else at the
  target is left alone and reported as ``OutputError``;
- a target name must be a safe folder or file name (``safe_name``), so nothing is written outside
  the folder given.
"""

from __future__ import annotations

import csv
import ctypes
import datetime
import errno
import hashlib
import io
import json
import math
import os
import shutil
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from optimizer.errors import UserInputError
from optimizer.i18n import tr

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
    if value is None:  # no value (a figure that does not apply): an empty cell, as pandas reads it
        return ""
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
    if isinstance(value, datetime.date | datetime.time):  # TOML dates and times
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


MARKER = ".vertskommune"
MANIFEST = ".vertskommune-files.json"
RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_NAME = 120
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|backup)-(?P<pid>\d+)-[0-9a-f]{12}$")
_LEGACY_TEMP = re.compile(r"^\.(?P<name>.+)\.([a-z0-9_]{8}|[0-9a-f]{12}\.tmp|old)$")


class OutputError(UserInputError):
    """The target of a write holds something that is not an earlier result of the same kind."""


def safe_name(name: str) -> str | None:
    """Why ``name`` is not a safe file or folder name on every platform, or ``None`` if it is.

    Refused: empty, ``.``/``..`` or hidden (leading dot), path separators, control characters,
    Windows-reserved names (``CON``, ``NUL``, ``COM1`` ...) or characters, a trailing dot or space,
    and more than ``MAX_NAME`` characters.
    """
    if not name or name in (".", ".."):
        return tr("tomt navn eller . / ..", "empty name or . / ..")
    if name.startswith("."):
        return tr("begynner med punktum (skjult navn)", "starts with a dot (hidden name)")
    bad = sorted({c for c in name if c in '/\\:*?"<>|' or ord(c) < 32 or ord(c) == 127})
    if bad:
        return tr(f"inneholder tegnene {''.join(bad)!r}", f"contains the characters {''.join(bad)!r}")
    if name[-1] in ". ":
        return tr("slutter med punktum eller mellomrom", "ends with a dot or a space")
    if name.split(".")[0].casefold() in RESERVED_NAMES:
        return tr("er et reservert navn i Windows", "is a reserved name on Windows")
    if len(name) > MAX_NAME:
        return tr(f"er lengre enn {MAX_NAME} tegn", f"is longer than {MAX_NAME} characters")
    return None


def write_folder(
    target: Path,
    files: Mapping[str, str | bytes],
    *,
    bom_for: Sequence[str] = (),
    kind: str = "result",
    legacy: Callable[[Path], bool] | None = None,
) -> None:
    """Write ``files`` (name -> text, or bytes for a binary file) into folder ``target`` all at once
    (see the module docstring).

    ``kind`` goes into the marker file; an existing ``target`` is replaced only if its marker names
    the same kind, or if it has no marker and ``legacy(target)`` says it is a result of an earlier
    version (default: every entry is a plain file with one of the names being written).
    Raises ``OutputError`` (exit 2) when ``target`` is anything else.
    """
    target = Path(target)
    _check_target_name(target)
    with _os_errors(target):
        _write_folder(target, files, bom_for, kind, legacy)


def _write_folder(target: Path, files: Mapping[str, str | bytes], bom_for: Sequence[str], kind: str,
                  legacy: Callable[[Path], bool] | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target)
    legacy = legacy or (lambda folder: all(p.is_file() and not p.is_symlink() and p.name in files
                                           for p in folder.iterdir()))
    staging = _temp_path(target, "tmp")
    os.mkdir(staging)
    try:
        for name, text in files.items():
            if safe_name(name) is not None:
                raise ValueError(f"unsafe file name {name!r}")
            encoding = "utf-8-sig" if name in bom_for else "utf-8"
            _write_bytes(staging / name, text if isinstance(text, bytes) else text.encode(encoding))
        _write_bytes(staging / MARKER, f"vertskommune {kind}\n".encode())
        _sync_folder(staging)
        _install_folder(staging, target, lambda: _check_replaceable(target, kind, legacy))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_file(target: Path, payload: str | bytes, *, bom: bool = False) -> Path:
    """Write ``payload`` (bytes, or text as UTF-8, with a byte-order mark if ``bom``) to file
    ``target`` all at once (see the module docstring); returns ``target``.

    An existing ``target`` is replaced only if it is unchanged since this toolkit wrote it.
    """
    if isinstance(payload, str):
        payload = payload.encode("utf-8-sig" if bom else "utf-8")
    target = Path(target)
    _check_target_name(target)
    with _os_errors(target):
        _write_file(target, payload)
    return target


def _write_file(target: Path, payload: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target)
    _clean_leftovers(target.parent / MANIFEST)
    with _locked(target.parent):
        manifest = _read_manifest(target.parent)
        if os.path.lexists(target):
            if target.is_symlink() or not target.is_file() or manifest.get(target.name) != _sha256(target):
                raise OutputError(str(target), None, tr(
                    "finnes allerede og er ikke en uendret fil som dette verktøyet har skrevet; flytt den eller "
                    "velg en annen mappe (--out)",
                    "already exists and is not an unchanged file this toolkit wrote; move it or choose "
                    "another folder (--out)"))
        staging = _temp_path(target, "tmp")
        try:
            _write_bytes(staging, payload)
            manifest[target.name] = hashlib.sha256(payload).hexdigest()
            os.replace(staging, target)
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
        _write_manifest(target.parent, manifest)
        _sync_folder(target.parent)


# --- helpers ---------------------------------------------------------------------------------------


@contextmanager
def _os_errors(target: Path) -> Iterator[None]:
    """A failure of the file system (read-only, full, no access) as an ``OutputError`` naming the target."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or target
        raise OutputError(str(target), None, tr(
            f"kunne ikke skrive ({exc.strerror or exc}: {where}); ingenting ble endret",
            f"could not write ({exc.strerror or exc}: {where}); nothing was changed")) from None


def _check_target_name(target: Path) -> None:
    problem = safe_name(target.name)
    if problem is not None:
        raise OutputError(str(target), None, tr(f"ugyldig navn på resultat: {problem}",
                                                f"invalid name for a result: {problem}"))


def _temp_path(target: Path, what: str) -> Path:
    return target.parent / f".{target.name}.{what}-{os.getpid()}-{secrets.token_hex(6)}"


def _write_bytes(path: Path, payload: bytes) -> None:
    """A new file (never an existing one), flushed to disk; permissions as ``open`` gives (umask)."""
    with open(path, "xb") as stream:
        stream.write(payload)
        stream.flush()
        os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names) to disk where the platform allows it."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_replaceable(target: Path, kind: str, legacy: Callable[[Path], bool]) -> None:
    """Raise ``OutputError`` unless ``target`` is an earlier result folder of ``kind`` (or empty)."""
    marker = target / MARKER
    if target.is_dir() and not target.is_symlink():
        if marker.is_file() and not marker.is_symlink():
            if marker.read_text(encoding="utf-8", errors="replace").strip() == f"vertskommune {kind}":
                return
        elif not any(target.iterdir()) or legacy(target):
            return
    raise OutputError(str(target), None, tr(
        f"finnes allerede og er ikke et tidligere resultat av samme slag ({kind}); ingenting ble erstattet. "
        "Velg en annen mappe (--out) eller et annet scenarionavn",
        f"already exists and is not an earlier result of the same kind ({kind}); nothing was replaced. "
        "Choose another folder (--out) or another scenario name"))


def _install_folder(staging: Path, target: Path, check: Callable[[], None]) -> None:
    """Put the complete folder ``staging`` in place of ``target``; remove what it replaced."""
    for _ in range(20):  # another writer may put or take a result in between: try again
        if not os.path.lexists(target):
            if _renameat2(staging, target, _RENAME_NOREPLACE):
                _sync_folder(target.parent)
                return
            if not _RENAMEAT2_WORKS and not os.path.lexists(target):
                try:
                    os.rename(staging, target)
                    return
                except OSError as exc:
                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
            continue
        check()
        if _renameat2(staging, target, _RENAME_EXCHANGE):  # staging now holds the old result
            _sync_folder(target.parent)
            shutil.rmtree(staging, ignore_errors=True)
            return
        if not _RENAMEAT2_WORKS and _swap_with_backup(staging, target):
            return
    raise OutputError(str(target), None, tr("andre prosesser skriver hele tiden til samme mappe; prøv igjen",
                                            "other processes keep writing to the same folder; try again"))


def _swap_with_backup(staging: Path, target: Path) -> bool:
    """Without an atomic exchange: old -> backup, new -> target, remove backup (restored by the next
    write if a run dies in between). False if another writer got in between (try again)."""
    backup = _temp_path(target, "backup")
    try:
        os.rename(target, backup)
    except FileNotFoundError:
        return False
    try:
        os.rename(staging, target)
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EACCES):
            _restore(backup, target)
            raise
        shutil.rmtree(backup, ignore_errors=True)  # a newer complete result is in place already
        return False
    shutil.rmtree(backup, ignore_errors=True)
    return True


def _restore(backup: Path, target: Path) -> None:
    try:
        os.rename(backup, target)
    except OSError:
        pass  # the backup stays, under its clear name, for the next write to restore


def _clean_leftovers(target: Path) -> None:
    """Remove temporary files and folders that killed runs left beside ``target``; restore a backup
    of a result that a killed run had moved aside."""
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for path in sorted(entries):
        match = _TEMP.match(path.name)
        if match and match["name"] == target.name and not _alive(int(match["pid"]), path):
            if match["what"] == "backup" and not os.path.lexists(target):
                _restore(path, target)
            else:
                _remove(path)
            continue
        legacy = _LEGACY_TEMP.match(path.name)  # names used by earlier versions
        if legacy and legacy["name"] == target.name and time.time() - _mtime(path) > 3600:
            if path.name.endswith(".old") and not os.path.lexists(target):
                _restore(path, target)
            else:
                _remove(path)


def _alive(pid: int, path: Path) -> bool:
    """Whether the process that made ``path`` may still be writing it."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process there; go by age instead
        return time.time() - _mtime(path) < 24 * 3600
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return time.time()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


# renameat2 (Linux 3.15+, glibc 2.28+): NOREPLACE never overwrites, EXCHANGE swaps two names atomically.
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100


def _load_renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _load_renameat2()
_RENAMEAT2_WORKS = _RENAMEAT2 is not None


def _renameat2(source: Path, target: Path, flags: int) -> bool:
    """True if done; False if the target's state changed in between (exists / vanished) or the
    call is not supported here (then ``_RENAMEAT2_WORKS`` turns false for this process)."""
    global _RENAMEAT2_WORKS
    if not _RENAMEAT2_WORKS:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EEXIST, errno.ENOENT, errno.ENOTEMPTY):
        return False
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # file system without the flag
        _RENAMEAT2_WORKS = False
        return False
    raise OSError(code, os.strerror(code), str(target))


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` while a single file in it is checked and replaced."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the check and the replace are still atomic each
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in document.items() if isinstance(v, str)} if isinstance(document, dict) else {}


def _write_manifest(folder: Path, manifest: Mapping[str, str]) -> None:
    target = folder / MANIFEST
    staging = _temp_path(target, "tmp")
    try:
        _write_bytes(staging, canonical_json(dict(manifest)).encode())
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
