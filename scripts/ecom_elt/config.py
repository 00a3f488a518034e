"""The three configuration files, read once, typed and validated.

`config/data_schemas.json`, `config/business_rules.yaml` and `config/quality_thresholds.yaml` are
the single source of truth for file structure, row rules and limits. The loader, the generator,
dbt (through the Python models in `models/quality/config/`) and the reports all read them here, so
a malformed file fails the same way everywhere: one `ConfigError` naming the file, the key and the
problem.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCES = ("users", "products", "sessions", "orders", "api_logs")
# Rule targets: every source, plus the order lines unnested from orders.
RULE_TARGETS = (*SOURCES, "order_items")
FORMATS = ("csv", "json_array", "json_lines")
COLUMN_TYPES = ("string", "timestamp", "date", "boolean", "integer", "number", "object", "array")
CHECKS = (
    "not_null",
    "pattern",
    "accepted_values",
    "range",
    "max_decimals",
    "expression",
    "relationship",
    "reference",
)
# Checks judged across sources (in the quality layer) rather than row by row in staging.
CROSS_SOURCE_CHECKS = ("relationship", "reference")
SEVERITIES = ("error", "warn")
DIRECTIONS = ("both", "up", "down")
ANOMALY_METRICS = (
    "row_volume",
    "net_revenue_eur",
    "conversion_rate",
    "api_server_error_rate",
    "api_p95_latency_ms",
)
# Columns that staging derives and rules may judge, beyond the delivered ones.
DERIVED_COLUMNS = {"orders": ("items_count", "loaded_at")}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    """A configuration file is malformed: says which file, which key and what is wrong."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


def config_dir() -> Path:
    """The configuration folder: $ECOM_CONFIG_DIR, else config/ beside this package's repo."""
    env = os.environ.get("ECOM_CONFIG_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "config"


# --------------------------------------------------------------------------- data schemas


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    personal: bool = False
    fields: tuple[Column, ...] = ()


@dataclass(frozen=True)
class SourceSchema:
    name: str
    description: str
    format: str
    extension: str
    key: tuple[str, ...]
    file_unique_key: tuple[str, ...]
    version_order: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass(frozen=True)
class DataSchemas:
    path: Path
    file_name_pattern: re.Pattern[str]
    sources: dict[str, SourceSchema]

    def columns_of(self, target: str) -> dict[str, Column]:
        """Columns a rule on `target` may name (order_items: the fields of orders.items)."""
        if target == "order_items":
            return {c.name: c for c in self.sources["orders"].column("items").fields}
        cols = {c.name: c for c in self.sources[target].columns}
        for name in DERIVED_COLUMNS.get(target, ()):
            cols[name] = Column(name, "integer" if name.endswith("_count") else "timestamp")
        return cols


def _require(mapping: Any, key: str, path: Path, where: str, kind: type | tuple) -> Any:
    if not isinstance(mapping, dict):
        raise ConfigError(path, where, "expected a mapping")
    if key not in mapping:
        raise ConfigError(path, f"{where}.{key}" if where else key, "is missing")
    value = mapping[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(
            path, f"{where}.{key}" if where else key, f"expected {names}, got {value!r}"
        )
    return value


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "(file)", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc}") from None
    try:
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, where, f"invalid YAML: {problem}") from None


def _columns(raw: Any, path: Path, where: str, nested: bool = False) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(path, where, "expected a non-empty list of columns")
    cols: list[Column] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        name = _require(item, "name", path, at, str)
        if not _NAME.match(name):
            raise ConfigError(path, f"{at}.name", f"{name!r} is not a lower-case column name")
        if name in seen:
            raise ConfigError(path, f"{at}.name", f"column {name!r} is listed twice")
        seen.add(name)
        col_type = _require(item, "type", path, at, str)
        if col_type not in COLUMN_TYPES:
            raise ConfigError(
                path, f"{at}.type", f"unknown type {col_type!r} (expected one of {COLUMN_TYPES})"
            )
        required = item.get("required", False)
        personal = item.get("personal", False)
        for flag, value in (("required", required), ("personal", personal)):
            if not isinstance(value, bool):
                raise ConfigError(path, f"{at}.{flag}", f"expected true or false, got {value!r}")
        fields: tuple[Column, ...] = ()
        if col_type in ("object", "array"):
            if nested:
                raise ConfigError(path, f"{at}.type", "nested objects are not supported")
            fields = _columns(item.get("fields"), path, f"{at}.fields", nested=True)
        cols.append(Column(name, col_type, required, personal, fields))
    return tuple(cols)


