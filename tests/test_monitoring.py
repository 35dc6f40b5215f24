"""The compose monitoring profile (Loki, Alloy, Prometheus, Grafana) fits together and fits the
service: the addresses, ports and mounts the configs name are the ones compose provides,
Prometheus scrapes the metrics port of every process, and the dashboard asks Loki only about
labels Alloy sets and loggers and events the code writes, and Prometheus only about metrics the
processes export. Pure file parsing: no Docker needed."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from tests.test_packaging import (
    APP_IMAGE,
    COMPOSE,
    LOOPBACK,
    ROOT,
    app_services,
    compose,
    depends_on,
    environment,
    has_healthcheck,
    interpolated,
    services,
    settings_defaults,
    volume_targets,
)

MONITORING = ROOT / "ops" / "monitoring"
LOKI_CONFIG = MONITORING / "loki.yaml"
ALLOY_CONFIG = MONITORING / "config.alloy"
PROMETHEUS_CONFIG = MONITORING / "prometheus.yml"
PROVISIONING = MONITORING / "grafana" / "provisioning"
DATASOURCES = PROVISIONING / "datasources"
DATASOURCE = DATASOURCES / "loki.yaml"
DASHBOARD_PROVIDERS = PROVISIONING / "dashboards" / "dashboards.yaml"
DASHBOARDS = MONITORING / "grafana" / "dashboards"
DASHBOARD = DASHBOARDS / "accounts.json"

PROFILE = "monitoring"
MONITORING_SERVICES = {"loki", "alloy", "prometheus", "grafana"}
# Labels Alloy may put on a stream; anything per request would make a stream per request.
HIGH_CARDINALITY = {"request_id", "status", "method", "path", "client_ip", "duration_ms"}
DOCKER_SOCKET = "/var/run/docker.sock"
PYTHON_LAYERS = ("api", "actors", "core", "adapters", "migrations")


# --- readers --------------------------------------------------------------------------------


def raw_services() -> dict[str, dict[str, Any]]:
    """docker-compose.yml before interpolation: what the file itself says."""
    return yaml.safe_load(COMPOSE.read_text())["services"]


def bind_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Mount target -> host path, for the bind mounts (sources that are paths, not volumes)."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target = rest.split(":", 1)[0]
        else:
            source, target = volume.get("source", ""), volume["target"]
        if source.startswith(("./", "../", "/")):
            mounts[target] = source
    return mounts


def host_path(source: str) -> Path:
    return (ROOT / source).resolve() if not source.startswith("/") else Path(source)


def loki_port() -> int:
    return int(yaml.safe_load(LOKI_CONFIG.read_text())["server"]["http_listen_port"])


def alloy_text() -> str:
    """config.alloy without its `//` comments (a `//` inside a string, as in a URL, stays)."""
    return re.sub(
        r'("(?:[^"\\]|\\.)*")|//[^\n]*',
        lambda match: match[1] or "",
        ALLOY_CONFIG.read_text(),
    )


def alloy_block(header: str, text: str | None = None) -> str:
    """The body of the first `header "label" {...}` block (label optional) or `header = {...}`
    object in `text` (all of config.alloy by default), braces balanced."""
    text = alloy_text() if text is None else text
    match = re.search(rf'(?<![\w.]){re.escape(header)}(?:\s+"[^"]*")?\s*=?\s*\{{', text)
    assert match, f"config.alloy has no {header} block"
    depth, start = 1, match.end()
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    raise AssertionError(f"config.alloy: {header} block is not closed")


def alloy_keys(body: str) -> set[str]:
    """Keys of an Alloy object literal such as `level = "", logger = ""`."""
    return set(re.findall(r"(\w+)\s*=", body))


def alloy_strings(attribute: str) -> list[str]:
    return re.findall(rf'\b{attribute}\s*=\s*"([^"]*)"', alloy_text())


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def datasources() -> dict[str, dict[str, Any]]:
    """uid -> datasource, from every file Grafana provisions datasources from."""
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(DATASOURCES.glob("*.yaml")):
        for source in yaml.safe_load(file.read_text())["datasources"]:
            assert source["uid"] not in found, f"{file.name}: a second datasource {source['uid']}"
            found[source["uid"]] = source
    return found


def panels(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in nodes:
        yield panel
        yield from panels(panel.get("panels", []))  # rows hold their panels


def queries(datasource: str = "loki") -> Iterator[tuple[str, str]]:
    """(panel title, query) for every query of the dashboard's panels on `datasource` (LogQL for
    Loki, PromQL for Prometheus)."""
    for panel in panels(dashboard()["panels"]):
        if (panel.get("datasource") or {}).get("uid") == datasource:
            for target in panel.get("targets", []):
                yield panel["title"], target["expr"]


def matchers(logql: str, label: str) -> list[tuple[str, str]]:
    """(operator, value) of every `label=...`/`label=~...` matcher or filter in a query (not the
    `| json label="field"` extractions)."""
    without_extractions = re.sub(r"\|\s*json\b[^|]*", "| json ", logql)
    return re.findall(rf'\b{label}\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"', without_extractions)


def stream_selectors(logql: str) -> list[str]:
    return re.findall(r"\{([^{}`]*)\}", re.sub(r"`[^`]*`", "``", logql))


def python_sources() -> Iterator[ast.Module]:
    for layer in PYTHON_LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield ast.parse(path.read_text(), filename=str(path))


def logger_names() -> set[str]:
    """Every `logging.getLogger("<name>")` of the service's code."""
    names = set()
    for module in python_sources():
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "getLogger"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def string_literals() -> set[str]:
    return {
        node.value
        for module in python_sources()
        for node in ast.walk(module)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def exact_values(operator: str, value: str) -> list[str]:
    """The values a matcher names: its value, or the alternatives of a regex made only of plain
    values (`a|b`); nothing for any other regex."""
    if operator == "=":
        return [value]
    alternatives = value.split("|")
    if all(re.fullmatch(r"[\w .:-]+", part) for part in alternatives):
        return alternatives
    return []


# --- (a) compose: the profile, and nothing else changed -------------------------------------


def test_monitoring_services_parse_and_run_only_in_their_profile() -> None:
    all_services = services()
    assert set(all_services) >= MONITORING_SERVICES
    for name, service in all_services.items():
        profiles = service.get("profiles", [])
        if name in MONITORING_SERVICES:
            assert profiles == [PROFILE], f"{name} must run only in profile {PROFILE}"
            assert "build" not in service, name
            assert service.get("image") != APP_IMAGE, name
            tag = service["image"].rpartition(":")[2]
            assert "/" not in tag, f"{name}: pin the image tag"
            assert tag not in ("", "latest"), f"{name}: pin the image tag"
        else:
            assert PROFILE not in profiles, f"{name} is not part of monitoring"
    assert not set(app_services()) & MONITORING_SERVICES, "test_packaging must ignore them"


def test_monitoring_starts_after_a_healthy_loki() -> None:
    all_services = services()
    assert has_healthcheck(all_services["loki"])
    for name in ("alloy", "grafana"):
        assert depends_on(all_services[name]).get("loki") == "service_healthy", name


def test_loki_healthcheck_probes_the_configured_port() -> None:
    test = services()["loki"]["healthcheck"]["test"]
    if "-health" in test and not any(arg.startswith("-health.url") for arg in test):
        # `loki -health` probes http://localhost:3100/ready.
        assert loki_port() == 3100, "loki -health probes port 3100: pass -health.url"
    else:
        assert any(f":{loki_port()}/ready" in arg for arg in test), test


def test_monitoring_mounts_exist_and_publish_only_on_loopback() -> None:
    all_services = services()
    for name in MONITORING_SERVICES:
        service = all_services[name]
        for target, source in bind_mounts(service).items():
            if source == DOCKER_SOCKET:
                continue
            assert host_path(source).exists(), f"{name} mounts {source}, which is missing"
            assert volume_targets(service)[target] is False, f"{name} must mount {target} :ro"
        for port in service.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


# --- (b) Grafana: no anonymous admin, the password from the environment ---------------------


def grafana_env(env: dict[str, str]) -> dict[str, str]:
    return environment(interpolated(raw_services()["grafana"], env))


def test_grafana_is_not_anonymous_and_takes_its_password_from_the_environment() -> None:
    env = grafana_env({})
    assert env.get("GF_AUTH_ANONYMOUS_ENABLED") == "false"
    assert env.get("GF_USERS_ALLOW_SIGN_UP", "false") == "false"
    # No password written into the file: unset, it is empty (and refused, below).
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == ""
    chosen = grafana_env({"GRAFANA_ADMIN_USER": "ops", "GRAFANA_ADMIN_PASSWORD": "s3cret pass"})
    assert chosen["GF_SECURITY_ADMIN_USER"] == "ops"
    assert chosen["GF_SECURITY_ADMIN_PASSWORD"] == "s3cret pass"


def grafana_start(password: str) -> subprocess.CompletedProcess[str]:
    """Run the grafana entrypoint's guard here, with the image's /run.sh replaced by `true`."""
    entrypoint = services()["grafana"]["entrypoint"]
    assert entrypoint[:2] == ["/bin/sh", "-c"], "the guard is a shell script"
    script = entrypoint[2]
    assert 'exec /run.sh "$@"' in script, "the guard must end by running the image's entrypoint"
    return subprocess.run(
        ["sh", "-c", script.replace("exec /run.sh", "exec true"), *entrypoint[3:]],
        env={"PATH": "/usr/bin:/bin", "GF_SECURITY_ADMIN_PASSWORD": password},
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )


def test_grafana_refuses_to_start_without_an_admin_password() -> None:
    refused = grafana_start("")
    assert refused.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in refused.stderr
    started = grafana_start("s3cret")
    assert started.returncode == 0, started.stderr


# --- (c) Grafana provisioning matches compose ------------------------------------------------


def test_loki_datasource_is_the_compose_loki_service() -> None:
    datasources = yaml.safe_load(DATASOURCE.read_text())["datasources"]
    (loki,) = [source for source in datasources if source.get("uid") == "loki"]
    assert loki["type"] == "loki"
    url = urlsplit(loki["url"])
    assert url.hostname == "loki"
    assert url.hostname in services()
    assert url.port == loki_port(), f"{loki['url']}: Loki listens on {loki_port()}"


def test_grafana_mounts_the_provisioning_and_the_dashboards_the_provider_reads() -> None:
    mounts = {
        target: host_path(source) for target, source in bind_mounts(services()["grafana"]).items()
    }
    assert mounts.get("/etc/grafana/provisioning") == PROVISIONING.resolve()
    providers = yaml.safe_load(DASHBOARD_PROVIDERS.read_text())["providers"]
    assert providers
    for provider in providers:
        path = provider["options"]["path"]
        assert mounts.get(path) == DASHBOARDS.resolve(), (
            f"dashboard provider {provider['name']} reads {path}, where compose mounts "
            f"{mounts.get(path)}"
        )
    home = grafana_env({"GRAFANA_ADMIN_PASSWORD": "x"}).get(
        "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"
    )
    if home:
        home_path = PurePosixPath(home)
        assert mounts.get(str(home_path.parent)) == DASHBOARDS.resolve(), home
        assert (DASHBOARDS / home_path.name).is_file(), home


# --- (d) the dashboard -----------------------------------------------------------------------


def test_dashboard_identity() -> None:
    board = dashboard()
    assert board["uid"] == "accounts"
    assert board["title"] == "Accounts service"
    assert board["schemaVersion"] >= 39


def test_every_panel_queries_a_provisioned_datasource() -> None:
    provisioned = {uid: source["type"] for uid, source in datasources().items()}
    assert provisioned == {"loki": "loki", "prometheus": "prometheus"}
    used = set()
    for panel in panels(dashboard()["panels"]):
        if panel.get("type") == "row":
            continue
        source = panel.get("datasource") or {}
        assert source.get("uid") in provisioned, f"panel {panel['title']}: datasource {source}"
        assert provisioned[source["uid"]] == source.get("type"), (
            f"panel {panel['title']} queries {source}, which Grafana is not provisioned with"
        )
        used.add(source["uid"])
        assert panel.get("targets"), f"panel {panel['title']} has no query"
        for target in panel["targets"]:
            assert target.get("datasource", source) == source, panel["title"]
            assert target.get("expr"), f"panel {panel['title']} has an empty query"
    assert used == set(provisioned), f"no panel queries {set(provisioned) - used}"


def test_queries_name_only_loggers_the_code_has() -> None:
    known = logger_names()
    assert {"api.access", "actors.mailer"} <= known
    for title, logql in queries():
        for operator, value in matchers(logql, "logger"):
            values = exact_values(operator, value)
            if values:
                unknown = set(values) - known
                assert not unknown, f"panel {title!r} asks for loggers {unknown}: not in the code"
            else:
                assert any(re.fullmatch(value, name) for name in known), (title, value)


def test_queries_name_only_events_the_code_logs() -> None:
    literals = string_literals()
    for title, logql in queries():
        for operator, value in matchers(logql, "event"):
            for event in exact_values(operator, value):
                assert event in literals, f"panel {title!r}: no code logs the event {event!r}"


def test_stream_selectors_use_only_labels_alloy_sets() -> None:
    labels = stream_labels()
    for title, logql in queries():
        for selector in stream_selectors(logql):
            used = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector))
            assert used, f"panel {title!r}: empty stream selector"
            assert used <= labels, f"panel {title!r} selects on {used - labels}: not a stream label"


