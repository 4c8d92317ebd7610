"""Benchmarks: mlgen's overhead against the bare tools it drives. Prints a Markdown table.

    python bench/run.py [--repeat N]

Rows: `mlgen new --no-check` vs a bare `copier copy` of the same staged template and data;
`mlgen new` (validate + scan) vs bare terraform validate + Checkov on the same output; `mlgen check`;
1 vs 3 environments. Times are wall-clock medians of N runs (subprocesses, cold imports included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MLGEN = [sys.executable, "-m", "mlgen.cli"]


def timed(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(fn() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mlgen-bench-"))
    env = {**os.environ, "MLGEN_HOME": str(work / "home")}
    three = work / "three.yml"
    three.write_text("cloud: {environments: [dev, staging, prod]}\n")
    counter = iter(range(10_000))

    def dest() -> str:
        return str(work / f"p{next(counter)}")

    # data for the bare copier copy: exactly what mlgen passes
    from mlgen.answers import Answers, answers_to_data
    from mlgen.decide import decide
    from mlgen.render import copier_data, template_source

    os.environ["MLGEN_HOME"] = env["MLGEN_HOME"]
    repo, tag = template_source()
    data = copier_data(answers_to_data(Answers()), decide(Answers()).model_dump(mode="json"))
    data_file = work / "data.yml"
    import yaml

    data_file.write_text(yaml.safe_dump(data))
    copier_cmd = [
        sys.executable,
        "-c",
        "import sys, yaml, copier; copier.run_copy(sys.argv[1], sys.argv[2], "
        "data=yaml.safe_load(open(sys.argv[3])), vcs_ref=sys.argv[4], defaults=True, "
        "overwrite=True, quiet=True, unsafe=True)",
    ]

    rows: list[tuple[str, float, float | None, str]] = []
    new_nc = median(
        lambda: timed([*MLGEN, "new", dest(), "--defaults", "--no-check", "--no-git"], env=env), args.repeat
    )
    bare_copy = median(lambda: timed([*copier_cmd, str(repo), dest(), str(data_file), tag], env=env), args.repeat)
    rows.append(("mlgen new --no-check (1 env)", new_nc, bare_copy, "bare copier copy, same template+data"))
    new_3 = median(
        lambda: timed([*MLGEN, "new", dest(), "--answers", str(three), "--no-check", "--no-git"], env=env), args.repeat
    )
    rows.append(("mlgen new --no-check (3 envs)", new_3, new_nc, "1 env"))

    have_tf = shutil.which("terraform") is not None
    if have_tf:
        full = median(lambda: timed([*MLGEN, "new", dest(), "--defaults", "--no-git"], env=env), 1)
        out = Path(dest())
        subprocess.run(
            [*MLGEN, "new", str(out), "--defaults", "--no-git", "--no-check"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        roots = [out / "infra" / "bootstrap", *sorted((out / "infra" / "envs").iterdir())]
        ck_env = {
            **env,
            "BC_SKIP_MAPPING": "TRUE",
            "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
            "XDG_CACHE_HOME": str(work / "ckv"),
        }

        def bare_tools() -> float:
            total = 0.0
            for r in roots:
                total += timed(["terraform", f"-chdir={r}", "init", "-backend=false", "-input=false"], env=env)
                total += timed(["terraform", f"-chdir={r}", "validate"], env=env)
                total += (
                    timed(
                        [
                            sys.executable,
                            "-m",
                            "checkov.main",
                            "-d",
                            str(r),
                            "--framework",
                            "terraform",
                            "--quiet",
                            "-o",
                            "json",
                        ],
                        env=ck_env,
                    )
                    if True
                    else 0
                )
                shutil.rmtree(r / ".terraform", ignore_errors=True)
            return total

        bare = bare_tools()
        rows.append(
            ("mlgen new (validate + scan, 1 env)", full, bare, "bare terraform init+validate + checkov per root")
        )
        subprocess.run(
            [*MLGEN, "new", str(work / "chk"), "--defaults"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        chk = median(lambda: timed([*MLGEN, "check", str(work / "chk")], env=env), 1)
        rows.append(("mlgen check (1 env)", chk, bare, "bare terraform init+validate + checkov per root"))
        full3 = median(lambda: timed([*MLGEN, "new", dest(), "--answers", str(three), "--no-git"], env=env), 1)
        rows.append(("mlgen new (validate + scan, 3 envs)", full3, full, "1 env"))

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"median of {args.repeat} run(s) for --no-check rows, 1 run for tool rows"
    )
    print()
    print("| case | mlgen s | baseline s | ratio | baseline |")
    print("|---|---:|---:|---:|---|")
    for name, t, base, what in rows:
        ratio = f"{t / base:.2f}" if base else "-"
        print(
            f"| {name} | {t:.2f} | {base:.2f} | {ratio} | {what} |"
            if base
            else f"| {name} | {t:.2f} | - | - | {what} |"
        )
    shutil.rmtree(work, ignore_errors=True)
    json.dumps(rows)


if __name__ == "__main__":
    main()
