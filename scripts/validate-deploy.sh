#!/usr/bin/env bash
# Offline checks of the deployment files: every Kubernetes manifest against the Kubernetes JSON
# schemas (strict: unknown fields and unknown kinds fail), the rules the manifests must keep
# (non-root, read-only root, probes on routes that exist, names that match, empty Secret
# templates, ConfigMap keys the configuration reads), and the Dockerfiles with hadolint.
# Idempotent: the tools live in a venv under the git-ignored .cache/, created and (re)installed
# from deploy/requirements-validate.txt when missing or when that file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/deploy-venv
REQUIREMENTS=deploy/requirements-validate.txt
# The oldest and the newest Kubernetes versions the manifests must be valid for.
K8S_VERSIONS=(1.29.0 1.37.0)

stamp=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$stamp" ]; then
  echo "installing the validation tools into $VENV"
  rm -rf "$VENV"
  mkdir -p .cache
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv support out of python3.
    rm -rf "$VENV"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$stamp" > "$VENV/.requirements.sha256"
fi
echo "kubernetes-validate $("$VENV/bin/kubernetes-validate" --version), $("$VENV/bin/hadolint" --version)"

echo "--- Kubernetes manifests (deploy/k8s)"
"$VENV/bin/python" - "${K8S_VERSIONS[@]}" <<'PY'
"""Schema and policy checks of deploy/k8s; prints every problem, exits 1 if there is one."""
import glob
import os
import pathlib
import re
import sys

import yaml
from kubernetes_validate import utils

versions = sys.argv[1:]
K8S = "deploy/k8s"
TEMPLATES = {"secret.yaml"}  # validated, but deliberately not applied by the kustomization
SECRET_KEYS = {"JWT_SECRET", "AI_AGENT_SECRET", "VAULT_MASTER_KEY", "NEO4J_PASS", "MONITORING_TOKEN"}
problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# 1. The kustomization names files that exist, and every manifest is either listed or a template.
kustomization = load(f"{K8S}/kustomization.yaml")[0]
listed = kustomization.get("resources", [])
files = sorted(os.path.basename(p) for p in glob.glob(f"{K8S}/*.yaml") if not p.endswith("/kustomization.yaml"))
for name in listed:
    if not os.path.exists(f"{K8S}/{name}"):
        problem("kustomization.yaml", f"lists {name}, which does not exist")
for name in files:
    if name not in listed and name not in TEMPLATES:
        problem("kustomization.yaml", f"does not list {name}")

# 2. Every document against the schemas of each version, strictly.
docs = {}
for name in files:
    path = f"{K8S}/{name}"
    try:
        documents = load(path)
    except yaml.YAMLError as e:
        problem(name, f"is not YAML: {e}")
        continue
    for doc in documents:
        kind, meta = doc.get("kind"), doc.get("metadata") or {}
        docs[(kind, meta.get("name"))] = doc
        before = len(problems)
        for version in versions:
            try:
                utils.validate(doc, version, strict=True)
            except utils.SchemaNotFoundError:
                problem(name, f"{doc.get('apiVersion')} {kind} is not a known kind in Kubernetes {version}")
            except utils.ValidationError as e:
                where = ".".join(str(p) for p in e.path) or "(document)"
                problem(name, f"{kind}/{meta.get('name')} is invalid in Kubernetes {version}: {where}: {e.message}")
        if len(problems) == before:
            print(f"ok {name}: {kind}/{meta.get('name')} (Kubernetes {', '.join(versions)})")

if problems:  # the rules below assume schema-valid documents
    print("\n".join(["FAILED:"] + problems), file=sys.stderr)
    sys.exit(1)

# 3. The rules of this deployment.
def find(kind):
    return [d for (k, _), d in docs.items() if k == kind]


def documented_variables():
    names = set()
    with open(".env.example", encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line)
            if m:
                names.add(m.group(1))
    return names


# Every route is declared once, in its handler's `#[utoipa::path(..., path = "...")]` under
# crates/honestly-server/src/routes.
routes = "".join(
    path.read_text(encoding="utf-8") for path in sorted(pathlib.Path("crates/honestly-server/src/routes").rglob("*.rs"))
)
variables = documented_variables()
configmaps = {d["metadata"]["name"]: d for d in find("ConfigMap")}
secrets = {d["metadata"]["name"]: d for d in find("Secret")}