def test_a_request_id_can_be_followed_across_processes() -> None:
    variables = {item["name"]: item for item in dashboard()["templating"]["list"]}
    assert variables["request_id"]["type"] == "textbox"
    logs = [panel for panel in panels(dashboard()["panels"]) if panel["type"] == "logs"]
    assert logs, "no logs panel"
    expr = logs[0]["targets"][0]["expr"]
    assert ("=", "$request_id") in matchers(expr, "request_id"), expr
    # Across processes: the selector must not pin one service or logger.
    for selector in stream_selectors(expr):
        assert not re.search(r'\b(?:logger|service)\s*=\s*"', selector), selector


# --- (e) Alloy -------------------------------------------------------------------------------


def stream_labels() -> set[str]:
    relabelled = set(re.findall(r'target_label\s*=\s*"(\w+)"', alloy_block("discovery.relabel")))
    promoted = alloy_keys(alloy_block("values", alloy_block("stage.labels")))
    return relabelled | promoted


def test_alloy_writes_to_the_compose_loki_service() -> None:
    (url,) = alloy_strings("url")
    parts = urlsplit(url)
    assert parts.hostname == "loki"
    assert parts.hostname in services()
    assert parts.port == loki_port(), f"{url}: Loki listens on {loki_port()}"
    assert parts.path == "/loki/api/v1/push"


