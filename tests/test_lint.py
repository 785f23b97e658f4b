"""ruff (Einstellungen in pyproject.toml): keine Lint-Funde und einheitliches Format in .py und .ipynb."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = [sys.executable, "-m", "ruff"]


def test_ruff_finds_nothing():
    out = subprocess.run([*RUFF, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_ruff_format_leaves_everything_as_it_is():
    out = subprocess.run([*RUFF, "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, "Bitte `.venv/bin/ruff format .` ausführen:\n" + out.stdout[-4000:]


def test_ruff_would_catch_an_unused_import(tmp_path):
    """Der Test kann scheitern: eine Datei mit einem ungenutzten Import fällt durch."""
    bad = tmp_path / "schlecht.py"
    bad.write_text("import os\n", encoding="utf-8")
    out = subprocess.run(
        [*RUFF, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "F401" in out.stdout
