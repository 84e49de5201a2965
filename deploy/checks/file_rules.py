"""Rules on deploy/'s files themselves: the YAML parses, the kustomizations
list every manifest, the clients' gRPC service config, and the Dockerfile."""

import json
import os
import re

import yaml

from checks.findings import rule
from checks.parsing import dockerfile_stages, image_list, load_yaml_docs
from checks.tree import BASE, DOCKERFILE, DOCKERIGNORE, IMAGE_LIST, SERVICE_CONFIG


@rule("yaml-parses")
def yaml_parses(tree, report):
    count = 0
    for directory, _, files in os.walk(tree.path("deploy")):
        for name in files:
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(directory, name)
                try:
                    load_yaml_docs(path)
                    count += 1
                except yaml.YAMLError as error:
                    report.add(os.path.relpath(path, tree.root), f"does not parse: {error}")
    report.check(count >= 10, "deploy", f"found only {count} YAML files")


@rule("kustomizations-list-everything")
def kustomizations_list_everything(tree, report):
    # A manifest the kustomization forgets is never applied.
    for directory in (f"{BASE}/base", f"{BASE}/cert-manager"):
        kustomization = load_yaml_docs(tree.path(f"{directory}/kustomization.yaml"))[0]
        listed = set(kustomization.get("resources", []))
        for name in os.listdir(tree.path(directory)):
            if name.endswith(".yaml") and name != "kustomization.yaml":
                report.check(name in listed, directory, f"{name} is not in kustomization.yaml")


@rule("service-config")
def service_config(tree, report):
    where = SERVICE_CONFIG
    with open(tree.path(SERVICE_CONFIG), encoding="utf-8") as file:
        try:
            config = json.load(file)
        except json.JSONDecodeError as error:
            report.add(where, f"not JSON: {error}")
            return
    policies = config.get("loadBalancingConfig", [])
    report.check(policies and list(policies[0]) == ["round_robin"]
                 or config.get("loadBalancingPolicy") == "round_robin", where,
                 "must use round_robin")
    methods = [m for m in config.get("methodConfig", [])
               if {"service": "captoken.v1.TokenService"} in m.get("name", [])]
    if not report.check(len(methods) == 1, where,
                        "needs one methodConfig for captoken.v1.TokenService"):
        return
    method = methods[0]
    timeout = re.fullmatch(r"([0-9.]+)s", method.get("timeout", ""))
    # gRPC's C core (C++, Python) expires it 1 to 2 s early
    # (grpc/grpc#34547; deploy/service_config_test.cc): below 3 s, C-core
    # clients would have less than a second, or fail every call at once.
    report.check(timeout and float(timeout.group(1)) >= 3, where,
                 "needs a timeout of at least 3s (the C core expires it 1 to 2 s early)")
    report.check("hedgingPolicy" not in method, where, "must not hedge")
    retry = method.get("retryPolicy", {})
    # Only UNAVAILABLE is safe to retry: the call never reached a server
    # that could have acted on it, or it was refused while draining.
    report.check(retry.get("retryableStatusCodes") == ["UNAVAILABLE"], where,
                 "must retry UNAVAILABLE and nothing else")
    report.check(retry.get("maxAttempts") == 3, where, "must make at most 3 attempts")
    for field in ("initialBackoff", "maxBackoff", "backoffMultiplier"):
        report.check(field in retry, where, f"retryPolicy needs {field}")


@rule("dockerfile")
def dockerfile(tree, report):
    """The final stage: numeric non-root USER, only binaries and libraries,
    and the user, ports, entry point and arguments deploy/image.list names
    (which the offline build, deploy/build-image.sh, uses too)."""
    where = DOCKERFILE
    stages = dockerfile_stages(tree.path(DOCKERFILE))
    if not report.check(len(stages) >= 2, where, "must be multi-stage"):
        return
    build, final = stages[0], stages[-1]
    report.check(build["from"] == "debian:12", where, "the build stage must be FROM debian:12")
    build_text = " ".join(rest for _, rest in build["lines"])
    report.check("bazel/setup.sh build" in build_text, where,
                 "the build stage must install what bazel/setup.sh installs")
    report.check("deploy/stage-image.sh /out" in build_text, where,
                 "the build stage must stage the image with deploy/stage-image.sh /out")
    report.check(re.match(r"(debian:12-slim|gcr\.io/distroless/cc-debian12)(:|@|$)",
                          final["from"]), where,
                 "the final stage must be FROM debian:12-slim or distroless/cc-debian12")
    users = [rest for instruction, rest in final["lines"] if instruction == "USER"]
    if report.check(users, where, "the final stage needs a USER"):
        # Numeric, so the kubelet can verify runAsNonRoot without the image.
        report.check(all(p.isdigit() and int(p) > 0 for p in users[-1].split(":")), where,
                     f"USER {users[-1]} must be a numeric non-root uid (and gid)")
    allowed_sources = {"/out/libs/": "/", "/out/bin/": "/"}
    for instruction, rest in final["lines"]:
        report.check(instruction not in ("ADD", "RUN"), where,
                     f"the final stage must not {instruction}")
        if instruction == "COPY":
            parts = rest.split()
            report.check(parts[0] == f"--from={build['as']}", where,
                         f"COPY {rest}: the final stage copies only from the build stage")
            report.check(len(parts) == 3 and allowed_sources.get(parts[1]) == parts[2], where,
                         f"COPY {rest}: only the binaries and their libraries")
    # The offline build takes these from deploy/image.list: the Dockerfile
    # must say the same, or the two images would start differently.
    listed = image_list(tree.path(IMAGE_LIST))
    said = {}
    for instruction, rest in final["lines"]:
        if instruction in ("ENTRYPOINT", "CMD"):
            try:
                rest = json.loads(rest)
            except ValueError:
                pass  # the shell form: never equal to the list's, so reported
        elif instruction == "EXPOSE":
            rest = rest.split()
        said.setdefault(instruction, []).append(rest)
    expected = {
        "USER": listed.get("user", []),
        "EXPOSE": [listed.get("expose", [])],
        "ENTRYPOINT": [" ".join(listed.get("entrypoint", [])).split()],
        "CMD": [" ".join(listed.get("cmd", [])).split()],
    }
    for instruction, values in expected.items():
        report.check(said.get(instruction) == values, where,
                     f"{instruction} must be {values[-1]} as in {IMAGE_LIST}, "
                     f"not {said.get(instruction, 'missing')}")


@rule("dockerignore")
def dockerignore(tree, report):
    # Keeps the repository's history, Bazel's outputs and local settings out
    # of the build context.
    with open(tree.path(DOCKERIGNORE), encoding="utf-8") as file:
        ignored = {l.strip() for l in file if l.strip() and not l.startswith("#")}
    for entry in (".git", "**/bazel-*", "user.bazelrc"):
        report.check(entry in ignored, DOCKERIGNORE, f"must exclude {entry}")
