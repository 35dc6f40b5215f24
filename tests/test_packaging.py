"""Packaging stays consistent with the Procfile and the settings: ops/Dockerfile,
docker-compose.yml, and what the repository would commit. Pure file parsing: no Docker needed."""

from __future__ import annotations

import ast
import functools
import json
import re
import shlex
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "ops" / "Dockerfile"
DOCKERIGNORE = ROOT / "ops" / "Dockerfile.dockerignore"
SETTINGS = ROOT / "adapters" / "settings.py"
LOCK = "ops/requirements.lock"
UV_PIN = "ops/requirements-uv.txt"

APP_IMAGE = "accounts:dev"
# Services of the app image that run once and exit; every other one is a Procfile process.
ONE_SHOT = {"migrations", "keys"}
# The layers every process may import (STYLE.md): the image carries all of them.
LAYERS = {"api", "actors", "core", "adapters", "migrations"}
# Settings whose defaults only work on the developer's machine, named here so that the test
# still means something if adapters/settings.py is restructured.
CONTAINER_SETTINGS = {
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "SMTP_HOST",
    "JWT_KEY_DIR",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Hosts of package registries, kept in pieces so that this file does not name them either.
REGISTRY_MARKERS = [
    ".".join(("files", "pythonhosted", "org")),
    "/".join((".".join(("pypi", "org")), "simple")),
    ".".join(("pypi", "python", "org")),
    ".".join(("registry", "npmjs", "org")),
    ".".join(("registry", "yarnpkg", "com")),
    ".".join(("repo", "maven", "apache", "org")),
    ".".join(("repo1", "maven", "org")),
    '"resolved": "' + "http",  # npm lock entries that pin a download URL
]
UNCOMMITTED_LOCKS = {"uv.lock", "package-lock.json"}


# --- readers --------------------------------------------------------------------------------


def procfile() -> dict[str, str]:
    """Process name -> command line, as honcho reads the Procfile."""
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_-]+):\s*(.+?)\s*", line)
        assert match, f"Procfile line not in `name: command` form: {line!r}"
        processes[match[1]] = match[2]
    return processes


_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_]\w*))")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """What compose makes of a string: `$$` -> `$`, `${VAR:-default}` and friends from `env`."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        expression = match["braced"] if match["braced"] is not None else match["named"]
        parsed = re.fullmatch(r"([A-Za-z_]\w*)(?:(:?[-?+])(.*))?", expression, re.S)
        assert parsed, f"compose cannot interpolate {match[0]!r}"
        name, operator, argument = parsed[1], parsed[2], parsed[3] or ""
        current = env.get(name)
        unset = current is None or (
            operator is not None and operator.startswith(":") and not current
        )
        if operator is None:
            return current or ""
        if operator.endswith("-"):
            return argument if unset else current or ""
        if operator.endswith("+"):
            return "" if unset else argument
        assert not unset, f"compose needs {name} set: {argument}"
        return current or ""

    return _VARIABLE.sub(substitute, value)


