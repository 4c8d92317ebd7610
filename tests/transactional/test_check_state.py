"""`mlgen check` runs terraform on a private copy: a root's `.terraform/` (backend settings,
selected workspace), its committed lock file and everything else stay byte for byte."""

from __future__ import annotations

from pathlib import Path

from mlgen.terraform import Terraform

from .helpers import git, mlgen, snapshot


def test_check_leaves_terraform_state_lock_files_and_workspaces_alone(tmp_path: Path, tf: Terraform) -> None:
    dest = tmp_path / "proj"
    code, out = mlgen("new", str(dest), "--defaults", "--no-check")
    assert code == 0, out
    dev = dest / "infra" / "envs" / "dev"
    init = tf.init(dev)
    assert init.returncode == 0, init.stderr
    lock = dev / ".terraform.lock.hcl"
    assert lock.is_file()
    git(dest, "add", "-f", str(lock))
    git(dest, "commit", "-q", "--allow-empty", "-m", "pin providers")  # mlgen ships the lock already
    (dev / ".terraform" / "environment").write_text("staging")
    (dev / ".terraform" / "terraform.tfstate").write_text('{"version": 3, "backend": {"type": "s3"}}\n')
    reports = dest / "docs" / "compliance"
    before = {k: v for k, v in snapshot(dest).items() if not k.startswith("docs/compliance/")}
    code, out = mlgen("check", str(dest))
    assert code == 0, out
    after = {k: v for k, v in snapshot(dest).items() if not k.startswith("docs/compliance/") and k != "status"}
    before.pop("status")
    assert after == before
    assert (dev / ".terraform" / "environment").read_text() == "staging"
    assert not (dest / "infra" / "bootstrap" / ".terraform").exists()
    # bootstrap's shipped .terraform.lock.hcl is compared byte for byte by the snapshot above.
    assert (dest / "infra" / "bootstrap" / ".terraform.lock.hcl").is_file()
    assert (reports / "report.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
