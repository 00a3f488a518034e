"""Every row rule, from config/business_rules.yaml (plus the type rules it generates)."""

import hashlib
import json

from ecom_elt.config import load_business_rules, load_data_schemas
from ecom_elt.dbt_tables import to_relation


def model(dbt, session):
    dbt.config(materialized="table")
    schemas = load_data_schemas()
    rules = load_business_rules(schemas=schemas)
    rows = []
    for rule in rules.rules:
        params = rule.params
        # The logic of a rule (not its severity or message): staging re-judges every row
        # when this changes.
        logic = json.dumps([rule.source, rule.column, rule.check, params], sort_keys=True)
        rows.append(
            (
                rule.name,
                rule.source,
                rule.column,
                rule.check,
                rule.severity,
                rule.message,
                schemas.columns_of(rule.source)[rule.column].type,
                params.get("pattern"),
                params.get("accepted_values"),
                params.get("min"),
                params.get("max"),
                params.get("min_exclusive"),
                params.get("max_exclusive"),
                params.get("max_decimals"),
                params.get("expression"),
                params.get("to"),
                params.get("to_column") or params.get("on"),
                hashlib.sha256(logic.encode()).hexdigest()[:16],
            )
        )
    return to_relation(
        session,
        "cfg_business_rules",
        {
            "rule_name": "varchar",
            "source": "varchar",
            "column_name": "varchar",
            "check_type": "varchar",
            "severity": "varchar",
            "message": "varchar",
            "column_type": "varchar",
            "pattern": "varchar",
            "accepted_values": "varchar[]",
            "min_value": "double",
            "max_value": "double",
            "is_min_exclusive": "boolean",
            "is_max_exclusive": "boolean",
            "max_decimals": "integer",
            "expression": "varchar",
            "to_source": "varchar",
            "to_column": "varchar",
            "logic_hash": "varchar",
        },
        rows,
    )
