"""Compliance engine: Checkov scan, mlgen's control catalog, the gate and the reports.

Modules, in the order data flows through them:

* :mod:`mlgen.compliance.catalog` - framework controls -> check ids, and check severities.
* :mod:`mlgen.compliance.policies` - mlgen's own Checkov policies (``MLGEN_AWS_*``).
* :mod:`mlgen.compliance.scan` - runs Checkov in a subprocess per root, normalises findings.
* :mod:`mlgen.compliance.gate` - maps findings to controls and decides pass/fail.
* :mod:`mlgen.compliance.report` - writes md, html, json, sarif and junit reports.

Importing this package is cheap: Checkov only ever runs in a subprocess.
"""
