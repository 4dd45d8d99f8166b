"""Command line: ``wslib quickstart | bench <what> | weaver TABLE``.

Each command lives in its own module and exposes ``add_arguments(parser)``
and ``run(args) -> int``; this file only wires them together, importing a
command's module when it is used. A command's error (bad input, a missing or
unwritable file, an LF fault) is printed as one line, ``wslib CMD: error: ...``,
with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command name -> (module, one-line help)
COMMANDS = {
    "quickstart": ("wslib.quickstart", "apply real LFs to the embedded YouTube spam data, "
                                       "summarise them and fit a label model"),
    "bench": ("wslib.bench.cli", "benchmark appliers, label models, end models, Weaver, AutoWS"),
    "weaver": ("wslib.weaver.cli", "combine weak verifiers in a table and select the best "
                                   "candidate per problem"),
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command named in ``argv`` has its module imported (for its
    options), so ``wslib quickstart`` does not load the benchmark or Weaver code."""
    parser = argparse.ArgumentParser(
        prog="wslib", description="Programmatic weak supervision: LFs -> votes -> labels."
    )
    from wslib import __version__

    parser.add_argument("--version", action="version", version=f"wslib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((a for a in (sys.argv[1:] if argv is None else argv) if a in COMMANDS), None)
    for name, (module, help_text) in COMMANDS.items():
        add_arguments = None
        if name == chosen:
            try:
                add_arguments = importlib.import_module(module).add_arguments
            except ImportError as exc:  # one broken command must not take the others down
                help_text = f"(unavailable: {exc})"
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.set_defaults(_module=module)
        if add_arguments is not None:
            add_arguments(cmd)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except (ValueError, TypeError, KeyError, OSError, RuntimeError, ArithmeticError) as exc:
        message = exc.args[0] if type(exc) is KeyError and exc.args else exc
        print(f"wslib {args.command}: error: {' '.join(str(message).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
