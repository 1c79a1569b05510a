"""The embedded stack's own suite: its files (before the stack starts) and the live stack (after the
stages, when the smoke chain exports SMOKE_PROBE_URL). Standard library only, besides pytest."""

import json
import os
from pathlib import Path

import pytest

STACK = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack_dir() -> Path:
    return STACK


def load(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def catalog():
    return load(STACK / "catalog" / "core.json")


@pytest.fixture(scope="session")
def template():
    return load(STACK / "proxy.template.json")


@pytest.fixture(scope="session")
def stages():
    return load(STACK / "stages.json")


@pytest.fixture(scope="session")
def probe_url() -> str:
    url = os.environ.get("SMOKE_PROBE_URL", "")
    if not url:
        pytest.skip("no running stack (SMOKE_PROBE_URL is set by the smoke chain's tests-post step)")
    return url


@pytest.fixture(scope="session")
def manifest():
    path = os.environ.get("SMOKE_MANIFEST", "")
    if not path:
        pytest.skip("no rendered manifest (SMOKE_MANIFEST is set by the smoke chain)")
    return load(Path(path))