def load_data_schemas(path: Path | None = None) -> DataSchemas:
    """Read and check config/data_schemas.json."""
    path = path or config_dir() / "data_schemas.json"
    doc = _read(path)
    pattern_text = _require(doc, "file_name_pattern", path, "", str)
    try:
        pattern = re.compile(pattern_text)
    except re.error as exc:
        raise ConfigError(path, "file_name_pattern", f"invalid regular expression: {exc}") from None
    for group in ("source", "business_date", "suffix", "extension", "compression"):
        if group not in pattern.groupindex:
            raise ConfigError(path, "file_name_pattern", f"lacks the named group (?P<{group}>...)")
    raw_sources = _require(doc, "sources", path, "", dict)
    sources: dict[str, SourceSchema] = {}
    for name in SOURCES:
        if name not in raw_sources:
            raise ConfigError(path, f"sources.{name}", "is missing")
    for name, spec in raw_sources.items():
        at = f"sources.{name}"
        if name not in SOURCES:
            raise ConfigError(path, at, f"unknown source (expected one of {SOURCES})")
        fmt = _require(spec, "format", path, at, str)
        if fmt not in FORMATS:
            raise ConfigError(path, f"{at}.format", f"unknown format {fmt!r} (expected {FORMATS})")
        columns = _columns(spec.get("columns"), path, f"{at}.columns")
        names = {c.name for c in columns}
        keys: dict[str, tuple[str, ...]] = {}
        for key in ("key", "file_unique_key", "version_order"):
            value = _require(spec, key, path, at, list)
            allowed = names | {"business_date", "file_name"} if key == "version_order" else names
            for col in value:
                if col not in allowed:
                    raise ConfigError(path, f"{at}.{key}", f"{col!r} is not a column of {name}")
            keys[key] = tuple(value)
        sources[name] = SourceSchema(
            name=name,
            description=str(spec.get("description", "")),
            format=fmt,
            extension=_require(spec, "extension", path, at, str),
            key=keys["key"],
            file_unique_key=keys["file_unique_key"],
            version_order=keys["version_order"],
            columns=columns,
        )
    return DataSchemas(path=path, file_name_pattern=pattern, sources=sources)


# --------------------------------------------------------------------------- business rules


@dataclass(frozen=True)
class Rule:
    name: str
    source: str
    column: str
    check: str
    severity: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_cross_source(self) -> bool:
        return self.check in CROSS_SOURCE_CHECKS


@dataclass(frozen=True)
class BusinessRules:
    path: Path
    rules: tuple[Rule, ...]

    def for_target(self, target: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.source == target)


def _number(value: Any, path: Path, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(path, key, f"expected a number, got {value!r}")
    return float(value)


def _rule_params(
    item: dict[str, Any], check: str, path: Path, at: str, schemas: DataSchemas
) -> dict[str, Any]:
    if check == "not_null":
        return {}
    if check not in item:
        raise ConfigError(path, f"{at}.{check}", f"the {check} check needs its {check!r} setting")
    value = item[check]
    key = f"{at}.{check}"
    if check == "pattern":
        if not isinstance(value, str) or not value:
            raise ConfigError(path, key, "expected a regular expression")
        try:
            re.compile(value)
        except re.error as exc:
            raise ConfigError(path, key, f"invalid regular expression: {exc}") from None
        return {"pattern": value}
    if check == "accepted_values":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ConfigError(path, key, "expected a non-empty list of text values")
        return {"accepted_values": list(value)}
    if check == "range":
        if not isinstance(value, dict) or not ({"min", "max"} & set(value)):
            raise ConfigError(path, key, "expected a mapping with min and/or max")
        unknown = set(value) - {"min", "max", "min_exclusive", "max_exclusive"}
        if unknown:
            raise ConfigError(path, key, f"unknown settings {sorted(unknown)}")
        params: dict[str, Any] = {}
        for bound in ("min", "max"):
            if bound in value:
                params[bound] = _number(value[bound], path, f"{key}.{bound}")
            flag = value.get(f"{bound}_exclusive", False)
            if not isinstance(flag, bool):
                raise ConfigError(path, f"{key}.{bound}_exclusive", "expected true or false")
            params[f"{bound}_exclusive"] = flag
        if "min" in params and "max" in params and params["min"] > params["max"]:
            raise ConfigError(path, key, "min is above max")
        return params
    if check == "max_decimals":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(path, key, f"expected a whole number >= 0, got {value!r}")
        return {"max_decimals": value}
    if check == "expression":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, key, "expected a SQL boolean expression")
        if ";" in value:
            raise ConfigError(path, key, "an expression may not contain ';'")
        return {"expression": " ".join(value.split())}
    if check == "relationship":
        to = _require(value, "to", path, key, str)
        column = _require(value, "column", path, key, str)
        if to not in RULE_TARGETS:
            raise ConfigError(path, f"{key}.to", f"unknown source {to!r}")
        if column not in schemas.columns_of(to):
            raise ConfigError(path, f"{key}.column", f"{column!r} is not a column of {to}")
        return {"to": to, "to_column": column}
    # reference
    to = _require(value, "to", path, key, str)
    on = _require(value, "on", path, key, str)
    expression = _require(value, "expression", path, key, str)
    if to not in SOURCES:
        raise ConfigError(path, f"{key}.to", f"unknown source {to!r}")
    if on not in schemas.columns_of(to):
        raise ConfigError(path, f"{key}.on", f"{on!r} is not a column of {to}")
    if "reference." not in expression or ";" in expression:
        raise ConfigError(path, f"{key}.expression", "must use reference.<column> and no ';'")
    return {"to": to, "on": on, "expression": " ".join(expression.split())}


