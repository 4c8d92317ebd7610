"""Compliance engine: Checkov scan, mlgen's control catalog, the gate and the reports.

Modules, in the order data flows through them:

* :mod:`mlgen.compliance.catalog` - framework controls -> check ids, and check severities;
  :mod:`mlgen.compliance.catalog.hub` - check ids -> NIST SP 800-53 r5 with sources, the derived
  framework mapping and the review lists (Prowler cross-check).
* :mod:`mlgen.compliance.policies` - mlgen's own Checkov policies (``MLGEN_AWS_*``).
* :mod:`mlgen.compliance.scan` - runs Checkov in a subprocess per root (no config files, private
  environment), normalises findings; :mod:`mlgen.compliance.waivers` - waiver metadata.
* :mod:`mlgen.compliance.plan_scan` - optional plan-JSON scan and its difference to the HCL scan.
* :mod:`mlgen.compliance.gate` - maps findings to controls and decides pass/fail.
* :mod:`mlgen.compliance.report` - writes md, html, json, sarif, junit and OSCAL
  (:mod:`mlgen.compliance.oscal`) reports with the evidence metadata of
  :mod:`mlgen.compliance.evidence`.

Importing this package is cheap: Checkov only ever runs in a subprocess.
"""
