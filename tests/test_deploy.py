"""The repository deploys as it is to Streamlit Community Cloud."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def requirement_set(lines: list[str]) -> set[tuple[str, str]]:
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            out.add((req.name.lower().replace("_", "-"), str(req.specifier)))
    return out


def test_cloud_requirements_agree_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    cloud = (ROOT / "requirements.txt").read_text("utf-8").splitlines()
    assert requirement_set(cloud) == requirement_set(project["dependencies"])
    assert project["requires-python"] == ">=3.11"


def test_streamlit_config_is_safe_for_a_public_deployment() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True
    assert config["client"]["toolbarMode"] == "viewer"


def test_the_docs_and_make_run_name_one_entry_point_that_exists() -> None:
    """`make run`, the README's `streamlit run` and its Community Cloud "main file path" name
    the same script, and it is there (so renaming it without the docs fails here)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    makefile = (ROOT / "Makefile").read_text("utf-8")
    named = set(re.findall(r"streamlit run (\S+\.py)", readme + makefile))
    named |= set(re.findall(r"main file\s+path to `([^`]+)`", readme))
    assert len(named) == 1, named
    assert (ROOT / named.pop()).is_file()
