"""ops/services and the service files it sources from ops/services.d/ fit together: every service
the entry script names has its commands, and the scripts parse. Starts and stops nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "ops" / "services"
SERVICES_D = ROOT / "ops" / "services.d"
# What ops/services calls for each service it manages.
COMMANDS = ("install", "start", "stop", "status", "connections")


def all_services() -> list[str]:
    match = re.search(r"^ALL_SERVICES=\(([^)]*)\)$", ENTRY.read_text(), re.M)
    assert match, "ops/services no longer sets ALL_SERVICES=(...)"
    return match[1].split()


def sourced_files() -> list[str]:
    return re.findall(r'^\s*source "\$SERVICES_D/([\w.-]+)"$', ENTRY.read_text(), re.M)


def test_every_file_in_services_d_is_sourced_and_exists() -> None:
    sourced = sourced_files()
    on_disk = sorted(path.name for path in SERVICES_D.glob("*.sh"))
    assert sorted(sourced) == on_disk
    assert sourced[0] == "common.sh", (
        "common.sh defines the helpers the others use: source it first"
    )


def test_every_service_has_its_commands() -> None:
    # The files read only SCRIPT_DIR and STATE when sourced; nothing runs.
    sources = "; ".join(f'source "ops/services.d/{name}"' for name in sourced_files())
    defined = subprocess.run(
        [
            "bash",
            "-c",
            f"set -euo pipefail; SCRIPT_DIR=ops STATE=/nonexistent; {sources}; "
            "declare -F | awk '{print $3}'",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [
        f"{command}_{service}"
        for service in all_services()
        for command in COMMANDS
        if f"{command}_{service}" not in defined
    ]
    assert not missing, f"ops/services.d defines no {missing}"


@pytest.mark.parametrize(
    "script",
    [
        "ops/services",
        "ops/setup",
        "ops/setup-browser",
        "ops/run",
        "ops/test",
        "ops/keys",
        "ops/admin",
        "ops/services.d",
    ],
)
def test_scripts_parse(script: str) -> None:
    path = ROOT / script
    for file in sorted(path.glob("*.sh")) if path.is_dir() else [path]:
        result = subprocess.run(["bash", "-n", str(file)], capture_output=True, text=True)
        assert result.returncode == 0, f"{file.relative_to(ROOT)}: {result.stderr}"


def test_help_lists_the_services() -> None:
    result = subprocess.run([str(ENTRY), "--help"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    assert f"SERVICE is one of: {' '.join(all_services())}" in result.stdout
