"""Where the shared folder and the example live (``../shared`` beside the repo)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLE = SHARED / "contract" / "example"
ORLIB = SHARED / "benchmarks" / "orlib"