def test_alloy_reads_the_docker_socket_compose_mounts_into_it() -> None:
    hosts = alloy_strings("host")
    assert hosts, "config.alloy names no Docker host"
    mounts = bind_mounts(services()["alloy"])
    for host in hosts:
        assert host.startswith("unix://"), host
        socket = host.removeprefix("unix://")
        assert mounts.get(socket) == DOCKER_SOCKET, f"compose does not mount the socket at {socket}"
        assert volume_targets(services()["alloy"])[socket] is False, "mount the socket :ro"


def test_alloy_keeps_only_this_compose_project() -> None:
    project = compose()["name"]
    filters = re.findall(
        r'"com\.docker\.compose\.project=([^"]+)"', alloy_block("discovery.docker")
    )
    assert filters == [project], f"config.alloy must keep only project {project}: {filters}"


def test_alloy_labels_service_level_and_logger_only() -> None:
    relabel = alloy_block("discovery.relabel")
    assert re.search(
        r'"__meta_docker_container_label_com_docker_compose_service"\s*\]\s*'
        r'target_label\s*=\s*"service"',
        relabel,
    ), "streams must carry the compose service name as `service`"
    extracted = alloy_keys(alloy_block("expressions", alloy_block("stage.json")))
    assert extracted >= {"level", "logger", "request_id", "status", "method"}
    assert alloy_keys(alloy_block("values", alloy_block("stage.labels"))) == {"level", "logger"}
    assert not stream_labels() & HIGH_CARDINALITY


