"""Render the ML scaffolding of the project template and check what a team would get.

Only the scaffolding files are rendered (the package, its tests, pyproject, Dockerfiles,
Makefile, launch/, k8s/, notebooks/, the two workflows, pre-commit): they are copied with the
template's own copier.yml (its shorthands of the blueprint) into a temporary template, and rendered
from blueprints mlgen decides for the examples, varied in the ML choices, so this test does not depend
on the rest of the template. For each context it checks which conditional files exist, that YAML, TOML and
Python are valid, that the Makefile works, that the generated package's own test suite
passes, and that rendering is byte-for-byte reproducible.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

copier = pytest.importorskip("copier", reason="rendering the template needs copier")

from mlgen.render import copier_data

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "project"
LAUNCH_DIR = "{% if ml.training_platform == 'sagemaker' %}launch{% endif %}"
K8S_DIR = "{% if ml.training_platform == 'eks' %}k8s{% endif %}"
SCAFFOLD = [
    "src",
    "tests",
    "notebooks",
    LAUNCH_DIR,
    K8S_DIR,
    "pyproject.toml.jinja",
    "Makefile.jinja",
    "Dockerfile.train.jinja",
    "Dockerfile.serve.jinja",
    ".dockerignore",
    ".pre-commit-config.yaml",
    ".github/workflows/ml.yml.jinja",
    ".github/workflows/infra.yml.jinja",
]

PROJECT = {
    "name": "Fraud Scoring",
    "slug": "fraud-scoring",
    "package": "fraud_scoring",
    "owner": "ml-platform@example.com",
    "cost_center": "CC-1234",
    "github_repository": "acme/fraud-scoring",
}


@functools.cache
def _decided(example: str) -> dict[str, Any]:
    """What mlgen decides for ``examples/<example>`` (each example planned once)."""
    from mlgen.answers import load_answers
    from mlgen.api import plan

    return plan(load_answers(REPO / "examples" / example / "answers.yml")).model_dump(mode="json")


def _blueprint(example: str, *, ml: dict[str, Any], project: dict[str, Any] = PROJECT, one_env: bool = False) -> dict:
    """The blueprint mlgen decides for ``examples/<example>``, varied by ``ml`` (keys it must already have).

    Starting from a real blueprint keeps the contexts in the shape the template receives: a field the
    blueprint gains is here too, and an override of a field it lost fails instead of rendering stale.
    """
    bp = copy.deepcopy(_decided(example))
    unknown = set(ml) - set(bp["ml"])
    assert not unknown, f"the blueprint has no ml.{sorted(unknown)}"
    bp["ml"].update(copy.deepcopy(ml))
    bp["project"] = dict(project)
    if one_env:
        bp["environments"] = [{**bp["environments"][-1], "name": "dev"}]
    return bp


SAGEMAKER_ONLINE = _blueprint(
    "eu-fintech-batch",
    ml={
        "instance_type": "ml.g5.12xlarge",
        "instance_count": 2,
        "gpus_per_instance": 4,
        "use_spot": True,
        "distribution": "torchrun",
        "inference_mode": "online",
        "inference": {"mode": "online", "instance_type": "ml.c5.xlarge", "min_instances": 1, "max_instances": 2},
    },
)
EKS_BATCH = _blueprint(
    "enterprise-llm-eks",
    ml={
        "instance_type": "g5.12xlarge",
        "gpus_per_instance": 4,
        "inference_mode": "batch",
        "inference_gpu": False,
        "inference": {"mode": "batch", "instance_type": "ml.c5.xlarge"},
        "image_cache": False,
    },
)
# A small CPU project: one instance, no spot, no torchrun, batch scoring on SageMaker, and no
# GitHub repository (so no CI roles to plan or apply with).
SAGEMAKER_CPU_BATCH = _blueprint(
    "eu-fintech-batch",
    ml={
        "instance_type": "ml.m5.4xlarge",
        "instance_count": 1,
        "gpus_per_instance": 0,
        "use_spot": False,
        "distribution": "none",
    },
    project={**PROJECT, "github_repository": ""},
    one_env=True,
)
# CPU nodes on EKS, two of them under torchrun, and no inference at all.
EKS_CPU_NONE = _blueprint(
    "enterprise-llm-eks",
    ml={
        "instance_type": "m6i.xlarge",
        "gpus_per_instance": 0,
        "use_spot": False,
        "inference_mode": "none",
        "inference_gpu": False,
        "image_cache": True,
    },
)
CONTEXTS = {
    "sagemaker-online": SAGEMAKER_ONLINE,
    "eks-batch": EKS_BATCH,
    "sagemaker-cpu-batch": SAGEMAKER_CPU_BATCH,
    "eks-cpu-none": EKS_CPU_NONE,
}

ALWAYS = [
    "pyproject.toml",
    "Makefile",
    "Dockerfile.train",
    "Dockerfile.serve",
    ".dockerignore",
    ".pre-commit-config.yaml",
    ".github/workflows/ml.yml",
    ".github/workflows/infra.yml",
    "notebooks/README.md",
    "notebooks/.gitkeep",
    "src/fraud_scoring/__init__.py",
    "src/fraud_scoring/data.py",
    "src/fraud_scoring/model.py",
    "src/fraud_scoring/train.py",
    "src/fraud_scoring/serve.py",
    "tests/conftest.py",
    "tests/test_data.py",
    "tests/test_model.py",
    "tests/test_train.py",
    "tests/test_serve.py",
]
EXPECTED = {
    "sagemaker-online": {
        "present": [
            "launch/__init__.py",
            "launch/terraform_outputs.py",
            "launch/train_sagemaker.py",
            "launch/entrypoint/sagemaker_train.py",
            "tests/test_launch_sagemaker.py",
        ],
        "absent": [
            "k8s",
            "src/fraud_scoring/batch.py",
            "tests/test_batch.py",
            "tests/test_k8s_render.py",
            "launch/batch_sagemaker.py",
        ],
    },
    "eks-batch": {
        "present": [
            "k8s/README.md",
            "k8s/namespace.yaml",
            "k8s/serviceaccount.yaml",
            "k8s/storage.yaml",
            "k8s/pytorchjob.yaml",
            "k8s/batch-job.yaml",
            "k8s/render.py",
            "src/fraud_scoring/batch.py",
            "tests/test_batch.py",
            "tests/test_k8s_render.py",
        ],
        "absent": ["launch", "tests/test_launch_sagemaker.py"],
    },
    "eks-cpu-none": {
        "present": ["k8s/pytorchjob.yaml", "k8s/render.py", "tests/test_k8s_render.py"],
        "absent": [
            "launch",
            "k8s/batch-job.yaml",
            "src/fraud_scoring/batch.py",
            "tests/test_batch.py",
        ],
    },
    "sagemaker-cpu-batch": {
        "present": [
            "launch/train_sagemaker.py",
            "launch/batch_sagemaker.py",
            "src/fraud_scoring/batch.py",
            "tests/test_batch.py",
            "tests/test_launch_sagemaker.py",
        ],
        "absent": ["k8s", "launch/entrypoint", "tests/test_k8s_render.py"],
    },
}


def _copy_scaffold(destination: Path) -> None:
    project = destination / "project"
    for entry in SCAFFOLD:
        source = TEMPLATE / entry
        target = project / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)
    shutil.copy2(TEMPLATE.parent / "copier.yml", destination / "copier.yml")  # its shorthands, as mlgen renders


def render(context: dict[str, Any], workdir: Path, name: str) -> Path:
    """Render the scaffold with ``context`` into ``workdir/name``."""
    template = workdir / f"{name}-template"
    if not template.exists():
        _copy_scaffold(template)
    destination = workdir / name
    copier.run_copy(
        str(template),
        str(destination),
        data=copier_data({}, context),
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=True,  # loads mlgen's own filters (mlgen.escape)
    )
    return destination


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module", params=sorted(CONTEXTS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    name = request.param
    workdir = tmp_path_factory.mktemp(name)
    yield name, render(CONTEXTS[name], workdir, "out")


def test_conditional_files_appear_and_disappear(rendered: tuple[str, Path]) -> None:
    name, root = rendered
    files = set(tree(root))

    for path in ALWAYS + EXPECTED[name]["present"]:
        assert path in files, f"{name}: {path} missing"
    for path in EXPECTED[name]["absent"]:
        assert not (root / path).exists(), f"{name}: {path} should not be rendered"
    assert not [p for p in files if "{%" in p or "{{" in p or p.endswith(".jinja")]


def test_no_template_syntax_is_left(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    for relative, content in tree(root).items():
        text = content.decode("utf-8")
        stripped = text.replace("${{", "") if relative.startswith(".github/") else text
        assert "{{" not in stripped and "{%" not in stripped, relative


def test_yaml_files_parse(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    documents = 0
    for path in [*root.rglob("*.yml"), *root.rglob("*.yaml")]:
        documents += len([d for d in yaml.safe_load_all(path.read_text("utf-8")) if d])
    assert documents >= 3


def test_pyproject_declares_extras_and_python(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    pyproject = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))

    project = pyproject["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["dependencies"] == []
    assert "sagemaker>=2.200,<3" in project["optional-dependencies"]["cloud"]
    assert any(d.startswith("boto3") for d in project["optional-dependencies"]["cloud"])
    assert {d.split(">")[0] for d in project["optional-dependencies"]["test"]} >= {"pytest", "ruff"}
    assert project["optional-dependencies"]["dev"] == ["fraud-scoring[test]"]  # the former name
    assert project["scripts"]["serve"] == "fraud_scoring.serve:main"
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"


def test_package_core_imports_only_the_standard_library(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    for path in (root / "src" / "fraud_scoring").glob("*.py"):
        module = ast.parse(path.read_text("utf-8"))
        for node in module.body:  # module level only: cloud imports are lazy, inside functions
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", (path.name, name)


def test_dockerfiles_pin_their_base_and_drop_root(rendered: tuple[str, Path]) -> None:
    name, root = rendered
    for file in ("Dockerfile.train", "Dockerfile.serve"):
        text = (root / file).read_text("utf-8")
        base = re.search(r"^FROM (\S+) AS base$", text, re.MULTILINE)
        assert base, file
        image, _, tag = base.group(1).rpartition(":")
        assert image and tag and tag != "latest" and re.search(r"\d", tag), base.group(1)
        users = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
        assert users and users[-1] not in {"root", "0"}, file
        assert "ARG APP_UID=1000" in text
    serve = (root / "Dockerfile.serve").read_text("utf-8")
    assert "EXPOSE 8080" in serve
    assert 'CMD ["serve"]' in serve
    train = (root / "Dockerfile.train").read_text("utf-8")
    if name == "sagemaker-online":  # torch_distributed needs the SageMaker training toolkit
        assert "pytorch-training:" in train and "ENTRYPOINT" not in train.split("HEALTHCHECK")[1]
    else:
        assert 'ENTRYPOINT ["python", "-m", "fraud_scoring.train"]' in train


def test_workflows_pin_actions_and_gate_apply(rendered: tuple[str, Path]) -> None:
    name, root = rendered
    infra = yaml.safe_load((root / ".github/workflows/infra.yml").read_text("utf-8"))
    ml = yaml.safe_load((root / ".github/workflows/ml.yml").read_text("utf-8"))
    environments = [env["name"] for env in CONTEXTS[name]["environments"]]

    for workflow in (infra, ml):
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    triggers = infra[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) >= {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    jobs = infra["jobs"]
    assert jobs["validate"]["strategy"]["matrix"]["root"] == [
        "infra/bootstrap",
        *[f"infra/envs/{env}" for env in environments],
    ]
    fmt_steps = " ".join(step.get("run", "") for step in jobs["fmt"]["steps"])
    assert "terraform fmt -check -recursive" in fmt_steps
    validate_steps = " ".join(step.get("run", "") for step in jobs["validate"]["steps"])
    assert "validate" in validate_steps and " test" in validate_steps
    checkov_uses = [step.get("uses", "") for step in jobs["compliance"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in checkov_uses)
    if CONTEXTS[name]["project"]["github_repository"]:
        assert jobs["plan"]["permissions"]["id-token"] == "write"
        assert "pull_request" in jobs["plan"]["if"]
        assert jobs["apply"]["environment"] == "production"
        assert "refs/heads/main" in jobs["apply"]["if"]
        assert jobs["apply"]["strategy"]["matrix"]["env"] == environments
        role_steps = [s for s in jobs["apply"]["steps"] if s.get("uses", "").startswith("aws-actions/")]
        assert role_steps[0]["with"]["role-to-assume"] == "${{ vars.AWS_APPLY_ROLE_ARN }}"
    else:
        assert "plan" not in jobs and "apply" not in jobs
    docker = ml["jobs"]["docker"]
    assert {item["image"] for item in docker["strategy"]["matrix"]["include"]} == {"train", "serve"}
    build = next(s for s in docker["steps"] if s.get("uses", "").startswith("docker/build-push"))
    assert build["with"]["push"] is False


def _make(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TAG": "abc123"}
    return subprocess.run(["make", "-C", str(root), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_makefile_targets(rendered: tuple[str, Path]) -> None:
    name, root = rendered
    help_text = _make(root, "help")
    assert help_text.returncode == 0, help_text.stderr
    for target in (
        "install", "test", "lint", "train-local", "build", "push", "train", "register", "deploy",
    ):  # fmt: skip
        assert re.search(rf"^  {target} ", help_text.stdout, re.MULTILINE), target
    build = _make(root, "-n", "build")
    assert build.returncode == 0, build.stderr
    assert "-f Dockerfile.train -t fraud-scoring-train:abc123" in build.stdout
    bad_env = _make(root, "push", "ENV=staging")
    assert bad_env.returncode != 0
    assert "ENV=staging is not one of" in bad_env.stderr
    train = _make(root, "-n", "train")
    if CONTEXTS[name]["ml"]["training_platform"] == "sagemaker":
        assert ".venv/bin/python -m launch.train_sagemaker --env dev --image-tag abc123" in train.stdout
    else:
        assert "k8s/render.py --env dev --job-name fraud-scoring-abc123" in train.stdout
        assert "kubectl apply -f build/dev/k8s/namespace.yaml" in train.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_train_local_runs_end_to_end(rendered: tuple[str, Path], tmp_path: Path) -> None:
    _, root = rendered
    work = tmp_path / "project"
    shutil.copytree(root, work)

    completed = _make(work, "train-local", f"PYTHON={sys.executable}")

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (work / "build/local/model/model.json").is_file()
    assert '"train_accuracy"' in completed.stdout
    full = json.loads((work / "build/local/output/metrics.json").read_text("utf-8"))["steps"]

    # The same data again: the finished checkpoint is reused (nothing left to train).
    again = _make(work, "train-local", f"PYTHON={sys.executable}")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "already finished this run" in again.stderr
    # Changed data: the finished checkpoint is not reused; training restarts and says why.
    data = work / "data/train/train.csv"
    lines = data.read_text("utf-8").splitlines()
    data.write_text("\n".join(lines[: len(lines) // 2]) + "\n", "utf-8")
    changed = _make(work, "train-local", f"PYTHON={sys.executable}")
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert "other training data or settings" in changed.stderr
    assert "resuming" not in changed.stderr
    steps = json.loads((work / "build/local/output/metrics.json").read_text("utf-8"))["steps"]
    assert 0 < steps < full  # trained again, on half the rows


def test_generated_code_is_ruff_clean(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_generated_test_suite_passes(rendered: tuple[str, Path]) -> None:
    _, root = rendered
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONDONTWRITEBYTECODE": "1"}

    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
    assert re.search(r"\d+ passed", completed.stdout)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_rendering_is_byte_identical_twice(name: str, tmp_path: Path) -> None:
    first = render(CONTEXTS[name], tmp_path, "first")
    second = render(CONTEXTS[name], tmp_path, "second")

    assert tree(first) == tree(second)
