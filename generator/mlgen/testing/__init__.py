"""Test tooling, never used by generated projects: a Terraform provider that serves resource schemas
extracted from pinned CDK provider packages, so google and azurerm roots can be validated and tested
offline (see docs/testing.md). Needs the ``test`` extra (grpcio, grpcio-tools, protobuf, msgpack,
cryptography)."""
