#!/usr/bin/python3
"""Checks the deployment files without a Docker engine (none runs where the
tests run): docker-compose.yml through `docker-compose config` and its rules,
the Dockerfile against deploy/packages.txt, the runtime packages against what
the build stage installs, and every PACTA_* variable the compose file and
deploy/pacta.env set against what the binaries read (their --help).

Run by scripts/test.sh (deploy section):
    tests/deploy/check_deploy.py --build-dir build [--secrets-dir DIR]
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
Uses Debian's python3 and python3-yaml (both in deploy/packages.txt)."""

import argparse
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COMPOSE = os.path.join(ROOT, "docker-compose.yml")

# The process each image command runs, and where its binary is in a build tree.
BINARIES = {
    "pacta-bus": "services/bus/pacta-bus",
    "pacta-contracts": "services/contracts/pacta-contracts",
    "pacta-invoicing": "services/invoicing/pacta-invoicing",
    "pacta-enforcement": "services/enforcement/pacta-enforcement",
    "pacta-notifications": "services/notifications/pacta-notifications",
    "pacta-gdpr-retention": "services/gdpr-retention/pacta-gdpr-retention",
    "pactactl": "services/pactactl/pactactl",
}
ONE_SHOT_PROFILE = "tools"        # profile of run-once commands (no health check, no restart)
RESTART_POLICIES = {"always", "unless-stopped", "on-failure"}


class Checks:
    """Collects named checks and their failures."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, function, *args):
        try:
            problems = function(*args) or []
        except Exception as error:  # a crash of a check is a failure with its reason
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for problem in problems:
                print(f"     - {problem}")
        else:
            self.passed += 1
            print(f"ok   {name}")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def package_list(path="deploy/packages.txt"):
    """Packages of a list file: what scripts/lib.sh's pacta_ensure_packages reads."""
    return [line.strip() for line in read(path).splitlines()
            if line.strip() and not line.strip().startswith("#")]


def compose_config(*profiles):
    args = ["docker-compose", "-f", COMPOSE]
    for profile in profiles:
        args += ["--profile", profile]
    result = subprocess.run(args + ["config"], capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"docker-compose config failed: {result.stderr.strip()}")
    return yaml.safe_load(result.stdout)