def test_loki_keeps_its_data_in_the_named_volume() -> None:
    config = yaml.safe_load(LOKI_CONFIG.read_text())
    (target,) = [
        volume.split(":")[1]
        for volume in raw_services()["loki"]["volumes"]
        if isinstance(volume, str) and volume.startswith("loki-data:")
    ]
    directories = [
        config["common"]["path_prefix"],
        *config["common"]["storage"]["filesystem"].values(),
        config["compactor"]["working_directory"],
    ]
    for directory in directories:
        assert PurePosixPath(directory).is_relative_to(target), (
            f"Loki writes {directory}, outside the loki-data volume ({target})"
        )


# --- (f) Prometheus --------------------------------------------------------------------------

# Words of PromQL (functions, aggregations, keywords) the dashboard may use; any other name in a
# query is a metric.
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "rate", "irate", "increase", "histogram_quantile",
    "vector", "clamp_min", "or", "and", "unless", "bool", "offset",
}  # fmt: skip
# Labels Prometheus adds to every series it scrapes, and the one of histogram buckets.
SCRAPE_LABELS = {"instance", "job", "le"}
PROMETHEUS_PORT = 9090  # its default --web.listen-address


def prometheus_config() -> dict[str, Any]:
    return yaml.safe_load(PROMETHEUS_CONFIG.read_text())


