"""Fidelity fixes for moto 5.2.5, applied by :mod:`moto_server` at start.

Each patch is one function registered with :func:`patch`; it changes one behaviour of moto that
stops a generated root from applying, re-planning empty or destroying, and says why in its
docstring. Every patch has its own test in ``test_moto_patches.py`` (a boto3 call against a
patched server). Patches check the moto version they were written for and refuse to apply to
another one, so a moto upgrade makes the launcher fail loudly instead of patching the wrong code.
"""

from __future__ import annotations

from collections.abc import Callable

MOTO_VERSION = "5.2.5"

_PATCHES: dict[str, Callable[[], None]] = {}


def patch(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn`` as a patch named after the function."""
    _PATCHES[fn.__name__] = fn
    return fn


def names() -> list[str]:
    """Every registered patch, in registration order."""
    return list(_PATCHES)


def apply_all() -> list[str]:
    """Apply every patch once; return their names."""
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"tests/apply/moto_patches.py is written for moto {MOTO_VERSION}, found {moto.__version__}; "
            "re-check every patch against the new version and update MOTO_VERSION (and the pin in pyproject.toml)"
        )
    for fn in _PATCHES.values():
        fn()
    return names()


# --------------------------------------------------------------------------- S3


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@patch
def s3_logging_policy_principal_star() -> None:
    """PutBucketLogging: accept a target-bucket policy whose statements use ``Principal: "*"``.

    moto reads ``stmt["Principal"]["Service"]`` on every statement and crashes (HTTP 500) on a
    deny-insecure-transport statement with ``Principal: "*"``; it also misses ``Action`` and
    ``Resource`` given as strings or lists. AWS only needs one statement allowing the logging
    service ``s3:PutObject`` on the target prefix.
    """
    import json

    from moto.s3.models import LOGGING_SERVICE_PRINCIPAL, FakeBucket

    def _log_permissions_enabled_policy(target_bucket: FakeBucket, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        wanted = {f"{arn}/{target_prefix or ''}*", f"{arn}/*", arn}
        for stmt in _as_list(json.loads(target_bucket.policy.decode()).get("Statement")):
            if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow":
                continue
            principal = stmt.get("Principal")
            services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
            if LOGGING_SERVICE_PRINCIPAL not in services:
                continue
            if not {"s3:PutObject", "s3:*", "*"} & set(_as_list(stmt.get("Action"))):
                continue
            if wanted & set(_as_list(stmt.get("Resource"))):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)  # type: ignore[method-assign]


@patch
def s3_logging_target_object_key_format() -> None:
    """GetBucketLogging: return the ``TargetObjectKeyFormat`` that PutBucketLogging stored.

    moto keeps the element but leaves it out of the response, so terraform plans to add
    ``target_object_key_format`` again on every plan.
    """
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    def get_bucket_logging(self: S3Response) -> object:
        logging = self.backend.get_bucket_logging(self.bucket_name)
        result: dict[str, object] = {}
        if logging:
            enabled: dict[str, object] = {"TargetBucket": logging["TargetBucket"], "TargetPrefix": logging["TargetPrefix"]}
            if logging.get("TargetGrants"):
                enabled["TargetGrants"] = [
                    {
                        "Grantee": {
                            "Type": g.grantees[0].type,
                            "URI": g.grantees[0].uri,
                            "ID": g.grantees[0].id,
                            "DisplayName": g.grantees[0].display_name,
                        },
                        "Permission": g.permissions[0],
                    }
                    for g in logging["TargetGrants"]
                ]
            fmt = logging.get("TargetObjectKeyFormat")
            if isinstance(fmt, dict) and "PartitionedPrefix" in fmt:
                source = (fmt.get("PartitionedPrefix") or {}).get("PartitionDateSource") or "EventTime"
                enabled["TargetObjectKeyFormat"] = {"PartitionedPrefix": {"PartitionDateSource": source}}
            elif isinstance(fmt, dict) and "SimplePrefix" in fmt:
                enabled["TargetObjectKeyFormat"] = {"SimplePrefix": {}}
            result["LoggingEnabled"] = enabled
        self.data["Action"] = "GetBucketLogging"
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_logging = get_bucket_logging  # type: ignore[method-assign]


@patch
def s3_notification_eventbridge() -> None:
    """GetBucketNotificationConfiguration: return ``EventBridgeConfiguration`` when it is on.

    moto stores the EventBridge switch but never returns it, so ``eventbridge = true`` on
    ``aws_s3_bucket_notification`` shows as a change on every plan.
    """
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: S3Response) -> object:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if not config or config.event_bridge is None:
            return original(self)
        status, headers, body = original(self)
        if config.topic or config.queue or config.cloud_function:
            text = body.decode() if isinstance(body, bytes) else str(body)
            end = "</NotificationConfiguration>"
            return status, headers, text.replace(end, f"<EventBridgeConfiguration></EventBridgeConfiguration>{end}")
        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult({"EventBridgeConfiguration": {}}))

    S3Response.get_bucket_notification = get_bucket_notification  # type: ignore[method-assign]


@patch
def s3_replication_rule_fields() -> None:
    """GetBucketReplication: return each rule's own ``Filter``, ``DeleteMarkerReplication`` and
    ``SourceSelectionCriteria`` (moto answers a fixed ``Disabled`` / empty prefix and drops the
    criteria, forcing a diff on every plan of a KMS-encrypted replication rule)."""
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError
    from moto.s3.responses import S3Response

    def get_bucket_replication(self: S3Response) -> object:
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for rule in _as_list(replication["Rule"]):
            assert isinstance(rule, dict)
            out = {
                "ID": rule.get("ID"),
                "Priority": rule.get("Priority"),
                "Status": rule["Status"],
                "DeleteMarkerReplication": rule.get("DeleteMarkerReplication") or {"Status": "Disabled"},
                "Filter": rule.get("Filter") if rule.get("Filter") is not None else {"Prefix": ""},
                "Destination": rule["Destination"],
            }
            for key in ("SourceSelectionCriteria", "ExistingObjectReplication"):
                if rule.get(key):
                    out[key] = rule[key]
            rules.append(out)
        return self.serialized(
            ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}})
        )

    S3Response.get_bucket_replication = get_bucket_replication  # type: ignore[method-assign]


# --------------------------------------------------------------------------- KMS


@patch
def kms_rotation_period() -> None:
    """EnableKeyRotation / GetKeyRotationStatus: keep and return ``RotationPeriodInDays``.

    moto ignores the period (default 365 on AWS), so ``rotation_period_in_days`` reads back empty
    and every plan wants to set it again.
    """
    import json

    from moto.kms.responses import KmsResponse

    def enable_key_rotation(self: KmsResponse) -> str:
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        self.kms_backend.enable_key_rotation(key_id)
        key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
        key.rotation_period_in_days = int(self._get_param("RotationPeriodInDays") or 365)
        return json.dumps(None)

    def get_key_rotation_status(self: KmsResponse) -> str:
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        enabled = self.kms_backend.get_key_rotation_status(key_id)
        out: dict[str, object] = {"KeyRotationEnabled": enabled}
        if enabled:
            key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
            out["RotationPeriodInDays"] = getattr(key, "rotation_period_in_days", 365)
            out["KeyId"] = key.id
        return json.dumps(out)

    KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
    KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]