def load_business_rules(
    path: Path | None = None, schemas: DataSchemas | None = None
) -> BusinessRules:
    """Read and check config/business_rules.yaml against the data schemas."""
    path = path or config_dir() / "business_rules.yaml"
    schemas = schemas or load_data_schemas()
    doc = _read(path)
    raw_rules = _require(doc, "rules", path, "", list)
    type_rule = _require(doc, "type_rule", path, "", dict)
    type_severity = _require(type_rule, "severity", path, "type_rule", str)
    if type_severity not in SEVERITIES:
        raise ConfigError(path, "type_rule.severity", f"expected one of {SEVERITIES}")
    type_message = _require(type_rule, "message", path, "type_rule", str)
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_rules):
        at = f"rules[{i}]"
        name = _require(item, "name", path, at, str)
        at = f"rules[{i}] ({name})"
        if not _NAME.match(name):
            raise ConfigError(path, f"{at}.name", "use lower-case letters, digits and _")
        if name in seen:
            raise ConfigError(path, f"{at}.name", "the same rule name is used twice")
        seen.add(name)
        source = _require(item, "source", path, at, str)
        if source not in RULE_TARGETS:
            raise ConfigError(path, f"{at}.source", f"unknown source (expected {RULE_TARGETS})")
        column = _require(item, "column", path, at, str)
        if column not in schemas.columns_of(source):
            raise ConfigError(path, f"{at}.column", f"{column!r} is not a column of {source}")
        check = _require(item, "check", path, at, str)
        if check not in CHECKS:
            raise ConfigError(path, f"{at}.check", f"unknown check {check!r} (expected {CHECKS})")
        severity = _require(item, "severity", path, at, str)
        if severity not in SEVERITIES:
            raise ConfigError(path, f"{at}.severity", f"expected one of {SEVERITIES}")
        message = _require(item, "message", path, at, str).strip()
        if not message:
            raise ConfigError(path, f"{at}.message", "is empty")
        params = _rule_params(item, check, path, at, schemas)
        rules.append(Rule(name, source, column, check, severity, message, params))
    for target in RULE_TARGETS:
        for col in schemas.columns_of(target).values():
            if col.type == "string" or col.name in DERIVED_COLUMNS.get(target, ()):
                continue
            name = f"{target}_{col.name}_type"
            if name in seen:
                raise ConfigError(path, name, "collides with a generated type rule name")
            rules.append(
                Rule(
                    name=name,
                    source=target,
                    column=col.name,
                    check="type",
                    severity=type_severity,
                    message=type_message.format(column=col.name, type=col.type),
                    params={"type": col.type},
                )
            )
    return BusinessRules(path=path, rules=tuple(rules))


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class FileThresholds:
    min_rows: int
    max_quarantined_share: float
    max_duplicate_share: float
    severity: str
    min_completeness: dict[str, float]


@dataclass(frozen=True)
class AnomalySettings:
    metric: str
    baseline_weeks: int
    min_history: int
    z_limit: float
    min_spread_share: float
    settle_days: int
    log_scale: bool
    is_rate: bool
    is_count: bool
    direction: str
    min_relative_change: float | None
    min_absolute_change: float | None


