"""Renders a kustomization with the real `kubectl kustomize`.

The checks judge what `kubectl apply -k` would send, so they render with
kubectl itself rather than an imitation of it. There is no fallback: without
kubectl the checks fail and say how to install it.
"""

import os
import shutil
import subprocess
import tempfile

import yaml

INSTALL_HINT = ("kubectl not found: the deploy/ checks render the manifests with "
                "`kubectl kustomize`; install it with `bazel/setup.sh test` "
                "(Debian's kubernetes-client)")


class KubectlMissing(Exception):
    pass


class RenderError(Exception):
    pass


def find_kubectl():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise KubectlMissing(INSTALL_HINT)
    return kubectl


def render(root, directory):
    """The resources `kubectl kustomize root/directory` prints, as dicts.

    `root` is copied first: kustomize refuses files that are symbolic links
    out of the kustomization's tree, and under Bazel every file is one."""
    kubectl = find_kubectl()
    with tempfile.TemporaryDirectory(prefix="kustomize_") as scratch:
        tree = os.path.join(scratch, "tree")
        shutil.copytree(os.path.join(root, "deploy"), os.path.join(tree, "deploy"))
        # kustomize needs no cluster and no kubeconfig; an empty HOME keeps a
        # developer's kubectl settings (and gcloud's) out of the result.
        home = os.path.join(scratch, "home")
        os.mkdir(home)
        environment = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        result = subprocess.run([kubectl, "kustomize", os.path.join(tree, directory)],
                                capture_output=True, text=True, env=environment,
                                check=False, timeout=60)
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory}: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]