def raw_compose():
    with open(COMPOSE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def help_variables(build_dir, command):
    """PACTA_* variables a binary reads, from its --help ("env NAME (or ... / NAME_FILE)")."""
    path = os.path.join(build_dir, BINARIES[command])
    out = subprocess.run([path, "--help"], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        match = re.match(r"\s+env (PACTA_[A-Z0-9_]+)(?: \(or --\S+ / (PACTA_[A-Z0-9_]+)\))?", line)
        if match:
            names.update(n for n in match.groups() if n)
    if not names:
        raise RuntimeError(f"{path} --help lists no PACTA_* variable")
    return names


def env_file_variables(path="deploy/pacta.env"):
    variables = {}
    for number, line in enumerate(read(path).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"(PACTA_[A-Z0-9_]+)=([A-Za-z0-9._:/@,+-]*)", line)
        if not match:
            raise ValueError(f"{path}:{number}: not NAME=VALUE with a plain value (bash and compose "
                             f"must read the same thing): {line!r}")
        variables[match.group(1)] = match.group(2)
    return variables


def service_command(service):
    """The Pacta binary a compose service runs, or None (redis, mail)."""
    words = list(service.get("entrypoint") or []) + list(service.get("command") or [])
    for word in words:
        if word in BINARIES:
            return word
    return None


# ---- docker-compose.yml ------------------------------------------------------------------------

def check_config_valid():
    compose_config()
    compose_config("demo", "tools")


def check_healthchecks(config):
    problems = []
    for name, service in config["services"].items():
        profiles = service.get("profiles") or []
        if profiles == [ONE_SHOT_PROFILE]:
            if str(service.get("restart", "no")) != "no":
                problems.append(f"{name}: a one-shot tool must have restart: \"no\"")
            continue
        check = service.get("healthcheck")
        if not check or check.get("disable") or not check.get("test"):
            problems.append(f"{name}: no health check")
            continue
        command = service_command(service)
        if command:
            environment = service.get("environment") or {}
            port = str(environment.get("PACTA_HTTP_ADDR", "")).rpartition(":")[2]
            url = f"http://127.0.0.1:{port}/healthz"
            if url not in check["test"]:
                problems.append(f"{name}: health check must GET {url} (PACTA_HTTP_ADDR), has {check['test']}")
    return problems


def check_restart(config):
    return [f"{name}: restart policy {service.get('restart')!r}, want one of {sorted(RESTART_POLICIES)}"
            for name, service in config["services"].items()
            if (service.get("profiles") or []) != [ONE_SHOT_PROFILE]
            and service.get("restart") not in RESTART_POLICIES]


def check_redis_private(config):
    problems = []
    redis = config["services"].get("redis")
    if redis is None:
        return ["no redis service"]
    if redis.get("ports"):
        problems.append(f"redis publishes {redis['ports']}: Redis must not be reachable from the host")
    if redis.get("network_mode") == "host":
        problems.append("redis must not use the host network")
    for name, service in config["services"].items():
        for port in service.get("ports") or []:
            if str(port.get("target")) == "6379":
                problems.append(f"{name} publishes port 6379")
    return problems


def check_scalable(config):
    problems = []
    for name, service in config["services"].items():
        for key in ("container_name", "hostname"):
            if key in service:
                problems.append(f"{name}: {key} prevents --scale")
        command = service_command(service)
        if command and command != "pacta-bus" and service.get("ports"):
            problems.append(f"{name}: publishes {service['ports']}; a scaled service must publish nothing")
        if command and command != "pacta-bus":
            environment = service.get("environment") or {}
            for variable in ("PACTA_BUS_URL", "PACTA_BUS_INSTANCE_URL"):
                if variable in environment and "//bus:" not in str(environment[variable]):
                    problems.append(f"{name}: {variable} must reach the bus by its service name")
    bus = config["services"].get("bus", {})
    if service_command(bus) != "pacta-bus":
        problems.append("no bus service running pacta-bus")
    elif not any(str(port.get("target")) == "5560" for port in bus.get("ports") or []):
        problems.append("the bus must publish its producer port 5560 for outside systems")
    return problems


def check_demo_profile(config):
    demo = [name for name, service in config["services"].items() if "demo" in (service.get("profiles") or [])]
    if not demo:
        return ["no service in profile demo (the SMTP catcher)"]
    # A service with profiles starts only when one of them is asked for.
    return [f"{name} must belong to the demo profile only" for name in demo
            if config["services"][name]["profiles"] != ["demo"]]


def check_environment(raw, build_dir):
    """Each compose service sets only variables its binary reads; pacta.env only ones some binary reads."""
    problems = []
    read_by = {command: help_variables(build_dir, command) for command in BINARIES}
    everyone = set().union(*read_by.values())
    for name, value in env_file_variables().items():
        if name not in everyone:
            problems.append(f"deploy/pacta.env sets {name}, which no process reads")
    for name, service in raw["services"].items():
        command = service_command(service)
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        if command is None:
            stray = [v for v in environment if v.startswith("PACTA_")]
            if stray:
                problems.append(f"{name}: sets {stray} but runs no Pacta process")
            continue
        for variable in environment:
            if variable not in read_by[command]:
                problems.append(f"{name}: sets {variable}, which {command} does not read (see its --help)")
        env_files = service.get("env_file") or []
        env_files = [env_files] if isinstance(env_files, str) else env_files
        if "deploy/pacta.env" not in env_files:
            problems.append(f"{name}: must read deploy/pacta.env (shared with scripts/run.sh)")
    return problems


def check_secrets(raw, secrets_dir):
    problems = []
    declared = raw.get("secrets") or {}
    for name, service in raw["services"].items():
        mounted = set()
        for entry in service.get("secrets") or []:
            mounted.add(entry if isinstance(entry, str) else entry.get("source"))
        for source in mounted:
            if source not in declared:
                problems.append(f"{name}: secret {source} is not declared")
        for variable, value in (service.get("environment") or {}).items():
            match = re.match(r"/run/secrets/([A-Za-z0-9_.-]+)$", str(value))
            if match and match.group(1) not in mounted:
                problems.append(f"{name}: {variable} reads secret {match.group(1)}, not mounted in it")
        user = re.match(r"redis://([^:@/]+)@", str((service.get("environment") or {}).get("PACTA_REDIS_URL", "")))
        if user:
            wanted = f"redis_{user.group(1).replace('-', '_')}_password"
            if wanted not in mounted:
                problems.append(f"{name}: logs in to Redis as {user.group(1)} but does not mount {wanted}")
    for name, secret in declared.items():
        file = str(secret.get("file", ""))
        if not file.startswith("${PACTA_SECRETS_DIR:-./secrets}/"):
            problems.append(f"secret {name}: file {file!r} must live in ${{PACTA_SECRETS_DIR:-./secrets}}")
        elif secrets_dir:
            path = os.path.join(secrets_dir, file.rpartition("/")[2])
            if not os.path.isfile(path):
                problems.append(f"secret {name}: scripts/gen-secrets.sh did not make {os.path.basename(path)}")
    if "vault_master_key" not in declared:
        problems.append("the vault master key is not declared as a secret")
    return problems


def check_redis_config(raw):
    problems = []
    conf = read("deploy/redis/redis.conf")
    for directive in ("appendonly yes", "appendfsync everysec", "maxmemory-policy noeviction",
                      "aclfile /run/pacta-redis/users.acl"):
        if not re.search(rf"^{re.escape(directive)}\s*$", conf, re.M):
            problems.append(f"deploy/redis/redis.conf lacks `{directive}`")
    acl_lines = [line for line in read("deploy/redis/users.acl").splitlines() if line.startswith("user ")]
    users = {line.split()[1]: line.split()[2:] for line in acl_lines}
    if "off" not in users.get("default", []):
        problems.append("users.acl must switch the default user off")
    for line in acl_lines:
        if re.search(r"\s[>#<!]", line):
            problems.append(f"users.acl carries a password rule: {line[:60]}...")
    redis = raw["services"].get("redis", {})
    if not any(str(v).startswith("./deploy/redis:") for v in redis.get("volumes") or []):
        problems.append("redis must mount ./deploy/redis (users.acl, redis.conf)")
    for name, service in raw["services"].items():
        user = re.match(r"redis://([^:@/]+)@", str((service.get("environment") or {}).get("PACTA_REDIS_URL", "")))
        if service_command(service) and service_command(service) != "pacta-bus":
            if not user:
                problems.append(f"{name}: PACTA_REDIS_URL must name its own ACL user")
            elif user.group(1) not in users:
                problems.append(f"{name}: Redis user {user.group(1)} is not in users.acl")
            elif user.group(1) in {"admin", "default"}:
                problems.append(f"{name}: a service must not log in as {user.group(1)}")
    return problems


# ---- Dockerfile -------------------------------------------------------------------------------

def dockerfile_stages():
    """{stage name: [instruction lines]} in order, continuation lines joined."""
    text = re.sub(r"\\\n", " ", read("Dockerfile"))
    stages, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line, re.I)
        if match:
            current = match.group(2)
            stages[current] = [line]
        elif current:
            stages[current].append(line)
    return stages


def check_dockerfile_packages():
    problems = []
    stages = dockerfile_stages()
    names = list(stages)
    if names[:1] != ["build"] or names[-1:] != ["runtime"]:
        problems.append(f"stages must start with build and end with runtime (the default target): {names}")
    for name, lines in stages.items():
        image = lines[0].split()[1]
        if not re.fullmatch(r"debian:(bookworm|12)(-slim)?", image):
            problems.append(f"stage {name} is based on {image}, not Debian 12")
    build = " ".join(stages.get("build", []))
    if "COPY deploy/packages.txt deploy/packages.txt" not in build or "COPY scripts/lib.sh scripts/lib.sh" not in build:
        problems.append("the build stage must COPY deploy/packages.txt and scripts/lib.sh")
    if "source scripts/lib.sh && pacta_ensure_packages" not in build:
        problems.append("the build stage must install with scripts/lib.sh's pacta_ensure_packages")
    lib = read("scripts/lib.sh")
    if not re.search(r"^pacta_ensure_packages\(\)", lib, re.M) or "deploy/packages.txt" not in lib:
        problems.append("scripts/lib.sh must define pacta_ensure_packages reading deploy/packages.txt")
    if re.search(r"apt-get install", build):
        problems.append("the build stage must install nothing but deploy/packages.txt")
    runtime = " ".join(stages.get("runtime", []))
    installs = re.findall(r"apt-get install[^&;]*", runtime)
    if len(installs) != 1 or "xargs -a /usr/share/pacta/runtime-packages.txt" not in runtime:
        problems.append("the runtime stage must install exactly the derived runtime-packages.txt")
    if "deploy/runtime-packages.sh /out/bin/*" not in build:
        problems.append("the build stage must derive runtime-packages.txt with deploy/runtime-packages.sh")
    users = re.findall(r"^USER\s+(\S+)", "\n".join(stages.get("runtime", [])), re.M)
    if not users or users[-1].split(":")[0] in {"0", "root"}:
        problems.append("the runtime stage must run as a non-root USER")
    listed = set(package_list())
    for name, lines in stages.items():
        for line in lines:
            for install in re.findall(r"apt-get install((?:\s+\S+)+)", line):
                for word in install.split():
                    if word.startswith("-") or word in {"&&", "\\"} or "$" in word:
                        continue
                    if word in {"rm", "apt-get", "update"}:
                        break
                    if word not in listed:
                        problems.append(f"stage {name} installs {word}, which deploy/packages.txt lacks")
    for tool in ("docker-compose", "python3-yaml"):
        if tool not in listed:
            problems.append(f"deploy/packages.txt lacks {tool} (this check needs it)")
    ignored = read(".dockerignore").split()
    for entry in ("secrets", ".git"):
        if not any(line.strip("/") == entry for line in ignored):
            problems.append(f".dockerignore must exclude {entry}/")
    return problems


def installed_closure(roots):
    """Installed packages reachable from roots through Depends/Pre-Depends (dpkg status)."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Status}\t${Provides}\t${Depends}\t${Pre-Depends}\n"],
                         capture_output=True, text=True, check=True).stdout
    depends, provides = {}, {}
    for line in out.splitlines():
        package, status, provided, dep, pre = (line.split("\t") + [""] * 5)[:5]
        if "installed" not in status.split():
            continue
        names = []
        for field in (dep, pre):
            for clause in field.split(","):
                for alternative in clause.split("|"):
                    word = alternative.strip().split(" ")[0].split(":")[0]
                    if word:
                        names.append(word)
        depends[package] = names
        for item in provided.split(","):
            word = item.strip().split(" ")[0]
            if word:
                provides.setdefault(word, []).append(package)
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        for package in [name] + provides.get(name, []):
            if package in depends and package not in seen:
                seen.add(package)
                todo.extend(depends[package])
    return seen


def check_runtime_packages(build_dir):
    binaries = [os.path.join(build_dir, path) for path in BINARIES.values()]
    result = subprocess.run([os.path.join(ROOT, "deploy/runtime-packages.sh")] + binaries,
                            capture_output=True, text=True)
    if result.returncode != 0:
        return [f"deploy/runtime-packages.sh failed: {result.stderr.strip()}"]
    runtime = result.stdout.split()
    listed = package_list()
    missing_here = [p for p in listed
                    if subprocess.run(["dpkg-query", "-W", p], capture_output=True).returncode != 0]
    if missing_here:
        return [f"deploy/packages.txt is not installed here: {missing_here}"]
    closure = installed_closure(listed)
    return [f"runtime package {p} is not installed by the build stage (deploy/packages.txt and its dependencies)"
            for p in runtime if p not in closure]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True, help="a build tree with the seven binaries")
    parser.add_argument("--secrets-dir", help="output of scripts/gen-secrets.sh: every compose secret must be there")
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)

    checks = Checks()
    checks.run("docker-compose config accepts docker-compose.yml (all profiles)", check_config_valid)
    try:
        config = compose_config("demo", "tools")
    except RuntimeError as error:
        print(f"FAIL {error}")
        print(f"{checks.passed} passed, {checks.failed + 1} failed")
        return 1
    raw = raw_compose()
    checks.run("every long-running service has a health check on its /healthz", check_healthchecks, config)
    checks.run("every long-running service has a restart policy", check_restart, config)
    checks.run("no Redis port is published", check_redis_private, config)
    checks.run("--scale works by construction (no names, no host ports, bus by name)", check_scalable, config)
    checks.run("the demo profile adds an SMTP catcher, off by default", check_demo_profile, config)
    checks.run("compose and deploy/pacta.env set only variables the binaries read", check_environment, raw,
               build_dir)
    checks.run("secrets: declared, mounted where read, made by gen-secrets.sh", check_secrets, raw,
               args.secrets_dir)
    checks.run("Redis: durable, ACL file mounted, one user per service", check_redis_config, raw)
    checks.run("Dockerfile installs exactly deploy/packages.txt (build) and derived libraries (runtime)",
               check_dockerfile_packages)
    checks.run("runtime packages are a subset of what the build stage installs", check_runtime_packages,
               build_dir)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
