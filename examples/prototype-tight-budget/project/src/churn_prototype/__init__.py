"""Churn Prototype: training, serving and batch scoring code.

The core of this package uses only the Python standard library, so its tests run anywhere.
Cloud-only tooling (the SageMaker SDK, boto3) lives in the ``cloud`` extra and is imported
lazily where it is needed.
"""

from __future__ import annotations

__version__ = "0.1.0"