def scrape_targets() -> Iterator[tuple[str, str, int]]:
    """(job, host, port) of every target the config names, statically or by DNS lookup."""
    for job in prometheus_config()["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, _, port = target.rpartition(":")
                yield job["job_name"], host, int(port)
        for lookup in job.get("dns_sd_configs", []):
            assert lookup.get("type", "SRV") == "A", f"{job['job_name']}: look up A records"
            for name in lookup["names"]:
                yield job["job_name"], name, int(lookup["port"])


def metrics_port(service: str) -> int:
    """The port `<SERVICE>_METRICS_PORT` of a compose service: its environment, or the default
    in adapters/settings.py."""
    setting = f"{service.upper()}_METRICS_PORT"
    defaults = settings_defaults()
    assert setting in defaults, (
        f"{service} has no metrics port: adapters/settings.py has no {setting}"
    )
    return int(environment(services()[service]).get(setting) or defaults[setting])


def module_tree(module: str) -> ast.Module:
    """An installed module's syntax tree, read without importing it."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin, module
    return ast.parse(Path(spec.origin).read_text())


def module_literals(module: str) -> set[str]:
    tree = module_tree(module)
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


METRIC_CLASSES = {"Counter", "Gauge", "Histogram", "Summary", "ScrapeTimeGauge"}


def metric_labels(trees: Iterable[ast.Module]) -> set[str]:
    """The label names given to every metric declared in `trees` (the third argument, or
    `labelnames=`, of a metric class)."""
    labels = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else None
            callee = node.func.id if isinstance(node.func, ast.Name) else callee
            if callee not in METRIC_CLASSES:
                continue
            given = [k.value for k in node.keywords if k.arg == "labelnames"] + node.args[2:3]
            for names in given:
                if isinstance(names, ast.List | ast.Tuple):
                    labels |= {
                        n.value
                        for n in names.elts
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    }
    return labels


def exported_metrics() -> set[str]:
    """Names the processes export: those in the service's code and in dramatiq's Prometheus
    middleware, and those FastStream's Kafka middleware registers (the consumer's setup)."""
    names = string_literals() | module_literals("dramatiq.middleware.prometheus")
    registry = CollectorRegistry()
    KafkaPrometheusMiddleware(registry=registry, app_name="mailer")
    for metric in registry.collect():
        names |= {metric.name, f"{metric.name}_total"}  # a counter's name loses `_total` here
    return names


def promql_parts(promql: str) -> tuple[set[str], set[str]]:
    """(metric names, grouping labels) of a PromQL query."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', promql)
    grouping = re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", text)
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    names = set(re.findall(r"(?<![\w.])[A-Za-z_:][\w:]*", text)) - PROMQL_WORDS
    labels = {label.strip() for group in grouping for label in group.split(",") if label.strip()}
    return names, labels


