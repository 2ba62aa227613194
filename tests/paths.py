"""Where the tests find the files the repository ships."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The three legacy seed printouts (fixtures/legacy/README.md).
SEEDS = ROOT / "fixtures" / "legacy"
