"""README.md tells the truth: every `make` command it shows is a target, every path exists."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def makefile_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def test_every_make_command_in_the_readme_is_a_target():
    commands = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert {"run", "test"} <= commands
    assert commands <= makefile_targets(), commands - makefile_targets()


def test_make_help_lists_the_readme_commands():
    result = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    for command in set(re.findall(r"\bmake ([a-z][a-z-]*)", README)):
        assert f"make {command}" in result.stdout


def test_every_path_in_the_readme_exists():
    paths = set(re.findall(r"\]\(([^)#:]+)\)", README))  # markdown links
    paths |= set(re.findall(r"`((?:[\w.-]+/)+[\w.-]*)`", README))  # `folder/file` in code spans
    for path in paths:
        if path.startswith(("models/", "results/")):
            continue  # written by `make train` and `make eval`
        base = ROOT.parent if path.startswith("shared/") else ROOT  # shared/ sits beside the repo
        assert (base / path).exists(), path


def test_file_map_entries_exist():
    block = README.split("```text", 2)[2].split("```", 1)[0]
    current_folder = ""
    for line in block.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not name:
            continue
        if line.startswith("  "):
            assert (ROOT / current_folder / name).exists(), f"{current_folder}{name}"
        else:
            if name.endswith("/"):
                current_folder = name
            assert (ROOT / name).exists(), name


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
