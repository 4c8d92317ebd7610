"""Every generated root ships a provider lock that terraform accepts as is and enforces.

The lock (templates/_partials/terraform.lock.hcl.jinja) carries the 15 release-zip hashes (zh:) of
hashicorp/aws 5.100.0 and the linux_amd64 package hash (h1:). Here terraform itself checks it against
the provider on this machine: `init -lockfile=readonly` succeeds, `providers lock` for linux_amd64
finds nothing to add, and a lock with a wrong hash is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgen.answers import load_answers
from mlgen.terraform import Terraform, find_provider_mirror

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parents[2]
LOCK = ".terraform.lock.hcl"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mlgen import api

    dest = tmp_path_factory.mktemp("locks") / "p"
    answers = load_answers(REPO / "examples" / "tabular-serverless" / "answers.yml")
    api.new(dest, answers, check=False, use_git=False, allow_over_budget=True, echo=lambda _: None)
    return dest


def _roots(project: Path) -> list[Path]:
    return [project / "infra" / "bootstrap", *sorted((project / "infra" / "envs").iterdir())]


def test_every_root_has_a_lock_for_all_release_platforms(project: Path) -> None:
    assert not list((project / "infra" / "modules").rglob(LOCK)), "modules are not roots: no lock"
    for root in _roots(project):
        text = (root / LOCK).read_text(encoding="utf-8")
        assert 'provider "registry.terraform.io/hashicorp/aws"' in text, root
        assert len(set(re.findall(r'"zh:[0-9a-f]{64}"', text))) == 15, root
        assert len(re.findall(r'"h1:[A-Za-z0-9+/=]{44}"', text)) == 1, root


def test_terraform_accepts_the_lock_unchanged(project: Path, tf: Terraform) -> None:
    mirror = find_provider_mirror()
    for root in _roots(project):
        before = (root / LOCK).read_text(encoding="utf-8")
        try:
            init = tf.run(root, "init", "-backend=false", "-input=false", "-no-color", "-lockfile=readonly")
            assert init.returncode == 0, init.stdout + init.stderr
            if mirror is not None:
                lock = tf.run(root, "providers", "lock", "-no-color", f"-fs-mirror={mirror}", "-platform=linux_amd64")
                assert lock.returncode == 0, lock.stdout + lock.stderr
                assert "no need for changes" in lock.stdout, lock.stdout
            assert (root / LOCK).read_text(encoding="utf-8") == before, f"terraform rewrote {root / LOCK}"
        finally:
            tf.cleanup(root)


def test_a_wrong_hash_is_refused(project: Path, tf: Terraform) -> None:
    root = project / "infra" / "envs" / "dev"
    good = (root / LOCK).read_text(encoding="utf-8")
    bad = re.sub(r'"h1:[^"]+"', '"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="', good)
    bad = re.sub(r'"zh:[0-9a-f]{64}"', '"zh:' + "0" * 64 + '"', bad)
    (root / LOCK).write_text(bad, encoding="utf-8")
    try:
        init = tf.run(root, "init", "-backend=false", "-input=false", "-no-color")
        assert init.returncode != 0
        assert "checksum" in (init.stdout + init.stderr).lower()
    finally:
        (root / LOCK).write_text(good, encoding="utf-8")
        tf.cleanup(root)
