"""``lotse meetings solve``: round trip, bad input, extra subcommands."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lotse.meetings import cli, dump_problem, load_problem, solution_from_dict, verify
from lotse.meetings.generate import random_problem

SRC = Path(__file__).resolve().parents[2] / "src"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def problem_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    dump_problem(random_problem(attendees=30, slots=4, tables=4, wishes_each=3, seed=5), path)
    return path


def test_solve_round_trip(problem_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.json"
    code, _, err = run("solve", str(problem_file), "-o", str(output), "--method", "heuristic")
    assert code == 0, err
    data = json.loads(output.read_text("utf-8"))
    solution = solution_from_dict(data)
    assert verify(load_problem(problem_file), solution) == []
    assert data["meeting_count"] == len(data["meetings"]) > 0
    assert data["upper_bound"] >= data["objective"]
    assert data["solver"] == "heuristic"
    assert "Treffen" in err
    assert "gap" in err


def test_solve_to_stdout_quietly(problem_file: Path) -> None:
    code, out, err = run("solve", str(problem_file), "-o", "-", "--time-limit", "5", "-q")
    assert code == 0
    assert "Treffen" not in err  # no summary; notes on the input may remain
    assert json.loads(out)["status"] in ("optimal", "feasible")


def test_bad_input_exits_2_with_every_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "tables": 1,
                "slots": [{"id": "s1"}],
                "attendees": [{"id": "a"}],
                "wishes": [
                    {"from": "a", "to": "x", "kind": "would_like"},
                    {"from": "y", "to": "a", "weight": -1},
                ],
            }
        ),
        "utf-8",
    )
    code, _, err = run("solve", str(bad), "-o", str(tmp_path / "out.json"))
    assert code == 2
    assert "wishes[0].to: unknown attendee 'x'" in err
    assert "wishes[1].from: unknown attendee 'y'" in err
    assert "wishes[1].weight: must not be negative" in err
    assert not (tmp_path / "out.json").exists()

    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    code, _, err = run("solve", str(broken), "-o", str(tmp_path / "out.json"))
    assert code == 2
    assert "not valid JSON" in err
    code, _, err = run("solve", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.json"))
    assert code == 2
    assert "cannot read the file" in err


def test_usage_errors_exit_2(problem_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("solve", str(problem_file))[0] == 2  # -o missing
    assert run("solve", str(problem_file), "-o", "-", "--method", "magic")[0] == 2
    assert run("solve", str(problem_file), "-o", "-", "--time-limit", "-3")[0] == 2
    assert run()[0] == 2
    assert run("--help")[0] == 0
    assert "Optimierer" in capsys.readouterr().out


def test_unwritable_output_exits_1(problem_file: Path, tmp_path: Path) -> None:
    code, _, err = run("solve", str(problem_file), "-o", str(tmp_path / "no" / "dir.json"))
    assert code == 1
    assert "cannot write" in err


def test_other_apps_can_register_a_subcommand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_SUBCOMMANDS", {})
    seen: list[str] = []

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("event")

    def handler(args: argparse.Namespace) -> int:
        seen.append(args.event)
        return 0

    cli.register_subcommand(
        "schedule", help="Plan für eine Veranstaltung", configure=configure, handler=handler
    )
    assert run("schedule", "ai-media-2025")[0] == 0
    assert seen == ["ai-media-2025"]


def test_module_entry_point(problem_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.json"
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lotse.meetings",
            "solve",
            str(problem_file),
            "-o",
            str(output),
            "--method",
            "greedy",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text("utf-8"))["solver"] == "greedy"
