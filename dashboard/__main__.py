"""Command line: ``python -m dashboard validate [DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard import data


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
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate_command(args.data_dir or data.data_dir_from_env())
    return 2


if __name__ == "__main__":
    sys.exit(main())
