"""dbt's artifacts: what the last dbt invocation did (run_results.json), joined with what each
node is (manifest.json).

dbt reports a test as pass/warn/fail with a failure count and nothing else; the manifest says
which model and column the test is attached to, its name and description. Joining the two is
what lets the report say "`not_null` on quality.file_status.file_id failed for 3 rows".
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecom_elt.paths import REPO_ROOT

log = logging.getLogger(__name__)

# dbt commands whose run_results.json describe a build (docs generate and compile do not).
BUILD_COMMANDS = ("build", "run", "test", "seed", "snapshot")


class ArtifactsError(Exception):
    """dbt's artifacts are missing or unreadable: the report cannot say what dbt did."""


@dataclass(frozen=True)
class NodeResult:
    """One node of the dbt invocation (model, seed, data test or unit test) and its outcome."""

    unique_id: str
    resource_type: str
    name: str
    status: str
    execution_time: float
    started_at: datetime | None
    completed_at: datetime | None
    failures: int | None
    message: str
    relation: str | None
    # Tests only: the generic test (not_null, ...), the model and column it judges.
    test_name: str | None = None
    model: str | None = None
    model_relation: str | None = None
    column: str | None = None
    description: str = ""
    severity: str | None = None
    compiled_path: str | None = None
    arguments: str = ""  # the generic test's arguments, e.g. "check_name=max_duplicate_share"
    failures_relation: str | None = None  # where dbt stored the failing rows (store_failures)

    @property
    def is_test(self) -> bool:
        return self.resource_type in ("test", "unit_test")

    @property
    def is_problem(self) -> bool:
        return self.status in ("warn", "fail", "error")


