"""``python -m optimizer import FILE... --out FOLDER``: SSB downloads into an imported data folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from optimizer.batch import EXIT_INVALID, EXIT_OK
from optimizer.errors import UserInputError
from optimizer.i18n import tr
from optimizer.reading import read_limited
from optimizer.ssb.importer import MAX_FILE_BYTES, import_files, write_data_folder


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``import`` subcommand to the main command line."""
    p = sub.add_parser("import", parents=[common],
                       help="importer SSB-tall (JSON-stat/CSV) til en datamappe / import SSB figures into a data folder")
    p.add_argument("files", nargs="+", type=Path, help="filer lastet ned fra SSB (JSON-stat 2.0 eller CSV)")
    p.add_argument("--out", type=Path, required=True, help="datamappe å skrive (scenario: data = \"mappe\")")
    p.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Read every file, write the folder (all or nothing) and print what was derived."""
    try:
        result = import_files([(str(path), _read(path)) for path in args.files])
        write_data_folder(result, args.out)
    except UserInputError as exc:
        print(tr(f"ugyldig: {exc}", f"invalid: {exc}"), file=sys.stderr)
        print(tr("ingenting ble skrevet", "nothing was written"), file=sys.stderr)
        return EXIT_INVALID
    for line in result.report():
        print(line)
    print(tr(f"skrev {args.out}", f"wrote {args.out}"))
    return EXIT_OK


def _read(path: Path) -> bytes:
    return read_limited(path, MAX_FILE_BYTES)
