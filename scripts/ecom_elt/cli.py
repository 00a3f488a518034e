"""The one command-line entry point: `python -m ecom_elt <command>` (the Makefile calls it).

Exit codes: 0 the step ran (rejected files and warnings are findings, not failures),
1 a pipeline failure, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback

from ecom_elt.config import ConfigError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

# command -> (module, help); each module offers add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "generate": ("ecom_elt.generate", "write a deterministic sample dataset into the raw folder"),
    "load": ("ecom_elt.load", "load new raw files into the warehouse's raw schema"),
    "build": ("ecom_elt.build", "run dbt build on the warehouse"),
    "report": ("ecom_elt.report", "write the alert file, validation reports and dashboard"),
    "elt": ("ecom_elt.pipeline", "the full run: generate if empty, load, build, report"),
    "docs": ("ecom_elt.docs", "generate (and serve) the dbt docs site"),
    "bench": ("ecom_elt.bench", "benchmark generation, load and build; write BENCHMARKS.md"),
}

log = logging.getLogger("ecom_elt")


class UsageError(Exception):
    """Bad usage of a command: exit 2 with this message."""


class PipelineError(Exception):
    """A step of the pipeline failed for a reason a person can act on: exit 1 with the message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecom_elt", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(module_name=module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            command.set_defaults(missing=True)
            continue
        module.add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if getattr(args, "missing", False):
        log.error("the %s command is not available in this version", args.command)
        return EXIT_USAGE
    module = importlib.import_module(args.module_name)
    try:
        return int(module.run(args))
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return EXIT_USAGE
    except UsageError as exc:
        log.error("%s", exc)
        return EXIT_USAGE
    except PipelineError as exc:
        log.error("%s", exc)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        log.error("interrupted")
        return EXIT_FAILURE
    except Exception as exc:  # a bug: one line for people, the traceback with --debug
        if args.debug:
            traceback.print_exc()
        log.error(
            "%s failed: %s: %s (rerun with --debug for details)",
            args.command,
            type(exc).__name__,
            exc,
        )
        return EXIT_FAILURE
