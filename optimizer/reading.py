"""Reading user files safely: regular files only, size checked while reading, and the file's kind
named when it is not text (an archive, a spreadsheet, UTF-16) instead of a confusing parse error."""

from __future__ import annotations

from pathlib import Path

from optimizer.errors import UserInputError
from optimizer.i18n import tr

SIGNATURES = (  # leading bytes -> what the file is
    (b"PK\x03\x04", ("et zip-arkiv (eller en Excel-/Office-fil)", "a zip archive (or an Excel/Office file)")),
    (b"\x1f\x8b", ("et gzip-arkiv", "a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", ("et 7z-arkiv", "a 7z archive")),
    (b"Rar!", ("et rar-arkiv", "a rar archive")),
    (b"%PDF", ("en PDF-fil", "a PDF file")),
    (b"\xd0\xcf\x11\xe0", ("en gammel Excel-/Office-fil", "an old Excel/Office file")),
    (b"\xff\xfe", ("UTF-16-tekst", "UTF-16 text")),
    (b"\xfe\xff", ("UTF-16-tekst", "UTF-16 text")),
)


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of regular file ``path``, refused once more than ``limit`` bytes are read.

    A device, a named pipe or a folder is refused before reading (``/dev/zero`` or a FIFO would
    otherwise be read forever).
    """
    path = Path(path)
    try:
        if not path.is_file():
            problem = tr("finnes ikke", "does not exist") if not path.exists() else tr(
                "er ikke en vanlig fil (mappe, enhet eller rør)", "is not a regular file (folder, device or pipe)")
            raise UserInputError(str(path), None, problem)
        with open(path, "rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise UserInputError(str(path), None, tr(
            f"kan ikke lese filen ({exc.strerror})", f"cannot read the file ({exc.strerror})")) from None
    if len(raw) > limit:
        raise UserInputError(str(path), None, tr(
            f"filen er for stor (mer enn {limit} byte)", f"file too large (more than {limit} bytes)"))
    return raw


def check_text(raw: bytes, source: str, expected_nb: str, expected_en: str) -> None:
    """Refuse a file that is recognisably not text, saying what it is and what was expected."""
    for signature, (nb, en) in SIGNATURES:
        if raw.startswith(signature):
            raise UserInputError(source, None, tr(
                f"filen er {nb}, ikke {expected_nb}; pakk ut eller lagre som UTF-8-tekst",
                f"the file is {en}, not {expected_en}; unpack it or save it as UTF-8 text"))
    if b"\x00" in raw[:4096]:
        raise UserInputError(source, None, tr(
            f"filen er binær (inneholder null-byte), ikke {expected_nb}",
            f"the file is binary (contains null bytes), not {expected_en}"))
