"""Shared fixtures: the `overparam` command-line binary for the parity tests."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def cli_path() -> pathlib.Path | None:
    """The CLI binary: $OVERPARAM_CLI, else target/release/overparam of this checkout."""
    env = os.environ.get("OVERPARAM_CLI")
    if env:
        return pathlib.Path(env)
    p = REPO / "target" / "release" / "overparam"
    return p if p.exists() else None


@pytest.fixture(scope="session")
def cli():
    """Run `overparam ARGS --format json` and return the records (a list of dicts)."""
    path = cli_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("the overparam binary is missing (set OVERPARAM_CLI or build it)")
        pytest.skip("no overparam binary (cargo build --release, or set OVERPARAM_CLI)")
    if not path.exists():
        pytest.fail(f"OVERPARAM_CLI={path} does not exist")

    def run(*args: str) -> list[dict]:
        out = subprocess.run(
            [str(path), *args, "--format", "json", *(["--no-progress"] if "--simulate" in args else [])],
            check=True,
            capture_output=True,
            text=True,
        )
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    return run