for cm in configmaps.values():
    for key in cm.get("data", {}):
        if key not in variables:
            problem("configmap.yaml", f"{key} is not a variable the configuration reads (.env.example)")
        if key in SECRET_KEYS:
            problem("configmap.yaml", f"{key} is a secret: it belongs in the Secret")
for secret in secrets.values():
    for key, value in {**secret.get("data", {}), **secret.get("stringData", {})}.items():
        if value not in ("", None):
            problem("secret.yaml", f"{secret['metadata']['name']}.{key} must stay an empty placeholder")

deployments = find("Deployment")
if len(deployments) != 1:
    problem("deployment.yaml", f"expected one Deployment, found {len(deployments)}")
for dep in deployments:
    name, spec = dep["metadata"]["name"], dep["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    if spec.get("replicas") != 3:
        problem("deployment.yaml", "replicas must be 3")
    if spec["selector"].get("matchLabels", {}).items() - labels.items():
        problem("deployment.yaml", "the selector does not match the pod labels")
    pod_sc = pod.get("securityContext", {})
    if pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problem("deployment.yaml", "the pod needs seccompProfile RuntimeDefault")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        where = f"container {c['name']}"
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            problem("deployment.yaml", f"{where} must run as non-root")
        if sc.get("readOnlyRootFilesystem") is not True:
            problem("deployment.yaml", f"{where} needs readOnlyRootFilesystem: true")
        if sc.get("allowPrivilegeEscalation") is not False:
            problem("deployment.yaml", f"{where} needs allowPrivilegeEscalation: false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            problem("deployment.yaml", f"{where} must drop ALL capabilities")
        resources = c.get("resources", {})
        if not (resources.get("requests") and resources.get("limits")):
            problem("deployment.yaml", f"{where} needs resource requests and limits")
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = c.get(probe, {}).get("httpGet")
            if not get:
                problem("deployment.yaml", f"{where} needs an HTTP {probe}")
                continue
            if f'"{get["path"]}"' not in routes:
                problem("deployment.yaml", f"{probe} path {get['path']} is not a route of the server")
            if get["port"] not in ports and get["port"] not in ports.values():
                problem("deployment.yaml", f"{probe} port {get['port']} is not a container port")
        for source in c.get("envFrom", []):
            if "configMapRef" in source and source["configMapRef"]["name"] not in configmaps:
                problem("deployment.yaml", f"envFrom names ConfigMap {source['configMapRef']['name']}, not defined")
            if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                problem("deployment.yaml", f"envFrom names Secret {source['secretRef']['name']}, not defined")
        for cm in configmaps.values():
            port = cm.get("data", {}).get("PORT")
            if port is not None and int(port) not in ports.values():
                problem("deployment.yaml", f"PORT={port} (ConfigMap) is not a container port")
    for volume in pod.get("volumes", []):
        ref = volume.get("secret", {}).get("secretName")
        if ref and ref not in secrets:
            problem("deployment.yaml", f"volume {volume['name']} names Secret {ref}, not defined")
    for svc in find("Service"):
        if svc["spec"].get("selector", {}).items() - labels.items():
            problem("service.yaml", f"{svc['metadata']['name']} selects no pod of {name}")
    for pdb in find("PodDisruptionBudget"):
        if pdb["spec"]["selector"].get("matchLabels", {}).items() - labels.items():
            problem("pdb.yaml", f"{pdb['metadata']['name']} selects no pod of {name}")
    for hpa in find("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) != ("Deployment", name):
            problem("hpa.yaml", f"scales {target['kind']}/{target['name']}, not Deployment/{name}")
        if hpa["spec"].get("minReplicas", 1) < spec.get("replicas", 1):
            problem("hpa.yaml", "minReplicas is below the Deployment's replicas")

if problems:
    print("\n".join(["FAILED:"] + problems), file=sys.stderr)
    sys.exit(1)
print("ok deployment rules")
PY

echo "--- Dockerfiles (hadolint)"
for dockerfile in docker/Dockerfile.*; do
  "$VENV/bin/hadolint" "$dockerfile"
  echo "ok $dockerfile"
done
