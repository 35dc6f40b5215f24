"""ops/setup on a machine whose only Python is the distribution's, which Debian 12 and Ubuntu mark
as externally managed (PEP 668): with the PATH reduced to the system folders and a fresh tools
folder, it installs its own uv and builds a .venv that imports the project's packages.

It runs on a copy of ops/ in a temporary folder, so this checkout's .venv and .tools are never
touched; pip and uv use their usual caches, which ops/setup filled before the tests ran, so it
takes seconds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# What the environment may still say besides PATH and HOME: where the caches are, how to reach
# the package indexes (proxies, certificates, mirrors), none of which puts a Python on the PATH.
PASSED_ON = re.compile(r"(UV|PIP)_\w+|XDG_CACHE_HOME|SSL_CERT_(FILE|DIR)|(HTTPS?|NO)_PROXY", re.I)


def system_python() -> str:
    python = shutil.which("python3", path=SYSTEM_PATH)
    if python is None:
        pytest.skip(f"no python3 in {SYSTEM_PATH}")
    check = subprocess.run([python, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"])
    if check.returncode != 0:
        pytest.skip(f"{python} is older than 3.11")
    return python


def run_setup(checkout: Path) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if PASSED_ON.fullmatch(name)}
    env |= {"PATH": SYSTEM_PATH, "HOME": os.environ.get("HOME", "/root")}
    return subprocess.run(
        [str(checkout / "ops" / "setup")],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
    )


def pinned_uv() -> str:
    match = re.search(r"^uv==(\S+)", (ROOT / "ops" / "requirements-uv.txt").read_text(), re.M)
    assert match, "ops/requirements-uv.txt pins no uv"
    return match[1]


def test_setup_with_only_the_system_python(tmp_path: Path) -> None:
    python = system_python()
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "ops", checkout / "ops", ignore=shutil.ignore_patterns("__pycache__"))

    first = run_setup(checkout)
    assert first.returncode == 0, first.stdout + first.stderr
    output = first.stdout + first.stderr
    assert "Installed" in output, f"the first install shows no progress:\n{output}"

    uv = subprocess.run(
        [str(checkout / ".tools" / "uv" / "bin" / "uv"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert uv.stdout.split()[:2] == ["uv", pinned_uv()]
    config = (checkout / ".venv" / "pyvenv.cfg").read_text()
    assert f"home = {Path(python).parent}" in config, f".venv is not on {python}:\n{config}"
    imports = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-c", "import falcon, sqlalchemy"],
        capture_output=True,
        text=True,
    )
    assert imports.returncode == 0, imports.stderr

    again = run_setup(checkout)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.strip() == "[setup] Python environment ready (.venv)", (
        "a second run installs again:\n" + again.stdout
    )
