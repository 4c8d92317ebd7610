"""Render report.html in headless Chromium: it must draw a real page and show the summary."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from mlgen.compliance.report import write_reports

from .test_report import METADATA, sample

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(
        CHROMIUM is None and os.environ.get("MLGEN_REQUIRE_TOOLS") != "1",
        reason="chromium is not installed (apt-get install -y chromium)",
    ),
]


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, gate = sample()
    out = tmp_path_factory.mktemp("html")
    (path,) = write_reports(result, gate, out, formats={"html"}, metadata=METADATA)
    return path


def test_report_renders_to_a_non_trivial_screenshot(report_html: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    proc = _chromium(
        f"--screenshot={png}",
        "--window-size=1280,2000",
        report_html.as_uri(),
        profile=tmp_path / "profile",
    )
    assert png.exists(), proc.stderr[-2000:]
    assert _png_size(png) == (1280, 2000)
    # a blank page compresses to a few KB; a rendered report with tables is far larger
    assert png.stat().st_size > 50_000


def test_rendered_dom_contains_the_summary(report_html: Path, tmp_path: Path) -> None:
    proc = _chromium("--dump-dom", report_html.as_uri(), profile=tmp_path / "profile")
    dom = proc.stdout
    assert '<section id="summary"' in dom, proc.stderr[-2000:]
    assert "Gate: FAIL" in dom
    summary = dom[dom.index('<section id="summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "MLGEN_AWS_001" in summary and "GDPR Art. 44" in summary
