"""The README's two fresh-machine commands stay true."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ci_command():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    marker = next(i for i, line in enumerate(lines)
                  if line.startswith("# --- the README's test command"))
    return lines[marker + 1].strip()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    command = _ci_command()
    assert command.endswith("-m pytest")
    assert command in readme


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "skspeech demo" in head
    assert _ci_command() in head
    assert head.count("python3 -m venv .venv") >= 2  # each creates its own environment
