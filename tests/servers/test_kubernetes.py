"""example/kubernetes/: valid manifests (offline, strict) that agree with the app and the image."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from dockerflow_settings import gunicorn as gunicorn_config
from dockerflow_settings.table import read_variable
from tests.servers.process import EXAMPLE_DIR, run_quick, server_env
from tests.servers.test_dockerfile import final

MANIFESTS = EXAMPLE_DIR / "kubernetes"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
DRAIN = "DJANGO_DOCKERFLOW_DRAIN_SECONDS"
# gunicorn's own default, which the example does not change.
GUNICORN_GRACEFUL_TIMEOUT = 30


def documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in sorted(MANIFESTS.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document is not None
    ]


def resource(kind: str) -> dict[str, Any]:
    (found,) = [document for _, document in documents() if document["kind"] == kind]
    return found


def pod_spec() -> dict[str, Any]:
    return resource("Deployment")["spec"]["template"]["spec"]


def web_container() -> dict[str, Any]:
    (container,) = pod_spec()["containers"]
    return container


def environment() -> dict[str, str]:
    """The container's environment: the ConfigMap's and the Secret's entries."""
    return {**resource("ConfigMap")["data"], **resource("Secret")["stringData"]}


def probes() -> dict[str, dict[str, Any]]:
    container = web_container()
    return {kind: container[kind] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}


def test_the_four_resources_are_there() -> None:
    kinds = sorted(document["kind"] for _, document in documents())
    assert kinds == ["ConfigMap", "Deployment", "Secret", "Service"]


@pytest.mark.parametrize(
    ("path", "document"), documents(), ids=[path.name for path, _ in documents()]
)
def test_every_manifest_is_valid_strictly(path: Path, document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_cli_validates_the_files_strictly() -> None:
    cli = Path(sys.executable).with_name("kubernetes-validate")
    files = [str(path) for path in sorted(MANIFESTS.glob("*.yaml"))]
    result = run_quick([str(cli), "--strict", *files], server_env({}))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" passed for resource ") == 4


def test_strict_validation_catches_a_misspelt_field() -> None:
    # What strict buys: an unknown field (a typo) is an error, not silently ignored.
    deployment = copy.deepcopy(resource("Deployment"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_probes_use_the_dockerflow_paths_on_the_app_port() -> None:
    container = web_container()
    (port,) = container["ports"]
    # PORT as the server reads it (gunicorn, and the uwsgi.ini check) is the container port.
    assert read_variable("PORT", environment()) == port["containerPort"]
    (expose,) = final("EXPOSE")
    assert expose.args == str(port["containerPort"])
    paths = {kind: probe["httpGet"]["path"] for kind, probe in probes().items()}
    # Liveness and startup must not depend on backing services: /__lbheartbeat__ only.
    assert paths["livenessProbe"] == paths["startupProbe"] == "/__lbheartbeat__"
    assert paths["readinessProbe"] in {"/__lbheartbeat__", "/__heartbeat__"}
    for probe in probes().values():
        assert probe["httpGet"]["port"] in (port["name"], port["containerPort"])
    service_port = resource("Service")["spec"]["ports"][0]["targetPort"]
    assert service_port in (port["name"], port["containerPort"])


def test_probe_timing() -> None:
    timing = probes()
    drain = float(environment()[DRAIN])
    assert drain > 0
    # A liveness probe must not restart a draining pod (/__lbheartbeat__ answers 503
    # during the drain): its failures take longer than the drain to add up.
    liveness = timing["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] > drain
    # The readiness probe does take a draining pod out of the Service, within the drain.
    readiness = timing["readinessProbe"]
    assert readiness["periodSeconds"] * readiness["failureThreshold"] < drain
    if readiness["httpGet"]["path"] == "/__heartbeat__":
        timeout = float(environment()["DJANGO_DOCKERFLOW_HEARTBEAT_TIMEOUT"])
        assert readiness["timeoutSeconds"] > timeout


def test_grace_period_covers_the_drain_and_gunicorns_graceful_shutdown() -> None:
    grace = pod_spec()["terminationGracePeriodSeconds"]
    drain = float(environment()[DRAIN])
    assert grace > drain
    assert grace > drain + GUNICORN_GRACEFUL_TIMEOUT


def test_gunicorn_graceful_timeout_default_is_the_one_assumed() -> None:
    gunicorn = pytest.importorskip("gunicorn.config")
    assert gunicorn.Config().graceful_timeout == GUNICORN_GRACEFUL_TIMEOUT


def test_runs_as_the_image_user_on_a_read_only_root() -> None:
    pod, container = pod_spec(), web_container()
    (user,) = final("USER")
    run = " ".join(instruction.args for instruction in final("RUN"))
    uid = re.search(r"--uid (\d+)", run)
    assert uid is not None
    assert user.args == "app"
    assert pod["securityContext"]["runAsUser"] == int(uid.group(1)) == 10001
    assert pod["securityContext"]["runAsNonRoot"] is True
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # Where the app writes: temporary files, and gunicorn's worker heartbeat files.
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounted = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert set(mounted) == {"/tmp", "/dev/shm"}
    for name in mounted.values():
        assert "emptyDir" in volumes[name]
    assert gunicorn_config.worker_tmp_dir in (None, "/dev/shm")


def test_requests_resources() -> None:
    requests = web_container()["resources"]["requests"]
    assert {"cpu", "memory"} <= set(requests)


def test_labels_selectors_and_references_agree() -> None:
    deployment = resource("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert resource("Service")["spec"]["selector"].items() <= labels.items()
    sources = web_container()["envFrom"]
    assert {source["configMapRef"]["name"] for source in sources if "configMapRef" in source} == {
        resource("ConfigMap")["metadata"]["name"]
    }
    assert {source["secretRef"]["name"] for source in sources if "secretRef" in source} == {
        resource("Secret")["metadata"]["name"]
    }


def check_environment(env: dict[str, str]) -> tuple[int, str]:
    """``python -m dockerflow_settings check`` of the example's settings under ``env``."""
    full = server_env(
        {
            "PYTHONPATH": f"{EXAMPLE_DIR}:{server_env({})['PYTHONPATH']}",
            "DJANGO_SETTINGS_MODULE": "example.settings",
            **env,
        }
    )
    result = run_quick([sys.executable, "-m", "dockerflow_settings", "check"], full, EXAMPLE_DIR)
    return result.returncode, result.stdout + result.stderr


def test_the_environment_passes_the_settings_check_once_the_secret_is_real() -> None:
    # The Secret's values are placeholders that must not pass for a real key.
    code, output = check_environment(environment())
    assert code == 1
    assert "DJANGO_SECRET_KEY" in output
    real_key = {"DJANGO_SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"}
    code, output = check_environment({**environment(), **real_key})
    assert code == 0, output
