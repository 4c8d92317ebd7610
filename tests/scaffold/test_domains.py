"""Each ``project.domain`` scaffold, rendered by mlgen and run: its own tests train and serve.

``mlgen.api.new`` writes the whole project (no checks, no git); the generated package's test
suite then runs in a subprocess on synthetic data, on the CPU, without network access to a
model hub. Vision and text need PyTorch (and transformers and tokenizers for text): without
them these tests are skipped, and under ``MLGEN_REQUIRE_TOOLS=1`` they fail.
"""

from __future__ import annotations

import importlib.util
import importlib.util as _ilu
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

# tests/conftest.py by path: a bare `import conftest` may find another folder's conftest.py first.
_spec = _ilu.spec_from_file_location("mlgen_tests_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
assert _spec is not None and _spec.loader is not None
_conftest = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
require_tool = _conftest.require_tool

from mlgen.answers import Answers

PACKAGE = "domain_demo"
NEEDS = {"tabular": [], "vision": ["torch"], "text": ["torch", "transformers", "tokenizers"]}


def _answers(domain: str, training: dict[str, int] | None = None, **inference: object) -> Answers:
    return Answers.model_validate(
        {
            "project": {"name": "Domain Demo", "domain": domain},
            "scale": {"inference": {"mode": "batch", **inference}, "training": training or {}},
        }
    )


# Vision trains on two CPU nodes (torchrun, so its tests include a two-process run); text on one.
PROJECTS = {
    "vision": _answers("vision", training={"nodes_per_job": 2, "gpus_per_job": 0}),
    "text": _answers("text"),
}


def _require(domain: str) -> None:
    missing = [name for name in NEEDS[domain] if importlib.util.find_spec(name) is None]
    require_tool(
        not missing,
        f"the {domain} scaffold's tests need {', '.join(missing)} (pip install -e '.[scaffold]')",
    )


def _new(dest: Path, answers: Answers) -> Path:
    from mlgen import api

    api.new(dest, answers, check=False, use_git=False, echo=lambda *_: None)
    return dest


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(root / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HF_HUB_OFFLINE": "1",  # the scaffold must never need the model hub
        "OMP_NUM_THREADS": "1",
    }


@pytest.fixture(scope="module", params=["vision", "text"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    domain = request.param
    return _new(tmp_path_factory.mktemp(domain) / "demo", PROJECTS[domain])


def _domain(root: Path) -> str:
    return "text" if (root / "tests" / "test_text.py").exists() else "vision"


def test_the_domain_picks_the_model_and_its_dependencies(project: Path) -> None:
    domain = _domain(project)
    package = project / "src" / PACKAGE
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    dependencies = {re.split(r"[<>=]", d)[0] for d in pyproject["project"]["dependencies"]}

    assert dependencies == set(NEEDS[domain])
    assert {"channels.py", "artifacts.py", "batch.py"} <= {p.name for p in package.iterdir()}
    model = (package / "model.py").read_text("utf-8")
    assert ("class SmallCNN(nn.Module)" in model) == (domain == "vision")
    assert ("GPT2LMHeadModel" in model) == (domain == "text")
    assert "LogisticRegression" not in model
    train_base = "pytorch-training:" if domain == "vision" else "pytorch/pytorch:"
    assert train_base in (project / "Dockerfile.train").read_text("utf-8")
    distributed = (project / "tests" / "test_train.py").read_text("utf-8")
    assert ("torch.distributed.run" in distributed) == (domain == "vision")
    assert "pytorch/pytorch:" in (project / "Dockerfile.serve").read_text("utf-8")


def test_the_generated_tests_train_and_serve_in_under_a_minute(project: Path) -> None:
    domain = _domain(project)
    _require(domain)

    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=project,
        env=_env(project),
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    output = completed.stdout[-6000:] + completed.stderr[-2000:]
    assert completed.returncode == 0, output
    passed = re.search(r"(\d+) passed", completed.stdout)
    assert passed and int(passed.group(1)) >= 15, output
    assert "skipped" not in completed.stdout.splitlines()[-1], output
    for name in ("test_train.py", "test_serve.py", "test_batch.py", f"test_{domain}.py"):
        assert (project / "tests" / name).is_file(), name
    # CPU seconds of the whole run (every process it started): what it costs on an idle machine,
    # whatever else shares the cores. Wall-clock time only guards against a hang.
    assert cpu < 90, f"{domain} tests used {cpu:.0f} CPU seconds"
    assert elapsed < 600


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_train_local_restarts_when_the_data_changes(project: Path, tmp_path: Path) -> None:
    domain = _domain(project)
    _require(domain)
    work = Path(shutil.copytree(project, tmp_path / "work"))

    def make_train() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "-C", str(work), "train-local", f"PYTHON={sys.executable}", "TAG=t"],
            env=_env(work),
            capture_output=True,
            text=True,
            timeout=600,
        )

    first = make_train()
    assert first.returncode == 0, first.stderr[-3000:]
    steps = json.loads((work / "build/local/output/metrics.json").read_text("utf-8"))["steps"]
    again = make_train()
    assert "already finished this run" in again.stderr, again.stderr[-3000:]

    manifest = work / "data/train/train.csv"
    lines = manifest.read_text("utf-8").splitlines()
    manifest.write_text("\n".join(lines[: len(lines) // 2]) + "\n", "utf-8")
    changed = make_train()

    assert changed.returncode == 0, changed.stderr[-3000:]
    assert "other training data or settings" in changed.stderr
    retrained = json.loads((work / "build/local/output/metrics.json").read_text("utf-8"))
    assert 0 < retrained["steps"] < steps


def test_generated_code_is_ruff_clean(project: Path) -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        completed = subprocess.run(command, cwd=project, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_tabular_stays_standard_library_only(tmp_path: Path) -> None:
    root = _new(tmp_path / "demo", _answers("tabular"))

    pyproject = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["dependencies"] == []
    package = {p.name for p in (root / "src" / PACKAGE).iterdir()}
    assert package == {"__init__.py", "data.py", "model.py", "train.py", "serve.py", "batch.py"}
    assert "LogisticRegression" in (root / "src" / PACKAGE / "model.py").read_text("utf-8")
    assert "python:3.11" in (root / "Dockerfile.serve").read_text("utf-8")


def test_text_generation_on_a_gpu_endpoint_is_served_by_the_lmi_container(tmp_path: Path) -> None:
    root = _new(tmp_path / "demo", _answers("text", mode="online", gpu=True))

    serve = (root / "Dockerfile.serve").read_text("utf-8")
    base = re.search(r"^FROM (\S+) AS base$", serve, re.MULTILINE)
    assert base and re.fullmatch(
        r"763104351884\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/djl-inference:\d+\.\d+\.\d+-lmi[\d.]+-cu\d+",
        base.group(1),
    ), serve
    assert "ENV HF_MODEL_ID=/opt/ml/model" in serve
    assert 'CMD ["serve"]' in serve and "EXPOSE 8080" in serve
    # CI cannot pull AWS's registry without credentials: it checks the file on a public base.
    ml = yaml.safe_load((root / ".github" / "workflows" / "ml.yml").read_text("utf-8"))
    serve_build = next(i for i in ml["jobs"]["docker"]["strategy"]["matrix"]["include"] if i["image"] == "serve")
    assert serve_build["build-args"].startswith("BASE_IMAGE=python:"), serve_build
    recorded = (root / ".copier-answers.yml").read_text("utf-8")
    assert "serving: lmi" in recorded
    decisions = "\n".join(p.read_text("utf-8") for p in (root / "docs/decisions").glob("*.md"))
    assert "LMI container" in decisions
    # Without a GPU (or for batch scoring) the package's own server generates the text.
    cpu = _new(tmp_path / "cpu", _answers("text", mode="online", gpu=False))
    assert "djl-inference" not in (cpu / "Dockerfile.serve").read_text("utf-8")
