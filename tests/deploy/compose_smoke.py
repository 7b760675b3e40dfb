#!/usr/bin/python3
"""docker-compose.yml's topology run without a Docker engine: every long-running
service of `docker-compose config` is started as a local process with the
environment the compose file gives it, so what cannot be run here (the images)
is the only thing left unproven.

What is real: Redis with deploy/redis/redis.conf and the ACL rendered by
deploy/redis/render-acl.sh from secrets made by scripts/gen-secrets.sh; the bus
with CURVE and the generated allow-list; each service logging in as its own
Redis user with its password file and its own CURVE key; enforcement scaled to
two instances. What is translated: service names (redis, bus) become 127.0.0.1
and free ports, /run/secrets/NAME the secret's file, /etc/pacta/profiles the
repository's deploy/profiles, each container's port a free port (binds keep
their 0.0.0.0 host, as in the containers).

Checks: every service's own health check (GET /healthz) passes; the bus sees
each service class live (so the CURVE handshake and the allow-list admit
them); the Redis health check (probe PING) answers; worked example 1 (CapConnect
§3) replayed by pactactl through the bus meets every expectation, the services
on the test clock (the demo setting); Redis's ACL LOG stays empty (no service
was refused anything); everything stops cleanly on SIGTERM. Prints "N passed, N failed"; exits 1 on any failure.

    tests/deploy/compose_smoke.py --build-dir build"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINARIES = {
    "pacta-bus": "services/bus/pacta-bus",
    "pacta-contracts": "services/contracts/pacta-contracts",
    "pacta-invoicing": "services/invoicing/pacta-invoicing",
    "pacta-enforcement": "services/enforcement/pacta-enforcement",
    "pacta-notifications": "services/notifications/pacta-notifications",
    "pacta-gdpr-retention": "services/gdpr-retention/pacta-gdpr-retention",
}
SCALE = {"enforcement": 2}     # as `docker compose up --scale enforcement=2`
EXAMPLE = os.path.join(ROOT, "tests/scenarios/example01_capconnect_s3.jsonl")
HEALTHY_WITHIN_S = 30


_taken = set()


def free_port():
    """A free loopback port below the kernel's ephemeral range, so that no
    outgoing connection of the processes started here can take it before the
    process meant to listen on it does."""
    low = 20000
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="utf-8") as f:
            low = min(low, int(f.read().split()[0]) - 2000)
    except (OSError, ValueError):
        pass
    for _ in range(200):
        port = random.randrange(max(low - 10000, 1024), low)
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError("no free port")


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


class Smoke:
    def __init__(self, build_dir, work):
        self.build_dir = build_dir
        self.work = work
        self.processes = []          # (name, Popen, log path)
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {detail}" if detail else ""))
        return ok

    def start(self, name, argv, env):
        log = os.path.join(self.work, f"{name}.log")
        with open(log, "wb") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=self.work)
        self.processes.append((name, process, log))
        return process

    def tail(self, name, lines=8):
        for entry_name, _, log in self.processes:
            if entry_name == name:
                with open(log, encoding="utf-8", errors="replace") as f:
                    return "".join(f.readlines()[-lines:])
        return ""

    def stop_all(self):
        """SIGTERM in reverse start order (the bus and Redis last); exit codes."""
        codes = {}
        for name, process, _ in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                codes[name] = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = "killed after 20 s"
        self.processes = []
        return codes


def compose_config(secrets_dir):
    env = dict(os.environ, PACTA_SECRETS_DIR=secrets_dir)
    out = subprocess.run(["docker-compose", "-f", os.path.join(ROOT, "docker-compose.yml"), "config"],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    return yaml.safe_load(out)


def main():
    parser = argparse.ArgumentParser(description="docker-compose.yml's topology as local processes")
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    work = tempfile.mkdtemp(prefix="pacta-compose-smoke.")
    smoke = Smoke(build_dir, work)
    try:
        rc = run(smoke, build_dir, work)
        return rc if smoke.failed == 0 else 1
    finally:
        smoke.stop_all()
        print(f"{smoke.passed} passed, {smoke.failed} failed")
        if smoke.failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}")


def run(smoke, build_dir, work):
    missing = [path for path in list(BINARIES.values()) + ["services/pactactl/pactactl"]
               if not os.access(os.path.join(build_dir, path), os.X_OK)]
    if not smoke.check(not missing, f"the binaries are built in {build_dir}", f"missing {missing}"):
        return 1
    secrets_dir = os.path.join(work, "secrets")
    subprocess.run([os.path.join(ROOT, "scripts/gen-secrets.sh"), secrets_dir], check=True, capture_output=True,
                   env=dict(os.environ, PACTA_BUS_BIN=os.path.join(build_dir, BINARIES["pacta-bus"])))
    config = compose_config(secrets_dir)
    secret_files = {name: spec["file"] for name, spec in config["secrets"].items()}

    # --- redis: the deployed redis.conf and ACL, on loopback --------------------------------
    redis_port = free_port()
    redis_dir = os.path.join(work, "redis")
    os.mkdir(redis_dir)
    acl = os.path.join(redis_dir, "users.acl")
    rendered = subprocess.run(["sh", os.path.join(ROOT, "deploy/redis/render-acl.sh"),
                               os.path.join(ROOT, "deploy/redis/users.acl"), secrets_dir, acl],
                              capture_output=True, text=True)
    if not smoke.check(rendered.returncode == 0, "render-acl.sh renders users.acl with the generated secrets",
                       rendered.stderr.strip()):
        return 1
    with open(os.path.join(ROOT, "deploy/redis/redis.conf"), encoding="utf-8") as f:
        conf = f.read()
    conf = re.sub(r"^dir .*$", f"dir {redis_dir}", conf, flags=re.M)
    conf = re.sub(r"^aclfile .*$", f"aclfile {acl}", conf, flags=re.M)
    conf = re.sub(r"^bind .*$", "bind 127.0.0.1", conf, flags=re.M)
    conf = re.sub(r"^port .*$", f"port {redis_port}", conf, flags=re.M)
    conf_path = os.path.join(redis_dir, "redis.conf")
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(conf)
    smoke.start("redis", ["redis-server", conf_path], dict(os.environ))
    probe = redis_probe(config["services"]["redis"], redis_port)
    deadline = time.time() + 10
    while time.time() < deadline and not probe():
        time.sleep(0.1)
    if not smoke.check(probe(), "redis answers its health check (probe PING) with redis.conf + the ACL",
                       smoke.tail("redis")):
        return 1

    # --- the bus and the services, in the compose file's order --------------------------------
    bus_ports = {"5560": free_port(), "5561": free_port()}
    urls = {}
    for name, service in config["services"].items():
        command = [word for word in (service.get("entrypoint") or []) + (service.get("command") or [])
                   if word in BINARIES]
        if not command or service.get("profiles"):
            continue
        for instance in range(1, SCALE.get(name, 1) + 1):
            env, health_url = translate(service, secret_files, redis_port, bus_ports)
            label = f"{name}-{instance}"
            env["PACTA_INSTANCE_ID"] = label
            smoke.start(label, [os.path.join(build_dir, BINARIES[command[0]])], env)
            urls[label] = health_url
            if name == "bus":
                wait_healthy(smoke, {label: health_url})

    healthy = wait_healthy(smoke, urls)
    for label in urls:
        smoke.check(label in healthy, f"{label} passes its compose health check (GET /healthz)", smoke.tail(label))

    # --- the bus admits every class through CURVE + the allow-list ----------------------------
    bus_metrics = urls["bus-1"].replace("/healthz", "/metrics")
    expected = {name: SCALE.get(name, 1) for name, service in config["services"].items()
                if not service.get("profiles") and name not in {"redis", "bus", "mail"}
                and any(w in BINARIES for w in service.get("command") or [])}
    live = {}
    deadline = time.time() + 15
    while time.time() < deadline:
        _, text = http_get(bus_metrics)
        live = {m.group(1): int(float(m.group(2)))
                for m in re.finditer(r'^pacta_bus_instances_live\{class="([^"]+)"\} (\S+)$', text, re.M)}
        if all(live.get(name, 0) >= count for name, count in expected.items()):
            break
        time.sleep(0.5)
    for name, count in expected.items():
        smoke.check(live.get(name, 0) == count, f"the bus sees {count} live {name} instance(s) over CURVE",
                    f"live: {live}")

    # --- real work under least privilege: worked example 1 through the bus -----------------
    # pactactl runs as the compose file's `pactactl` service would (its Redis user, its CURVE key).
    env, _ = translate(config["services"]["pactactl"], secret_files, redis_port, bus_ports, http=False)
    env["PACTA_OPERATOR"] = "compose-smoke"
    replay = subprocess.run([os.path.join(build_dir, "services/pactactl/pactactl"), "replay", EXAMPLE],
                            env=env, capture_output=True, text=True, timeout=180, cwd=work)
    smoke.check(replay.returncode == 0, "worked example 1 replayed through the bus by pactactl, every "
                "expectation met", (replay.stdout + replay.stderr)[-1500:])

    # --- nobody was refused anything by the ACL while running ---------------------------------
    time.sleep(2)   # a few more turns of every loop: relays, timer sweeps, owed sweeps
    admin_password = open(secret_files["redis_admin_password"], encoding="utf-8").read().strip()
    denied = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(redis_port), "--no-auth-warning", "--user",
                             "admin", "--pass", admin_password, "ACL", "LOG"], capture_output=True, text=True)
    smoke.check(denied.returncode == 0 and denied.stdout.strip() == "",
                "the Redis ACL refused nothing the running services did (ACL LOG is empty)",
                denied.stdout.strip()[:2000] or denied.stderr.strip())
    for label in urls:
        errors = [line for line in smoke.tail(label, 10000).splitlines()
                  if '"level":"error"' in line.replace(" ", "") or "NOPERM" in line]
        smoke.check(not errors, f"{label} logged no error", "\n".join(errors[:5]))

    codes = smoke.stop_all()
    for label, code in codes.items():
        smoke.check(code == 0, f"{label} stops cleanly on SIGTERM", f"exit {code}")
    return 1 if smoke.failed else 0


def redis_probe(service, port):
    """The compose health check of redis, pointed at the local server."""
    test = service["healthcheck"]["test"]
    shell = test[1] if test[0] == "CMD-SHELL" else " ".join(test[1:])
    shell = shell.replace("redis-cli ", f"redis-cli -h 127.0.0.1 -p {port} ", 1)

    def probe():
        return subprocess.run(["sh", "-c", shell], capture_output=True).returncode == 0
    return probe


def translate(service, secret_files, redis_port, bus_ports, http=True):
    """The service's compose environment with names, secrets and ports made local."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACTA_")}
    health_url = None
    for key, value in (service.get("environment") or {}).items():
        value = str(value)
        value = re.sub(r"/run/secrets/([A-Za-z0-9_.-]+)", lambda m: secret_files[m.group(1)], value)
        value = value.replace("/etc/pacta/profiles", os.path.join(ROOT, "deploy/profiles"))
        value = value.replace("@redis:6379", f"@127.0.0.1:{redis_port}")
        for port, local in bus_ports.items():
            value = value.replace(f"//bus:{port}", f"//127.0.0.1:{local}")
            value = value.replace(f"//0.0.0.0:{port}", f"//0.0.0.0:{local}")   # binds stay as in compose
        if key == "PACTA_HTTP_ADDR":
            host, _, container_port = value.rpartition(":")
            local = free_port()
            value = f"{host}:{local}"
            wanted = f"http://127.0.0.1:{container_port}/healthz"
            if wanted in service["healthcheck"]["test"]:
                health_url = f"http://127.0.0.1:{local}/healthz"
        env[key] = value
    if "PACTA_CLOCK" in env:
        env["PACTA_CLOCK"] = "test"   # the demo setting: the replay moves the tenant's test clock
    if not http:
        return env, None
    if health_url is None:
        raise RuntimeError(f"cannot map the health check {service['healthcheck']['test']} to PACTA_HTTP_ADDR")
    return env, health_url


def wait_healthy(smoke, urls):
    healthy = set()
    deadline = time.time() + HEALTHY_WITHIN_S
    while time.time() < deadline and len(healthy) < len(urls):
        for label, url in urls.items():
            if label in healthy:
                continue
            try:
                status, _ = http_get(url, timeout=1)
                if status == 200:
                    healthy.add(label)
            except OSError:
                pass
        time.sleep(0.2)
    return healthy


if __name__ == "__main__":
    sys.exit(main())
