"""The control catalog: which checks give evidence for which framework control, and severities.

The data lives next to this module, one YAML file per framework (``hipaa.yaml``, ``soc2.yaml``,
``gdpr.yaml``, ``pci_dss.yaml``, ``iso27001.yaml``) plus ``severities.yaml``. Open-source
Checkov has no framework mapping and no severities: this catalog is mlgen's own work.

Example:
    >>> catalog = load_catalog()
    >>> catalog.severity("CKV_AWS_20")
    'critical'
    >>> [c.id for c in catalog.controls_for("MLGEN_AWS_001", ["gdpr"])]
    ['Art. 44']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["critical", "high", "medium", "low"]
"""Severity of a check, most severe first."""

SEVERITY_ORDER: dict[str, int] = {"critical": 4, "high": 3, "medium": 2, "low": 1}
"""Rank of each severity; higher is more severe."""

FRAMEWORK_IDS: tuple[str, ...] = ("hipaa", "soc2", "gdpr", "pci_dss", "iso27001")
"""Frameworks the catalog knows, in report order."""

CATALOG_DIR = Path(__file__).resolve().parent


class CatalogError(ValueError):
    """The catalog data is malformed, or a caller named something it does not contain."""


class Source(BaseModel):
    """Where a framework or control is defined."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str = Field(description="Document the text comes from.", examples=["45 CFR 164.312"])
    section: str = Field(description="Section within the document.", examples=["164.312(b)"])
    url: str = Field(description="Public address of the document.")
    accessed: str = Field(description="Date the source was checked (YYYY-MM-DD).")


class Control(BaseModel):
    """One control (requirement) of a framework and the checks that give evidence for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    framework: str = Field(description="Framework id.", examples=["hipaa"])
    id: str = Field(description="Control id as the framework numbers it.", examples=["164.312(b)"])
    title: str = Field(description="Short summary in mlgen's words (not the standard's text).")
    source: Source
    checks: tuple[str, ...] = Field(default=(), description="Checkov or mlgen check ids mapped here.")
    evidence: str | None = Field(
        default=None,
        description="What the team must supply because a scan cannot show the control (required without checks).",
    )

    @model_validator(mode="after")
    def _checks_or_evidence(self) -> Control:
        if not self.checks and not self.evidence:
            raise ValueError(f"control {self.id}: needs `checks`, or `evidence` saying what the team must supply")
        return self

    @property
    def key(self) -> str:
        """Globally unique key, ``<framework>:<control id>``."""
        return f"{self.framework}:{self.id}"


class Framework(BaseModel):
    """A compliance framework and its mapped controls."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(examples=["hipaa"])
    name: str = Field(examples=["HIPAA Security Rule"])
    version: str
    source: Source
    controls: tuple[Control, ...]


class Catalog(BaseModel):
    """All frameworks plus check severities."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    frameworks: dict[str, Framework]
    severities: dict[str, Severity]
    default_severity: Severity = "medium"

    @field_validator("frameworks")
    @classmethod
    def _known_frameworks(cls, value: dict[str, Framework]) -> dict[str, Framework]:
        unknown = sorted(set(value) - set(FRAMEWORK_IDS))
        if unknown:
            raise ValueError(f"unknown framework files: {unknown}")
        return value

    def framework(self, framework_id: str) -> Framework:
        """The framework called ``framework_id``.

        Raises:
            CatalogError: the id is unknown; the message suggests the closest known id.
        """
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise CatalogError(unknown_framework_message(framework_id)) from None

    def severity(self, check_id: str) -> Severity:
        """Severity of ``check_id`` (``default_severity`` for checks we did not rate)."""
        return self.severities.get(check_id, self.default_severity)

    def controls_for(self, check_id: str, frameworks: Iterable[str] | None = None) -> list[Control]:
        """Controls that map ``check_id``, limited to ``frameworks`` when given (catalog order)."""
        wanted = list(frameworks) if frameworks is not None else list(self.frameworks)
        return [control for fid in wanted for control in self.framework(fid).controls if check_id in control.checks]

    def referenced_checks(self) -> set[str]:
        """Every check id any control references."""
        return {check for fw in self.frameworks.values() for c in fw.controls for check in c.checks}


def unknown_framework_message(framework_id: str) -> str:
    """Error text for an unknown framework id, with a suggestion when one is close."""
    close = difflib.get_close_matches(framework_id, FRAMEWORK_IDS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown framework {framework_id!r}{hint}; known: {', '.join(FRAMEWORK_IDS)}"


def _read_yaml(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: expected a mapping at the top level")
    return data


def _load_framework(path: Path) -> Framework:
    data = _read_yaml(path)
    meta = data.get("framework")
    controls = data.get("controls")
    if not isinstance(meta, dict) or not isinstance(controls, list):
        raise CatalogError(f"{path.name}: needs `framework` and `controls`")
    fid = meta.get("id")
    if fid != path.stem:
        raise CatalogError(f"{path.name}: framework id {fid!r} must match the file name")
    try:
        return Framework(
            id=fid,
            name=meta["name"],
            version=meta["version"],
            source=Source(**meta["source"]),
            controls=tuple(
                Control(framework=fid, source=Source(**c.pop("source")), **c) for c in (dict(item) for item in controls)
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{path.name}: {exc}") from exc


@lru_cache(maxsize=4)
def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate the catalog (cached).

    Args:
        directory: Folder holding the YAML files; defaults to the packaged catalog.

    Returns:
        The catalog, with frameworks in :data:`FRAMEWORK_IDS` order.

    Raises:
        CatalogError: a file is missing or malformed, or a control id repeats.
    """
    folder = directory or CATALOG_DIR
    frameworks: dict[str, Framework] = {}
    for fid in FRAMEWORK_IDS:
        path = folder / f"{fid}.yaml"
        if not path.is_file():
            raise CatalogError(f"catalog file missing: {path}")
        framework = _load_framework(path)
        ids = [c.id for c in framework.controls]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise CatalogError(f"{path.name}: duplicate control ids {duplicates}")
        frameworks[fid] = framework
    sev = _read_yaml(folder / "severities.yaml")
    try:
        return Catalog.model_validate(
            {
                "frameworks": frameworks,
                "severities": sev.get("severities") or {},
                "default_severity": sev.get("default", "medium"),
            }
        )
    except ValueError as exc:
        raise CatalogError(f"severities.yaml: {exc}") from exc
