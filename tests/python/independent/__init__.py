"""An independent re-computation of the marts, for the end-to-end test.

Everything here is written from `shared/spec/raw-data-contract.md`, `shared/spec/metrics.md` and
the thresholds in `config/quality_thresholds.yaml`, in plain Python (csv, json, gzip, datetime,
decimal). It shares no code with the loader or the dbt models, so a figure both agree on was
reached twice, by two different routes.

- `raw_reader`: finds and parses the delivered files into text rows, as the contract writes them.
- `contract`: the contract's row rules, judged per row, and the typed values of a clean row.
- `verdicts`: which files are rejected and which rows are clean (thresholds read from the YAML).
- `expected_marts`: the marts, computed from the clean rows.
- `compare`: row-by-row comparison helpers (money to the cent, rates to 1e-9 relative).
"""