@dataclass(frozen=True)
class DbtRun:
    """The last dbt invocation, as its artifacts tell it."""

    target_path: Path
    invocation_id: str
    command: str
    generated_at: datetime | None
    started_at: datetime | None
    elapsed_seconds: float
    dbt_version: str
    results: tuple[NodeResult, ...]

    @property
    def tests(self) -> tuple[NodeResult, ...]:
        return tuple(r for r in self.results if r.is_test)

    @property
    def models(self) -> tuple[NodeResult, ...]:
        return tuple(r for r in self.results if r.resource_type in ("model", "seed", "snapshot"))

    def status_counts(self, nodes: tuple[NodeResult, ...] | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node in self.results if nodes is None else nodes:
            counts[node.status] = counts.get(node.status, 0) + 1
        return dict(sorted(counts.items()))


def target_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """dbt's target folder: the option, else $DBT_TARGET_PATH, else target/.

    A relative option is taken from the working directory (as any path on a command line); a
    relative $DBT_TARGET_PATH or the default from the repository root, where dbt runs.
    """
    if cli_value:
        return Path(cli_value).resolve()
    chosen = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return chosen if chosen.is_absolute() else REPO_ROOT / chosen


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArtifactsError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ArtifactsError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(doc, dict):
        raise ArtifactsError(f"{path}: expected a JSON object")
    return doc


def _relation(node: dict[str, Any]) -> str | None:
    schema, alias = node.get("schema"), node.get("alias") or node.get("name")
    return f"{schema}.{alias}" if schema and alias else None


def _execution_window(result: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    starts, ends = [], []
    for step in result.get("timing") or []:
        if isinstance(step, dict):
            starts.append(_timestamp(step.get("started_at")))
            ends.append(_timestamp(step.get("completed_at")))
    starts = [s for s in starts if s]
    ends = [e for e in ends if e]
    return (min(starts) if starts else None, max(ends) if ends else None)


def _failures(value: Any) -> int | None:
    """dbt's failure count; a severity-from-config fail_calc reports warn-level counts as
    negative numbers, so the size is the absolute value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return abs(int(value))


def _plain_relation(relation_name: Any) -> str | None:
    """'"warehouse"."quality"."x"' -> 'quality.x'."""
    if not isinstance(relation_name, str) or not relation_name:
        return None
    parts = [p.strip('"') for p in relation_name.split(".")]
    return ".".join(parts[-2:])


def _arguments(metadata: dict[str, Any]) -> str:
    kwargs = metadata.get("kwargs") or {}
    shown = [
        f"{key}={value}"
        for key, value in kwargs.items()
        if key not in ("model", "column_name") and not (isinstance(value, str) and "{{" in value)
    ]
    return ", ".join(shown)


def _message(result: dict[str, Any], failures: int | None) -> str:
    message = str(result.get("message") or "").strip()
    raw = result.get("failures")
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw < 0:
        rows = "row" if failures == 1 else "rows"
        return f"{failures} failing {rows} at warn level (severity from config)"
    return message


def _node_result(result: dict[str, Any], manifest: dict[str, Any]) -> NodeResult:
    unique_id = str(result.get("unique_id") or "")
    nodes = manifest.get("nodes") or {}
    node = nodes.get(unique_id) or (manifest.get("unit_tests") or {}).get(unique_id) or {}
    resource_type = node.get("resource_type") or unique_id.split(".", 1)[0] or "unknown"
    started, completed = _execution_window(result)
    failures = _failures(result.get("failures"))
    fields: dict[str, Any] = {}
    if resource_type in ("test", "unit_test"):
        attached = node.get("attached_node")
        if not attached and resource_type == "unit_test":
            attached = next(iter((node.get("depends_on") or {}).get("nodes") or []), None)
        if not attached:
            refs = [
                n
                for n in (node.get("depends_on") or {}).get("nodes") or []
                if n.startswith("model.")
            ]
            attached = refs[0] if len(refs) == 1 else None
        model_node = nodes.get(attached) or {} if attached else {}
        metadata = node.get("test_metadata") or {}
        fields = {
            "test_name": metadata.get("name")
            or ("unit" if resource_type == "unit_test" else "singular"),
            "model": model_node.get("name") or (attached.rsplit(".", 1)[-1] if attached else None),
            "model_relation": _relation(model_node),
            "column": node.get("column_name") or (metadata.get("kwargs") or {}).get("column_name"),
            "description": (node.get("description") or "").strip(),
            "severity": (node.get("config") or {}).get("severity"),
            "compiled_path": node.get("compiled_path") or node.get("original_file_path"),
            "arguments": _arguments(metadata),
            "failures_relation": _plain_relation(node.get("relation_name")),
        }
    return NodeResult(
        unique_id=unique_id,
        resource_type=resource_type,
        name=node.get("name") or unique_id.rsplit(".", 1)[-1],
        status=str(result.get("status") or "unknown"),
        execution_time=float(result.get("execution_time") or 0.0),
        started_at=started,
        completed_at=completed,
        failures=failures,
        message=_message(result, failures),
        relation=_relation(node) if resource_type in ("model", "seed", "snapshot") else None,
        **fields,
    )


def read_dbt_run(target: Path) -> DbtRun:
    """Read `<target>/run_results.json` and `<target>/manifest.json`.

    Raises ArtifactsError when there are no run results: without them the report has nothing
    to say about the build. A missing manifest only costs the tests their descriptions.
    """
    results_path = target / "run_results.json"
    if not results_path.is_file():
        raise ArtifactsError(
            f"no dbt results at {results_path}: run `make elt` (or `dbt build`) first"
        )
    doc = _read_json(results_path)
    manifest_path = target / "manifest.json"
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        manifest = _read_json(manifest_path)
    else:
        log.warning(
            "%s is missing: tests are shown without their model and description", manifest_path
        )
    raw_results = doc.get("results")
    if not isinstance(raw_results, list):
        raise ArtifactsError(f"{results_path}: has no list of results")
    metadata = doc.get("metadata") or {}
    args = doc.get("args") or {}
    command = str(args.get("which") or "build")
    if command not in BUILD_COMMANDS:
        raise ArtifactsError(
            f"{results_path} is from `dbt {command}`, not a build: run `make elt` "
            "(or `dbt build`) and then the report"
        )
    return DbtRun(
        target_path=target,
        invocation_id=str(metadata.get("invocation_id") or ""),
        command=command,
        generated_at=_timestamp(metadata.get("generated_at")),
        started_at=_timestamp(metadata.get("invocation_started_at")),
        elapsed_seconds=float(doc.get("elapsed_time") or 0.0),
        dbt_version=str(metadata.get("dbt_version") or ""),
        results=tuple(_node_result(r, manifest) for r in raw_results if isinstance(r, dict)),
    )
