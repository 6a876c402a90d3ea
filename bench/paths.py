"""Where the harness reads and writes: project root, scratch space, results and docs."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_ROOT / "bench"
LUA_DIR = BENCH_DIR / "lua"
WORK_DIR = BENCH_DIR / ".work"
RESULTS_DIR = BENCH_DIR / "results"
DOCS_MARKDOWN = PROJECT_ROOT / "docs" / "benchmarks.md"
DOCS_PLOT = PROJECT_ROOT / "docs" / "benchmarks.png"
