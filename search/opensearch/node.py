"""Local OpenSearch nodes on loopback, for trying the OpenSearch backend and for tests.

A real deployment points at its own cluster. Here Debian has no OpenSearch server and there is no
Docker, so ``launcher/`` holds a small Java class of ours (``LocalNode``, a subclass of
``org.opensearch.node.Node`` with the Netty4 transport and analysis-common plugins) and the Maven
build that fetches OpenSearch 2.19's jars from Maven Central. ``start`` builds it on first use
(in the cache folder, never in the source tree; the jars stay in ~/.m2), starts N JVMs, one node
each, waits for the cluster to be healthy and records the pids in ``HOME/cluster.json`` for
``stop``. Each node has a small heap: several share a 2-core machine with the tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .. import settings
from ..errors import UserError

LAUNCHER = Path(__file__).resolve().parent / "launcher"
MAIN_CLASS = "org.policysearch.LocalNode"
STATE = "cluster.json"
# Nodes this process started, kept so that stop() reaps them (a dropped Popen warns while its child runs).
_STARTED: dict[int, subprocess.Popen] = {}
# The distribution's own flags for JDK 17 that matter here (SystemJvmOptions in OpenSearch 2.x).
JVM_FLAGS = ["-Djava.locale.providers=SPI,COMPAT", "-Dlog4j2.disable.jmx=true", "-XX:+UseSerialGC",
             "-Dio.netty.allocator.numDirectArenas=0", "-Dopensearch.set.netty.runtime.available.processors=false"]


class NodeUnavailable(UserError):
    """Java or Maven is missing, or the build or the node failed: why, and what to try."""


def tools_missing() -> str | None:
    """Why nodes cannot be built and started here, or None."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"找不到 {tool}：启动本地 OpenSearch 节点需要 Java 17 和 Maven（apt-get install openjdk-17-jdk-headless maven）"
    return None


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in LAUNCHER.rglob("*") if p.is_file() and "target" not in p.parts):
        digest.update(str(path.relative_to(LAUNCHER)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def build_launcher() -> str:
    """The launcher's Java classpath, building it first when its sources changed (``mvn package``,
    about a minute the first time while Maven fetches 60 MB of jars, then cached)."""
    problem = tools_missing()
    if problem:
        raise NodeUnavailable(problem)
    build_dir = settings.get("cache_dir") / f"opensearch-launcher-{_sources_digest()}"
    classpath_file = build_dir / "target" / "classpath.txt"
    if not classpath_file.exists():
        shutil.rmtree(build_dir, ignore_errors=True)
        shutil.copytree(LAUNCHER, build_dir, ignore=shutil.ignore_patterns("target"))
        done = subprocess.run(["mvn", "-q", "-B", "package"], cwd=build_dir, capture_output=True, text=True)
        if done.returncode != 0 or not classpath_file.exists():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise NodeUnavailable(f"构建 OpenSearch 启动器失败（需要能访问 Maven Central）：\n{tail}")
    return f"{build_dir / 'target' / 'classes'}{os.pathsep}{classpath_file.read_text().strip()}"


def _node_settings(i: int, n: int, port: int, cluster: str, transport_port: int | None = None) -> list[str]:
    names = [f"n{k + 1}" for k in range(n)]
    transport_port = port + 100 if transport_port is None else transport_port
    out = [f"cluster.name={cluster}", f"node.name={names[i]}", "network.host=127.0.0.1",
           f"http.port={port + i}", f"transport.port={transport_port + i}",
           "cluster.routing.allocation.disk.threshold_enabled=false", "action.auto_create_index=false",
           # Nodes share two cores: keep each one's thread pools small.
           f"node.processors={1 if n > 1 else min(2, os.cpu_count() or 1)}"]
    if n == 1:
        out.append("discovery.type=single-node")
    else:
        out.append("discovery.seed_hosts=" + ",".join(f"127.0.0.1:{transport_port + k}" for k in range(n)))
        out.append("cluster.initial_cluster_manager_nodes=" + ",".join(names))
    return out


def health(url: str, timeout: float = 2.0) -> dict | None:
    """The cluster's health document, or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def start(home: Path, port: int = 9200, nodes: int = 1, heap_mb: int = 512, wait: float = 180.0,
          transport_port: int | None = None) -> dict:
    """Start ``nodes`` nodes under ``home`` (one folder each; node k's HTTP on ``port`` + k - 1, its
    transport on ``transport_port`` (default ``port`` + 100) + k - 1) and wait until the cluster is green
    with all of them; returns {"url", "pids", "home"}. Raises NodeUnavailable, stopping what it
    started, when it cannot."""
    home = Path(home).resolve()
    if (home / STATE).exists() and health(json.loads((home / STATE).read_text())["url"]):
        raise NodeUnavailable(f"{home} 下的节点已经在运行：先执行 policy-search opensearch stop --home {home}")
    classpath = build_launcher()
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    if health(url, timeout=0.5) is not None:
        raise NodeUnavailable(f"端口 {port} 上已经有 OpenSearch 在运行：换一个 --port")
    pids = []
    for i in range(nodes):
        node_home = home / f"n{i + 1}"
        node_home.mkdir(exist_ok=True)
        log = open(node_home / "node.log", "ab")
        command = ["java", f"-Xms{heap_mb}m", f"-Xmx{heap_mb}m", *JVM_FLAGS, "-cp", classpath, MAIN_CLASS,
                   str(node_home), *_node_settings(i, nodes, port, f"policy-search-{port}", transport_port)]
        # Its own session, so that stopping it never signals the caller's process group.
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        log.close()
        _STARTED[proc.pid] = proc
        pids.append(proc.pid)
    state = {"url": url, "pids": pids, "home": str(home), "nodes": nodes}
    (home / STATE).write_text(json.dumps(state))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        status = health(url)
        if status and status.get("status") == "green" and status.get("number_of_nodes") == nodes:
            return state
        if not all(_alive(p) for p in pids):
            break
        time.sleep(1)
    logs = "\n".join((home / f"n{i + 1}" / "node.log").read_text(errors="replace")[-1500:] for i in range(nodes))
    stop(home)
    raise NodeUnavailable(f"OpenSearch 节点没有在 {wait:.0f} 秒内就绪。日志末尾：\n{logs}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that exited but was not reaped yet is a zombie: dead for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def stop(home: Path, wait: float = 30.0) -> list[int]:
    """Stop the nodes recorded under ``home`` (TERM, then KILL after ``wait`` s); their pids."""
    state_file = Path(home).resolve() / STATE
    if not state_file.exists():
        return []
    pids = json.loads(state_file.read_text())["pids"]
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        if pid in _STARTED:
            _STARTED.pop(pid).wait()
    state_file.unlink()
    return pids
