from __future__ import annotations

from pathlib import Path

import pytest

from tests.recordkit import write_record


@pytest.fixture
def record_dir(tmp_path: Path) -> Path:
    """A small valid record folder (test data)."""
    return write_record(tmp_path / "record")
