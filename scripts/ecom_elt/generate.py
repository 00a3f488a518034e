"""`python -m ecom_elt generate`: write a deterministic sample dataset into the raw folder.

Thin CLI over `ecom_elt.generator.generate()`; the one-line summary goes to stdout, progress to
stderr.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ecom_elt.generator import GeneratorManifest, generate, parse_options
from ecom_elt.generator.core import generate_with_options
from ecom_elt.paths import data_root

__all__ = ["GeneratorManifest", "add_arguments", "generate", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", default="90", help="number of business days (default 90)")
    parser.add_argument(
        "--start", default="2026-08-03", help="first business date, YYYY-MM-DD (default 2026-08-03)"
    )
    parser.add_argument("--seed", default="42", help="random seed (default 42)")
    parser.add_argument(
        "--scale",
        default="1",
        help="multiplier of the default volumes (~100 k sessions in 90 days); 0.05 or 100 work",
    )
    parser.add_argument(
        "--defects",
        default="default",
        help="none (a clean dataset), default (every kind of defect once) or heavy (more of each)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data root to write into (default: $ECOM_DATA_DIR, else data/); files go to raw/",
    )
    parser.add_argument("--clean", action="store_true", help="empty raw/ first")


def run(args: argparse.Namespace) -> int:
    options = parse_options(args.days, args.start, args.seed, args.scale, args.defects)
    root = data_root(args.data_dir)
    started = time.perf_counter()
    manifest = generate_with_options(root, options, clean=args.clean)
    elapsed = time.perf_counter() - started
    rows = manifest.rows_per_source()
    per_source = ", ".join(f"{source} {count:,}" for source, count in rows.items())
    print(
        f"generated {len(manifest.files)} files into {root.raw}: {per_source} rows; "
        f"{len(manifest.defects)} defects planted; {elapsed:.1f} s"
    )
    return 0
