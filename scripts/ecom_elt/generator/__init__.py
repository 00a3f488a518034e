"""The deterministic sample-data generator: the platform's exports, as the raw data contract
describes them, with planted defects and anomalies listed in a manifest.

`generate()` is the entry point for code and tests; `ecom_elt.generate` wraps it for the CLI.
"""

from ecom_elt.generator.core import generate, generate_with_options
from ecom_elt.generator.manifest import MANIFEST_NAME, GeneratorManifest
from ecom_elt.generator.options import GeneratorOptions, parse_options

__all__ = [
    "MANIFEST_NAME",
    "GeneratorManifest",
    "GeneratorOptions",
    "generate",
    "generate_with_options",
    "parse_options",
]
