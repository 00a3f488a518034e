"""`python -m ecom_elt docs`: the dbt docs site as one self-contained file in the data root,
without losing the build's run_results.json (dbt docs generate overwrites it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report import run_cli, shared_defect_dataset


def test_docs_writes_one_static_page_and_keeps_the_build_results(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    dataset = shared_defect_dataset(tmp_path_factory)
    results = dataset.target / "run_results.json"
    before = json.loads(results.read_text(encoding="utf-8"))["metadata"]["invocation_id"]
    result = run_cli(dataset.env, "docs", "--data-dir", str(dataset.root.root), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    page = dataset.root.root / "docs" / "index.html"
    assert page.stat().st_size > 500_000  # manifest and catalog are embedded
    text = page.read_text(encoding="utf-8")
    assert '"send_anonymous_usage_stats": false' in text.replace('":false', '": false')
    after = json.loads(results.read_text(encoding="utf-8"))
    assert after["args"]["which"] == "build" and after["metadata"]["invocation_id"] == before
    assert (dataset.target / "catalog.json").is_file()  # what `docs --serve` serves


def test_docs_rejects_a_bad_port(tmp_path: Path) -> None:
    from conftest import subprocess_env

    from ecom_elt.paths import data_root

    root = data_root(tmp_path / "data")
    result = run_cli(subprocess_env(root, tmp_path), "docs", "--serve", "--port", "0", timeout=60)
    assert result.returncode == 2 and "--port" in result.stderr
