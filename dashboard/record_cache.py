"""A parsed cache of validated records: Parquet copies kept next to the data.

Parsing and validating a million-row ``events.csv`` takes seconds (about 10 s on a 2-core
machine); reading the validated frames back from Parquet takes well under one. ``load(dir)``
returns the same :class:`~dashboard.data.Record` as ``data.load_record(dir)`` (same frames,
dtypes, settings, problems and version), from the cache when it is current.

Layout, in ``<data dir>/.qantar-cache/`` (git-ignored), or under
``$XDG_CACHE_HOME/qantar-map/`` when the data folder cannot be written::

    record-<content version>-<code version>/    one whole cached record:
        meta.json, events.parquet, cities.parquet, ...
    stamp-<hash of the files' size, mtime, ctime and inode>
                                                names the entry for the files as they are now

* The content version is ``data.record_version`` (a hash of every byte); the code version hashes
  this module, the modules that load a record (``data``, ``schema``, ``readers``, ``validation``,
  ``problems``) and the library versions, so a change to the validation rebuilds.
* A stamp lets a start skip hashing the files: it is written only when the files were not
  modified in the last few seconds (a later edit within the file system's timestamp granularity
  could otherwise keep the same stamp), and any write to a file changes its ctime.
* An entry is written under a temporary name and renamed into place in one step, so a reader
  (another session, another server) sees a whole entry or none; an entry or stamp that cannot be
  read is ignored and rebuilt, never an error. A record that cannot be loaded at all
  (``RecordError``) is not cached.

Nothing here imports streamlit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import data, problems, readers, schema, validation

log = logging.getLogger(__name__)

CACHE_DIR_NAME = ".qantar-cache"
XDG_SUBDIR = "qantar-map"
# Below this many bytes of record files, parsing is about as quick as reading a cache.
MIN_CACHE_BYTES = 2 * 2**20
FORMAT = 2
RACY_SECONDS = 3.0
STALE_TEMP_SECONDS = 3600.0
COMPRESSION = "lz4"


class _NotCacheable(Exception):
    """A record field this module does not know how to store."""


_LIBRARIES = ", ".join(
    f"{name} {package_version(name)}" for name in ("pandas", "pyarrow", "pandera")
)
# The code that builds a record, and this module, which stores it.
_MODULES = (data, schema, readers, validation, problems)


def code_version() -> str:
    """Changes whenever the code that builds or stores a record may give a different result."""
    digest = hashlib.sha256(f"{FORMAT} {_LIBRARIES}".encode())
    for module in (*(m.__file__ for m in _MODULES), __file__):
        digest.update(Path(str(module)).read_bytes())
    return digest.hexdigest()[:10]


def cache_root(data_dir: Path) -> Path | None:
    """The folder this record's cache lives in: ``.qantar-cache`` in the data folder when it can
    be written, else one under ``$XDG_CACHE_HOME`` (default ``~/.cache``); None when neither can.
    """
    resolved = data_dir.resolve()
    xdg = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    for root in (resolved / CACHE_DIR_NAME, xdg / XDG_SUBDIR / key):
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(root, os.W_OK | os.X_OK):
            return root
    return None


def load(data_dir: Path, min_bytes: int = MIN_CACHE_BYTES) -> data.Record:
    """``data.load_record(data_dir)``, from the parsed cache when it is current.

    Records whose files total under ``min_bytes`` are loaded directly and not cached. Raises
    ``RecordError`` exactly as ``data.load_record`` does.
    """
    try:
        before = _file_stamp(data_dir) if data_dir.is_dir() else []
    except OSError:  # a file went away while we looked: let the loader report it
        before = []
    if sum(size for _, size, *_ in before) < min_bytes:
        return data.load_record(data_dir)
    root = cache_root(data_dir)
    if root is None:
        return data.load_record(data_dir)
    code = code_version()
    stamp = root / f"stamp-{_digest([code, before])}"
    named = _read_stamp(stamp)
    if named is not None:
        record = _read_entry(root / named, code)
        if record is not None:
            return record
    # Hash the files when an entry may match them (they were touched, maybe not changed), or
    # when they changed so recently that a change while they are read might not show in their
    # stamp. A first load of files left alone for a while parses them without hashing twice.
    version = None
    if _racy(before) or any(root.glob("record-*")):
        version = data.record_version(data_dir)
    cached = _read_entry(root / _entry_name(version, code), code) if version else None
    parsed = cached is None
    record = data.load_record(data_dir) if cached is None else cached
    try:
        unchanged = _file_stamp(data_dir) == before
    except OSError:
        unchanged = False
    if not unchanged or (version is not None and record.version != version):
        return record  # the files changed while they were read: cache nothing
    name = _entry_name(record.version, code)
    if parsed:
        _write_entry(root, name, record, code)
    if not _racy(before):
        _write_text(stamp, name)
    return record


def _entry_name(version: str, code: str) -> str:
    return f"record-{version}-{code}"


def validate(
    data_dir: Path, min_bytes: int = MIN_CACHE_BYTES
) -> tuple[data.Record | None, list[data.Problem]]:
    """``data.validate`` through the cache: the record (or None) and its problems."""
    try:
        record = load(data_dir, min_bytes)
    except data.RecordError as exc:
        return None, exc.problems
    return record, list(record.problems)


# --------------------------------------------------------------------------- stamps


def _file_stamp(data_dir: Path) -> list[tuple[str, int, int, int, int]]:
    out = []
    for path in data.record_files(data_dir):
        st = path.stat()
        out.append((path.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return out


def _racy(stamp: list[tuple[str, int, int, int, int]]) -> bool:
    """True when a file changed so recently that a further change might not show in its stamp."""
    newest = max((max(mtime, ctime) for _, _, mtime, ctime, _ in stamp), default=0)
    return time.time_ns() - newest < RACY_SECONDS * 1e9


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:20]


def _read_stamp(path: Path) -> str | None:
    try:
        text = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.startswith("record-") and "/" not in text else None


def _write_text(path: Path, text: str) -> None:
    """Write a small file atomically (temporary file + rename); failures are only logged."""
    try:
        fd, tmp = tempfile.mkstemp(prefix="tmp-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write cache file %s: %s", path, exc)


# --------------------------------------------------------------------------- entries


def _write_entry(root: Path, name: str, record: data.Record, code: str) -> None:
    """Store ``record`` as ``root/name``, whole or not at all; failures are only logged."""
    _remove_stale_temps(root)
    try:
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=root))
    except OSError as exc:
        log.warning("could not write the record cache in %s: %s", root, exc)
        return
    try:
        meta = _store_record(tmp, record, code)
        (tmp / "meta.json").write_text(json.dumps(meta), "utf-8")
        _move_into_place(tmp, root / name, code)
    except (OSError, pa.ArrowException, _NotCacheable) as exc:
        log.warning("could not write the record cache in %s: %s", root, exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, keep=name)


def _move_into_place(tmp: Path, target: Path, code: str) -> None:
    try:
        os.rename(tmp, target)
        return
    except OSError:
        if _read_entry(target, code) is not None:
            return  # another session stored the same record first
    # an unreadable entry is in the way: move it aside, then put ours in its place
    trash = Path(tempfile.mkdtemp(prefix="tmp-", dir=target.parent))
    try:
        os.rename(target, trash / "old")
    except OSError:
        pass
    shutil.rmtree(trash, ignore_errors=True)
    os.rename(tmp, target)


def _remove_stale_temps(root: Path) -> None:
    """Temporary folders left by a process that died while writing."""
    now = time.time()
    for path in root.glob("tmp-*"):
        try:
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            continue


def _prune(root: Path, keep: str) -> None:
    """Entries for other versions of the files, and stamps that point at them."""
    for path in root.glob("record-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)
    for path in root.glob("stamp-*"):
        if _read_stamp(path) != keep:
            try:
                path.unlink()
            except OSError:
                continue


def _store_record(folder: Path, record: data.Record, code: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, pd.DataFrame):
            fields[f.name] = {"frame": _store_frame(folder / f"{f.name}.parquet", value)}
        else:
            fields[f.name] = {"value": _encode(value)}
    return {"format": FORMAT, "code": code, "fields": fields}


def _read_entry(folder: Path, code: str) -> data.Record | None:
    """The record stored in ``folder``, or None when it is missing, stale or unreadable."""
    if not (folder / "meta.json").is_file():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        if meta.get("format") != FORMAT or meta.get("code") != code:
            return None
        values: dict[str, Any] = {}
        for f in dataclasses.fields(data.Record):
            stored = meta["fields"][f.name]
            if "frame" in stored:
                values[f.name] = _read_frame(folder / f"{f.name}.parquet", stored["frame"])
            else:
                values[f.name] = _decode(stored["value"])
        return data.Record(**values)
    except Exception as exc:  # any damage to the cache means "rebuild", never a failure
        log.warning("ignoring the unreadable record cache %s: %s", folder, exc)
        return None


# --------------------------------------------------------------------------- frames


def _store_frame(path: Path, frame: pd.DataFrame) -> dict[str, Any]:
    """Write ``frame`` as Parquet; returns what is needed to rebuild it exactly."""
    spec: dict[str, Any] = {
        "columns": [str(c) for c in frame.columns],
        "rows": len(frame),
        "index": None,
        "tuples": [],
    }
    if not isinstance(frame.index, pd.RangeIndex) or not frame.index.equals(
        pd.RangeIndex(len(frame))
    ):
        name = frame.index.name
        if name not in frame.columns or not frame.index.equals(pd.Index(frame[name])):
            raise _NotCacheable(f"index {name!r} is not one of the frame's columns")
        spec["index"] = name
    table = frame.reset_index(drop=True)
    for column in table.columns:
        values = table[column]
        if (
            values.dtype == object
            and len(values)
            and values.map(lambda v: isinstance(v, tuple)).all()
        ):
            spec["tuples"].append(column)
            table[column] = values.map(list)
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path, compression=COMPRESSION)
    return spec


def _read_frame(path: Path, spec: dict[str, Any]) -> pd.DataFrame:
    # one chunk per column: taking rows from a many-chunk Arrow column is slow
    frame = pq.read_table(path).combine_chunks().to_pandas()
    if len(frame) != spec["rows"]:
        raise ValueError(f"{path.name}: {len(frame)} rows, expected {spec['rows']}")
    for column in spec["tuples"]:
        frame[column] = frame[column].map(tuple)
    frame = frame[spec["columns"]]
    if spec["index"] is not None:
        frame = frame.set_index(spec["index"], drop=False)
    return frame


# --------------------------------------------------------------------------- plain values


def _encode(value: object) -> object:
    """JSON for the non-frame fields; dataclasses (from ``data``), tuples and dates keep their
    type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value).__name__
        if getattr(data, kind, None) is not type(value):
            raise _NotCacheable(f"cannot store a {kind}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": kind, "fields": fields}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _NotCacheable(f"cannot store a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
        kind = getattr(data, value["__dataclass__"])
        if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
            raise ValueError(f"{value['__dataclass__']} is not a record type")
        return kind(**{k: _decode(v) for k, v in value["fields"].items()})
    return value
