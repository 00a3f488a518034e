"""Every delivered column of every source, from config/data_schemas.json."""

from ecom_elt.config import load_data_schemas
from ecom_elt.dbt_tables import to_relation


def model(dbt, session):
    dbt.config(materialized="table")
    schemas = load_data_schemas()
    rows = []
    for source in schemas.sources.values():
        for position, column in enumerate(source.columns, start=1):
            rows.append(
                (source.name, column.name, position, column.type, column.required, column.personal)
            )
        for column in source.columns:
            for position, field in enumerate(column.fields, start=1):
                target = "order_items" if column.name == "items" else f"{source.name}.{column.name}"
                rows.append((target, field.name, position, field.type, field.required, False))
    return to_relation(
        session,
        "cfg_source_columns",
        {
            "source": "varchar",
            "column_name": "varchar",
            "position": "integer",
            "column_type": "varchar",
            "is_required": "boolean",
            "is_personal": "boolean",
        },
        rows,
    )