@dataclass(frozen=True)
class Freshness:
    warn_after_hours: float
    error_after_hours: float


@dataclass(frozen=True)
class QualityThresholds:
    path: Path
    files: dict[str, FileThresholds]
    freshness: dict[str, Freshness]
    anomalies: dict[str, AnomalySettings]


def _share(value: Any, path: Path, key: str) -> float:
    number = _number(value, path, key)
    if not 0 <= number <= 1:
        raise ConfigError(path, key, f"a share must be between 0 and 1, got {value!r}")
    return number


def _file_thresholds(
    merged: dict[str, Any], source: str, path: Path, schemas: DataSchemas
) -> FileThresholds:
    at = f"files.sources.{source}"
    known = {
        "min_rows",
        "max_quarantined_share",
        "max_duplicate_share",
        "severity",
        "min_completeness",
    }
    unknown = set(merged) - known
    if unknown:
        raise ConfigError(path, at, f"unknown settings {sorted(unknown)}")
    min_rows = merged.get("min_rows")
    if isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 0:
        raise ConfigError(path, f"{at}.min_rows", f"expected a whole number >= 0, got {min_rows!r}")
    severity = merged.get("severity")
    if severity not in SEVERITIES:
        raise ConfigError(path, f"{at}.severity", f"expected one of {SEVERITIES}")
    completeness = merged.get("min_completeness") or {}
    if not isinstance(completeness, dict):
        raise ConfigError(path, f"{at}.min_completeness", "expected a mapping column: share")
    columns = schemas.sources[source].column_names
    for col, share in completeness.items():
        if col not in columns:
            raise ConfigError(
                path, f"{at}.min_completeness.{col}", f"{col!r} is not a column of {source}"
            )
        _share(share, path, f"{at}.min_completeness.{col}")
    return FileThresholds(
        min_rows=min_rows,
        max_quarantined_share=_share(
            merged.get("max_quarantined_share"), path, f"{at}.max_quarantined_share"
        ),
        max_duplicate_share=_share(
            merged.get("max_duplicate_share"), path, f"{at}.max_duplicate_share"
        ),
        severity=severity,
        min_completeness={c: float(s) for c, s in completeness.items()},
    )


def _anomaly_settings(merged: dict[str, Any], metric: str, path: Path) -> AnomalySettings:
    at = f"anomalies.metrics.{metric}"
    fields_ = AnomalySettings.__dataclass_fields__
    unknown = set(merged) - set(fields_)
    if unknown:
        raise ConfigError(path, at, f"unknown settings {sorted(unknown)}")
    values: dict[str, Any] = {"metric": metric}
    for key in ("baseline_weeks", "min_history", "settle_days"):
        value = merged.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(path, f"{at}.{key}", f"expected a whole number >= 0, got {value!r}")
        values[key] = value
    if values["baseline_weeks"] < 1:
        raise ConfigError(path, f"{at}.baseline_weeks", "must be at least 1")
    for key in ("z_limit", "min_spread_share"):
        values[key] = _number(merged.get(key), path, f"{at}.{key}")
        if values[key] < 0:
            raise ConfigError(path, f"{at}.{key}", "must be >= 0")
    for key in ("log_scale", "is_rate", "is_count"):
        if not isinstance(merged.get(key), bool):
            raise ConfigError(path, f"{at}.{key}", "expected true or false")
        values[key] = merged[key]
    if merged.get("direction") not in DIRECTIONS:
        raise ConfigError(path, f"{at}.direction", f"expected one of {DIRECTIONS}")
    values["direction"] = merged["direction"]
    for key in ("min_relative_change", "min_absolute_change"):
        value = merged.get(key)
        values[key] = None if value is None else _number(value, path, f"{at}.{key}")
    return AnomalySettings(**values)