def test_prometheus_scrapes_the_metrics_port_of_every_process() -> None:
    app = app_services()
    scraped = set()
    for job, host, port in scrape_targets():
        assert host in app, f"job {job} scrapes {host}, not a process of the app image"
        assert port == metrics_port(host), (
            f"job {job}: {host} serves metrics on {metrics_port(host)}"
        )
        metrics_host = environment(app[host]).get("METRICS_HOST", "127.0.0.1")
        assert metrics_host not in LOOPBACK, f"{host} serves metrics on {metrics_host} only"
        scraped.add(host)
    with_port = {
        name.removesuffix("_METRICS_PORT").lower()
        for name in settings_defaults()
        if name.endswith("_METRICS_PORT")
    }
    assert with_port == scraped, f"not scraped: {sorted(with_port - scraped)}"


def test_prometheus_reads_the_mounted_config_and_keeps_its_data_in_its_volume() -> None:
    service = raw_services()["prometheus"]
    flags = dict(arg.removeprefix("--").split("=", 1) for arg in service["command"])
    mounts = bind_mounts(service)
    assert host_path(mounts[flags["config.file"]]) == PROMETHEUS_CONFIG.resolve()
    (target,) = [
        volume.split(":")[1]
        for volume in service["volumes"]
        if isinstance(volume, str) and volume.startswith("prometheus-data:")
    ]
    assert PurePosixPath(flags["storage.tsdb.path"]).is_relative_to(target)
    assert "web.listen-address" not in flags, "the datasource and healthcheck expect port 9090"
    assert any(f":{PROMETHEUS_PORT}/-/ready" in arg for arg in service["healthcheck"]["test"])


def test_prometheus_datasource_is_the_compose_prometheus_service() -> None:
    source = datasources()["prometheus"]
    assert source["type"] == "prometheus"
    url = urlsplit(source["url"])
    assert url.hostname == "prometheus"
    assert url.hostname in services()
    assert url.port == PROMETHEUS_PORT
    interval = prometheus_config()["global"]["scrape_interval"]
    assert source["jsonData"]["timeInterval"] == interval, "rate windows follow the scrape interval"
    assert depends_on(services()["grafana"]).get("prometheus") == "service_healthy"


def test_promql_asks_only_for_metrics_the_processes_export() -> None:
    exported = exported_metrics()
    library = ("dramatiq.middleware.prometheus", "faststream.prometheus.container")
    labels = SCRAPE_LABELS | metric_labels(
        [*python_sources(), *(module_tree(name) for name in library)]
    )
    promql = list(queries("prometheus"))
    assert promql, "no panel queries Prometheus"
    for title, query in promql:
        names, grouping = promql_parts(query)
        assert names, f"panel {title!r}: no metric in {query}"
        for name in names:
            base = re.sub(r"_(?:bucket|sum|count)$", "", name)
            assert name in exported or base in exported, (
                f"panel {title!r}: no process exports {name}"
            )
        unknown = grouping - labels
        assert not unknown, f"panel {title!r} groups by {unknown}: no metric has such a label"
