"""Command line: ``python -m dashboard validate [DIR]``,
``python -m dashboard import-acled EXPORT.csv [--out DIR] [--existing DIR] [--max-distance KM]``."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from dashboard import acled_import, data


def validate_command(data_dir: Path) -> int:
    """Print every problem in a record folder; 0 when it has no errors."""
    record, problems = data.validate(data_dir)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    if record is None:
        print(f"{data_dir}: cannot be loaded ({len(errors)} errors)")
        return 1
    summary = (
        f"{data_dir}: {len(record.events)} events, {len(record.cities)} places, "
        f"{len(record.sources)} sources, {len(record.figures)} figures"
    )
    if errors:
        print(f"{summary} loaded; {len(errors)} errors (those rows are left out)")
        return 1
    warnings = len(problems) - len(errors)
    print(f"{summary}: OK" + (f" ({warnings} warnings)" if warnings else ""))
    return 0


def import_acled_command(
    export: Path, out_dir: Path, existing: Path | None, max_distance_km: float
) -> int:
    """Import an ACLED export and print the report; 1 when the export cannot be read at all."""
    try:
        report = acled_import.import_acled(
            export, out_dir, existing=existing, max_distance_km=max_distance_km
        )
    except acled_import.AcledImportError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{export}: cannot be imported")
        return 1
    except OSError as exc:
        print(f"error: {exc.filename or out_dir}: {exc.strerror or exc}")
        print(f"{export}: cannot be imported")
        return 1
    print(report.format())
    return 0


def _distance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance in km (a number >= 0)")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a record folder and list its problems")
    check.add_argument(
        "data_dir",
        nargs="?",
        type=Path,
        default=None,
        help="default: the bundled geodata/ or $QANTAR_DATA_DIR",
    )
    imp = commands.add_parser(
        "import-acled",
        help="turn an ACLED export (CSV) into record files and report on every row",
    )
    imp.add_argument("export", type=Path, help="the ACLED export, a CSV file")
    imp.add_argument(
        "--out",
        type=Path,
        default=Path("acled-import"),
        help="folder to write (default: acled-import/); a record already there is merged with",
    )
    imp.add_argument(
        "--existing",
        type=Path,
        default=None,
        metavar="DIR",
        help="a record to match places against and merge with (default: --out if it holds one)",
    )
    imp.add_argument(
        "--max-distance",
        type=_distance,
        default=25.0,
        metavar="KM",
        help="match a location to the nearest place within this distance (default: 25)",
    )
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate_command(args.data_dir or data.data_dir_from_env())
    if args.command == "import-acled":
        return import_acled_command(args.export, args.out, args.existing, args.max_distance)
    return 2


if __name__ == "__main__":
    sys.exit(main())