def load_quality_thresholds(
    path: Path | None = None, schemas: DataSchemas | None = None
) -> QualityThresholds:
    """Read and check config/quality_thresholds.yaml; resolve defaults per source and metric."""
    path = path or config_dir() / "quality_thresholds.yaml"
    schemas = schemas or load_data_schemas()
    doc = _read(path)
    files_doc = _require(doc, "files", path, "", dict)
    defaults = _require(files_doc, "defaults", path, "files", dict)
    overrides = files_doc.get("sources") or {}
    if not isinstance(overrides, dict):
        raise ConfigError(path, "files.sources", "expected a mapping source: settings")
    for source in overrides:
        if source not in SOURCES:
            raise ConfigError(
                path, f"files.sources.{source}", f"unknown source (expected {SOURCES})"
            )
    files: dict[str, FileThresholds] = {}
    for source in SOURCES:
        override = overrides.get(source) or {}
        if not isinstance(override, dict):
            raise ConfigError(path, f"files.sources.{source}", "expected a mapping")
        merged = {**defaults, **override}
        merged["min_completeness"] = {
            **(defaults.get("min_completeness") or {}),
            **(override.get("min_completeness") or {}),
        }
        files[source] = _file_thresholds(merged, source, path, schemas)

    fresh_doc = _require(doc, "freshness", path, "", dict)
    fresh_sources = fresh_doc.get("sources") or {}
    freshness: dict[str, Freshness] = {}
    for source in SOURCES:
        merged = {k: v for k, v in fresh_doc.items() if k != "sources"}
        merged.update(fresh_sources.get(source) or {})
        at = f"freshness.sources.{source}" if source in fresh_sources else "freshness"
        warn = _number(merged.get("warn_after_hours"), path, f"{at}.warn_after_hours")
        error = _number(merged.get("error_after_hours"), path, f"{at}.error_after_hours")
        if warn > error:
            raise ConfigError(path, at, "warn_after_hours is above error_after_hours")
        freshness[source] = Freshness(warn, error)

    anomalies_doc = _require(doc, "anomalies", path, "", dict)
    anomaly_defaults = _require(anomalies_doc, "defaults", path, "anomalies", dict)
    metrics_doc = anomalies_doc.get("metrics") or {}
    for metric in metrics_doc:
        if metric not in ANOMALY_METRICS:
            raise ConfigError(
                path, f"anomalies.metrics.{metric}", f"unknown metric (expected {ANOMALY_METRICS})"
            )
    anomalies = {
        metric: _anomaly_settings(
            {**anomaly_defaults, **(metrics_doc.get(metric) or {})}, metric, path
        )
        for metric in ANOMALY_METRICS
    }
    return QualityThresholds(path=path, files=files, freshness=freshness, anomalies=anomalies)


# --------------------------------------------------------------------------- alerts

ALERT_SEVERITIES = ("info", "warn", "error")
WEBHOOK_URL_ENV = "ECOM_ALERT_WEBHOOK_URL"


@dataclass(frozen=True)
class AlertsConfig:
    """Where the report sends its alert summary besides the alert file (off by default)."""

    path: Path
    webhook_url: str | None
    timeout_seconds: float
    min_severity: str


def _webhook_url(value: Any, path: Path | str, key: str) -> str | None:
    from urllib.parse import urlsplit

    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(path, key, f"expected an http(s) URL or null, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(path, key, f"expected an http:// or https:// URL, got {value!r}")
    return value.strip()


def load_alerts_config(path: Path | None = None) -> AlertsConfig:
    """Read and check config/alerts.yaml; $ECOM_ALERT_WEBHOOK_URL overrides `webhook_url`.

    The environment wins so a secret URL never has to be committed; set it empty to switch the
    webhook off for one run.
    """
    path = path or config_dir() / "alerts.yaml"
    doc = _read(path)
    if not isinstance(doc, dict):
        raise ConfigError(path, "(file)", "expected a mapping")
    unknown = set(doc) - {"version", "webhook_url", "timeout_seconds", "min_severity"}
    if unknown:
        raise ConfigError(path, "(file)", f"unknown settings {sorted(unknown)}")
    url = _webhook_url(doc.get("webhook_url"), path, "webhook_url")
    if WEBHOOK_URL_ENV in os.environ:
        url = _webhook_url(os.environ[WEBHOOK_URL_ENV], f"${WEBHOOK_URL_ENV}", "(environment)")
    timeout = _number(doc.get("timeout_seconds", 10), path, "timeout_seconds")
    if not 0 < timeout <= 300:
        raise ConfigError(path, "timeout_seconds", f"expected 0 < seconds <= 300, got {timeout!r}")
    severity = doc.get("min_severity", "warn")
    if severity not in ALERT_SEVERITIES:
        raise ConfigError(
            path, "min_severity", f"expected one of {ALERT_SEVERITIES}, got {severity!r}"
        )
    return AlertsConfig(path=path, webhook_url=url, timeout_seconds=timeout, min_severity=severity)