def interpolated(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolated(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolated(item, env) for key, item in node.items()}
    return node


def compose() -> dict[str, Any]:
    """docker-compose.yml as compose runs it with nothing set: merge keys resolved by YAML, every
    `${VAR:-default}` at its default and `$$` turned into the `$` the container sees."""
    return interpolated(yaml.safe_load(COMPOSE.read_text()), {})


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def app_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in services().items()
        if "build" in service or service.get("image") == APP_IMAGE
    }


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Dependency -> condition (compose's default for the short list form is service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def has_healthcheck(service: Mapping[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable") and check["test"] != ["NONE"]


def volume_targets(service: Mapping[str, Any]) -> dict[str, bool]:
    """Mount target -> writable."""
    targets = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            target = parts[1] if len(parts) > 1 else parts[0]
            targets[target] = not (len(parts) > 2 and "ro" in parts[2].split(","))
        else:
            targets[volume["target"]] = not volume.get("read_only", False)
    return targets


def dockerfile_stages() -> list[dict[str, Any]]:
    """[{'name': ..., 'instructions': [(INSTRUCTION, arguments), ...]}] in file order."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by docker
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    assert not pending, "ops/Dockerfile ends inside a continued line"
    stages: list[dict[str, Any]] = []
    for line in lines:
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = arguments.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else None
            stages.append({"name": name, "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((instruction, arguments.strip()))
    assert stages, "ops/Dockerfile has no FROM"
    return stages


def copy_sources(arguments: str) -> tuple[dict[str, str], list[str]]:
    """COPY's --flags and its sources (the last word is the destination)."""
    words = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
    flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--") and "=" in w)
    paths = [w for w in words if not w.startswith("--")]
    return flags, paths[:-1]


def exec_form(arguments: str) -> list[str] | None:
    return json.loads(arguments) if arguments.startswith("[") else None


def settings_defaults() -> dict[str, Any]:
    """Every `env.<type>("NAME", default)` in adapters/settings.py -> the default's literal (or
    None when it is computed)."""
    defaults: dict[str, Any] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            default = node.args[1] if len(node.args) > 1 else None
            defaults[node.args[0].value] = (
                default.value if isinstance(default, ast.Constant) else None
            )
    return defaults


def hosts(value: str) -> list[str]:
    """Hosts named by a URL, a `host:port[,host:port]` list or a bare host."""
    if "://" in value:
        host = urlsplit(value).hostname
        return [host] if host else []
    return [part.strip().rsplit(":", 1)[0] for part in value.split(",") if part.strip()]


@functools.cache
def commit_candidates() -> list[str]:
    """Tracked files plus untracked ones that .gitignore does not hide: what a commit can take."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return sorted({path for path in listing.decode().split("\0") if path})


def repo_files_under(path: str) -> Iterator[str]:
    prefix = path.rstrip("/") + "/"
    return (f for f in commit_candidates() if f == path.rstrip("/") or f.startswith(prefix))


# --- (a) one process per Procfile line ------------------------------------------------------


def test_procfile_processes_are_the_compose_app_services() -> None:
    processes = set(procfile())
    long_running = set(app_services()) - ONE_SHOT
    assert processes == long_running, (
        "docker-compose.yml must run every Procfile process from the app image and nothing else "
        f"long-running: missing {sorted(processes - long_running)}, "
        f"not in the Procfile {sorted(long_running - processes)}"
    )
    assert set(app_services()) >= ONE_SHOT, "the one-shot migrations and keys services are missing"


@pytest.mark.parametrize("name", sorted(procfile()))
def test_compose_command_is_the_procfile_line(name: str) -> None:
    command = services()[name].get("command")
    # One item: ops/Dockerfile's entrypoint runs a single argument as a shell line, as honcho
    # does, so ${VAR:-default} expands in the container. A plain string would be split by
    # compose into words and reach the program unexpanded.
    one_item = f'compose service {name}: write `command: ["<Procfile line>"]` (one item)'
    assert isinstance(command, list), one_item
    assert len(command) == 1, one_item
    assert command[0] == procfile()[name], (
        f"compose service {name} runs {command[0]!r}, the Procfile {procfile()[name]!r} "
        "(in docker-compose.yml write each `$` of the Procfile line as `$$`)"
    )


def test_image_default_command_is_the_procfile_web_line() -> None:
    processes = procfile()
    if "web" not in processes:
        pytest.skip("no web process")
    final = dockerfile_stages()[-1]["instructions"]
    cmds = [arguments for instruction, arguments in final if instruction == "CMD"]
    assert cmds, "ops/Dockerfile has no CMD"
    assert exec_form(cmds[-1]) == [processes["web"]], (
        f"ops/Dockerfile's CMD must be [{processes['web']!r}], the Procfile's web line"
    )


@pytest.mark.parametrize("name", sorted(procfile()))
def test_procfile_loopback_defaults_are_overridden_in_containers(name: str) -> None:
    """A `${WEB_HOST:-127.0.0.1}` in a Procfile line would make the process unreachable from other
    containers: compose must set the variable to something else."""
    env = environment(services()[name])
    for var, default in re.findall(r"\$\{([A-Za-z_]\w*):?-([^}]*)\}", procfile()[name]):
        if default in LOOPBACK:
            message = f"compose service {name} must set {var} (the Procfile's default is {default})"
            assert env.get(var), message
            assert env[var] not in LOOPBACK, message


# --- (b) dependencies -----------------------------------------------------------------------


def test_depends_on_names_services_and_their_conditions_hold() -> None:
    all_services = services()
    for name, service in all_services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in all_services, f"{name} depends on unknown service {dependency}"
            needed = all_services[dependency]
            if condition == "service_healthy":
                assert has_healthcheck(needed), (
                    f"{name} waits for {dependency} to be healthy, which has no healthcheck"
                )
            elif condition == "service_completed_successfully":
                assert needed.get("restart", "no") in ("no", "on-failure"), (
                    f"{name} waits for {dependency} to complete, which restarts forever"
                )
            else:
                assert condition == "service_started", f"{name}: unknown condition {condition}"
            # The dependency must be active whenever the dependent is.
            wanted, offered = set(service.get("profiles", [])), set(needed.get("profiles", []))
            assert not offered or (wanted and wanted <= offered), (
                f"{name} (profiles {sorted(wanted)}) depends on {dependency}, "
                f"which only runs in profiles {sorted(offered)}"
            )


def test_every_app_service_says_how_its_health_is_checked() -> None:
    """The image's HEALTHCHECK probes the web port: a service of the image that serves no HTTP
    would report unhealthy forever unless compose replaces or disables the check."""
    for name, service in app_services().items():
        assert "healthcheck" in service, f"app service {name} must set (or disable) healthcheck"


def test_every_long_running_process_restarts_and_the_silent_ones_are_probed() -> None:
    """A process that exits anyway comes back; worker, relay and consumer serve no API, so
    their health is their metrics port answering."""
    for name, service in app_services().items():
        expected = "no" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart") == expected, f"{name}: restart {service.get('restart')}"
    ports = {"worker": "WORKER_METRICS_PORT", "relay": "RELAY_METRICS_PORT"}
    ports["consumer"] = "CONSUMER_METRICS_PORT"
    for name, port in ports.items():
        test = " ".join(app_services()[name]["healthcheck"]["test"])
        assert port in test, f"{name}: {test}"
        assert "/metrics" in test, f"{name}: {test}"
        assert environment(app_services()[name]).get(port, "set in the image") != "0"


def test_procfile_processes_start_after_migrations() -> None:
    for name in procfile():
        assert depends_on(services()[name]).get("migrations") == (
            "service_completed_successfully"
        ), f"{name} must wait for the migrations to complete"


# --- (c) the app's environment in containers ------------------------------------------------


def container_settings() -> set[str]:
    """Setting names whose defaults point at the developer's machine: a loopback host, or a
    relative path that means nothing in the image."""
    names = set()
    for name, default in settings_defaults().items():
        if isinstance(default, str) and (
            any(host in default for host in LOOPBACK) or default.startswith(".")
        ):
            names.add(name)
    return names


def test_settings_without_a_container_default_are_found() -> None:
    assert container_settings() >= CONTAINER_SETTINGS


# Settings that hold where people reach the service, not where containers reach each other.
PUBLIC_ADDRESSES = {"PUBLIC_BASE_URL", "WEBAUTHN_RP_ID"}


@pytest.mark.parametrize("name", sorted(app_services()))
def test_app_env_points_at_compose_services(name: str) -> None:
    all_services = services()
    service = all_services[name]
    env = environment(service)
    for setting in sorted(container_settings() | CONTAINER_SETTINGS):
        assert env.get(setting), f"compose service {name} must set {setting}"
        value = env[setting]
        if setting.endswith(("_DIR", "_PATH", "_FILE")):
            assert value.startswith("/"), f"{name}: {setting}={value} must be absolute"
            continue
        if value in ("0.0.0.0", "::"):
            continue  # an address to listen on (all interfaces), not a service to reach
        if setting in PUBLIC_ADDRESSES:
            continue  # opened by people's browsers, from outside the compose network
        named = hosts(value)
        assert named, f"{name}: {setting}={value} names no host"
        for host in named:
            assert host in all_services, f"{name}: {setting}={value} names {host}, not a service"


def test_key_dir_is_a_volume_only_the_keys_service_writes() -> None:
    app = app_services()
    key_dir = environment(app["keys"])["JWT_KEY_DIR"]
    assert volume_targets(app["keys"]).get(key_dir) is True, f"keys must mount {key_dir} writable"
    for name, service in app.items():
        assert environment(service)["JWT_KEY_DIR"] == key_dir, f"{name}: another JWT_KEY_DIR"
        if name != "keys" and key_dir in volume_targets(service):
            assert volume_targets(service)[key_dir] is False, f"{name} must mount {key_dir} :ro"
    if "web" in app:
        assert key_dir in volume_targets(app["web"]), f"web must mount {key_dir} (signing keys)"
        assert depends_on(app["web"]).get("keys") == "service_completed_successfully"


# --- (d) the image --------------------------------------------------------------------------


def imported_packages() -> set[str]:
    """Top-level folders of this repository that the Procfile lines name as modules."""
    packages = set()
    for command in procfile().values():
        for word in shlex.split(command):
            top = word.split(":", 1)[0].split(".", 1)[0]
            if re.fullmatch(r"[A-Za-z_]\w*", top) and (ROOT / top).is_dir() and top != "ops":
                packages.add(top)
    return packages


def test_final_stage_runs_as_a_non_root_user() -> None:
    final = dockerfile_stages()[-1]["instructions"]
    users = [arguments for instruction, arguments in final if instruction == "USER"]
    assert users, "the final stage of ops/Dockerfile sets no USER"
    user = users[-1].split(":", 1)[0]
    assert user not in ("root", "0"), f"the final stage runs as {user}"


def test_dependencies_come_from_the_hashed_lock() -> None:
    stages = dockerfile_stages()
    final = stages[-1]["instructions"]
    sources = {
        copy_sources(arguments)[0].get("from")
        for instruction, arguments in final
        if instruction == "COPY"
    }
    install_stages = [stages[-1]] + [stage for stage in stages if stage["name"] in sources]
    runs = [
        arguments
        for stage in install_stages
        for instruction, arguments in stage["instructions"]
        if instruction == "RUN"
    ]
    assert any(LOCK in run and "--require-hashes" in run for run in runs), (
        f"ops/Dockerfile must install {LOCK} with --require-hashes in the final stage "
        "or a stage it copies from"
    )
    final_runs = [arguments for instruction, arguments in final if instruction == "RUN"]
    for run in final_runs:
        assert not re.search(r"\b(?:pip|uv)\b.*\b(?:install|sync)\b", run), (
            f"the final stage installs packages outside the lock: {run}"
        )


def test_uv_is_the_one_ops_setup_installs() -> None:
    runs = [
        arguments
        for stage in dockerfile_stages()
        for instruction, arguments in stage["instructions"]
        if instruction == "RUN"
    ]
    pip_installs = [run for run in runs if re.search(r"\bpip install\b", run)]
    assert pip_installs, "ops/Dockerfile does not install uv with pip"
    for run in pip_installs:
        message = f"ops/Dockerfile must install uv from {UV_PIN} with --require-hashes: {run}"
        assert UV_PIN in run, message
        assert "--require-hashes" in run, message
    assert UV_PIN in (ROOT / "ops" / "setup").read_text()


def test_final_stage_copies_every_layer_the_processes_import() -> None:
    final = dockerfile_stages()[-1]["instructions"]
    copied = set()
    for instruction, arguments in final:
        if instruction == "COPY":
            flags, paths = copy_sources(arguments)
            if "from" not in flags:
                copied.update(path.rstrip("/") for path in paths)
    needed = LAYERS | imported_packages()
    assert needed <= copied, f"ops/Dockerfile does not copy {sorted(needed - copied)}"
    for path in sorted(copied):
        # A folder git does not carry (an empty one) is missing from a fresh clone: COPY fails.
        assert any(repo_files_under(path)), (
            f"ops/Dockerfile copies {path}, which holds no file git would commit"
        )


def test_build_context_keeps_secrets_and_local_state_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    missing = {".git", ".venv", ".tools", ".services", ".keys", ".env", "tests"} - patterns
    assert not missing, f"ops/Dockerfile.dockerignore must exclude {sorted(missing)}"


def test_compose_builds_the_image_from_the_root_with_ops_dockerfile() -> None:
    raw = yaml.safe_load(COMPOSE.read_text())
    assert "version" not in raw, "the compose spec has no `version:` key"
    for name, service in app_services().items():
        build = service.get("build")
        assert isinstance(build, dict), f"{name} must build ops/Dockerfile"
        assert (build.get("context"), build.get("dockerfile")) == (".", "ops/Dockerfile"), name
        assert service.get("image") == APP_IMAGE, f"{name} must tag the one image {APP_IMAGE}"


# --- (e) nothing that pins a registry -------------------------------------------------------


def test_no_committed_file_names_a_package_registry() -> None:
    offenders = []
    for path in commit_candidates():
        file = ROOT / path
        if not file.is_file():
            continue  # deleted in the work tree
        content = file.read_bytes()
        offenders += [
            f"{path}: {marker}" for marker in REGISTRY_MARKERS if marker.encode() in content
        ]
    assert not offenders, "files name a package registry host:\n" + "\n".join(offenders)


def test_tool_lock_files_are_not_committed() -> None:
    found = [path for path in commit_candidates() if Path(path).name in UNCOMMITTED_LOCKS]
    assert not found, f"lock files that name registries would be committed: {found}"


def test_profiles_choose_what_runs_beside_the_services() -> None:
    """Plain `up` runs the services; `api` adds every process, `migrations` only the migration,
    `port-forwarder` the services' ports on the host, `monitoring` the log stack."""
    all_services = services()
    for name in ("postgres", "redis", "kafka", "maildev"):
        assert not all_services[name].get("profiles"), f"{name} always runs"
    for name in app_services():
        assert "api" in all_services[name].get("profiles", []), f"{name} belongs to profile api"
    assert "migrations" in all_services["migrations"]["profiles"]
    forwarder = all_services["port-forwarder"]
    assert forwarder["profiles"] == ["port-forwarder"]
    published = {p.split(":")[1] for p in forwarder["ports"]}
    assert {"5433", "6379", "19092", "1025"} <= published
    kafka = all_services["kafka"]["environment"]
    assert "EXTERNAL://127.0.0.1:19092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
