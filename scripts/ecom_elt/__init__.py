"""ecom_elt: the Python side of the e-commerce ELT pipeline (generate, load, build, report)."""
