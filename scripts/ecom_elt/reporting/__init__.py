"""The report step, one module per job.

artifacts   dbt's run_results.json joined with manifest.json
quality     the warehouse's quality schema, read once
alerts      the alerts and quality_alert.txt
validation  validation_report_<file>.json per delivered file (personal data masked)
summary     run_summary.json
history     quality.run_history, one row per report run
charts      inline-SVG chart geometry
dashboard   dashboard.html (Jinja template in templates/)
business    CSV and Excel business reports from the marts
webhook     the optional POST of the alert summary
runner      all of the above in order: write_reports()
"""

from ecom_elt.reporting.runner import ReportOutcome, WarehouseError, write_reports

__all__ = ["ReportOutcome", "WarehouseError", "write_reports"]
