"""Command line: ``lotse meetings solve INPUT.json -o OUTPUT.json``.

``main(argv)`` returns the exit code (0 done, 1 output not writable, 2 bad input
or usage).  Other parts of Lotse add subcommands (the events app adds
``schedule EVENT``) through :func:`register_subcommand` before ``main`` runs::

    from lotse.meetings.cli import register_subcommand

    def configure(parser): parser.add_argument("event")
    def run(args) -> int: ...
    register_subcommand("schedule", help="...", configure=configure, handler=run)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from .problem import ProblemError, load_problem, solution_to_dict
from .solver import METHODS, solve

EXIT_OK = 0
EXIT_OUTPUT = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


_SUBCOMMANDS: dict[str, Subcommand] = {}


def register_subcommand(
    name: str,
    *,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """Add a subcommand to ``lotse meetings`` (registering a name again replaces it)."""
    _SUBCOMMANDS[name] = Subcommand(name=name, help=help, configure=configure, handler=handler)


def _configure_solve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="INPUT.json",
        help="Problemdatei (Format: docs/meetings-format.md) / problem file",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT.json",
        required=True,
        help="Ergebnisdatei, „-“ für die Standardausgabe / result file, '-' for stdout",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help=(
            "Verfahren: auto (exakt bei kleinen, Heuristik bei großen Veranstaltungen), "
            "cpsat, highs, heuristic, greedy, first_come (Vergleichsbasis) "
            "/ solver to use (default: auto)"
        ),
    )
    parser.add_argument(
        "--time-limit",
        metavar="S",
        type=_positive_seconds,
        default=60.0,
        help="Zeitgrenze in Sekunden (Standard: 60) / time limit in seconds",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="keine Zusammenfassung ausgeben / print no summary",
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Zahl / not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"die Zeitgrenze muss positiv sein / must be positive (got {text})"
        )
    return value


def _run_solve(args: argparse.Namespace, *, stdout: TextIO, stderr: TextIO) -> int:
    try:
        problem = load_problem(args.input)
    except ProblemError as error:
        print(f"Fehler: ungültige Eingabe {args.input} / invalid input:", file=stderr)
        for message in error.errors:
            print(f"  - {message}", file=stderr)
        return EXIT_BAD_INPUT
    for warning in problem.warnings:
        print(f"Hinweis / note: {warning}", file=stderr)
    solution = solve(problem, method=args.method, time_limit=args.time_limit)
    text = json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=1) + "\n"
    if args.output == "-":
        stdout.write(text)
    else:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            print(
                f"Fehler: {args.output} lässt sich nicht schreiben / cannot write: "
                f"{error.strerror}",
                file=stderr,
            )
            return EXIT_OUTPUT
    if not args.quiet:
        asked = sum(1 for count in solution.meetings_per_attendee.values() if count)
        print(
            f"{len(solution.meetings)} Treffen für {asked} Personen / meetings; "
            f"Gewicht {solution.total_weight:g} (Schranke {solution.weight_upper_bound:g}); "
            f"Zielwert {solution.objective:.2f} ≤ {solution.upper_bound:.2f} "
            f"(Lücke / gap {solution.gap:.2%}); {solution.solver}, {solution.status}, "
            f"{solution.seconds:.1f} s",
            file=stderr,
        )
    return EXIT_OK


def build_parser(prog: str = "lotse meetings") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "1:1-Treffen auf Konferenzen optimal planen. / Schedule 1:1 meetings at conferences."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="BEFEHL")
    subparsers.required = True
    solve_parser = subparsers.add_parser(
        "solve",
        help="Optimierer auf eine JSON-Datei anwenden / run the optimiser on a file",
        description=(
            "Liest Teilnehmende, Slots, Tische und Wünsche aus INPUT.json und schreibt "
            "die Treffen mit Slot und Tisch, das Gesamtgewicht und eine obere Schranke "
            "nach OUTPUT.json. / Reads a problem file and writes the schedule."
        ),
    )
    _configure_solve(solve_parser)
    solve_parser.set_defaults(_handler=None)
    for command in _SUBCOMMANDS.values():
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(_handler=command.handler)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # argparse: usage error (2) or --help (0)
        return int(exit_.code or 0)
    if args._handler is not None:
        return int(args._handler(args))
    return _run_solve(args, stdout=stdout, stderr=stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
