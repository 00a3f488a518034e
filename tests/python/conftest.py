"""Shared fixtures: every test gets its own data root, dbt target and log folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecom_elt.paths import REPO_ROOT, DataRoot, data_root


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataRoot:
    """An empty data root in a temporary folder, set as $ECOM_DATA_DIR for the test."""
    folder = tmp_path / "data"
    (folder / "raw").mkdir(parents=True)
    monkeypatch.setenv("ECOM_DATA_DIR", str(folder))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    return data_root(folder)


def subprocess_env(root: DataRoot, tmp_path: Path) -> dict[str, str]:
    """Environment for running the CLI or dbt in a child process against `root`."""
    env = dict(os.environ)
    env.update(
        ECOM_DATA_DIR=str(root.root),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        PYTHONPATH=str(REPO_ROOT / "scripts"),
    )
    return env
