"""Each moto fidelity patch, shown by a boto3 call: the patched server behaves like AWS, stock moto
5.2.5 does not (so every test here can fail, and would, without its patch)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from . import harness, moto_patches

pytestmark = pytest.mark.apply

Client = Callable[..., object]


def _client_factory(server: harness.MotoServer) -> Client:
    import boto3

    def make(service: str, region: str = "us-east-1") -> object:
        return boto3.client(
            service,
            endpoint_url=server.endpoint,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=boto3.session.Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
        )

    return make


def _bucket(client: Client, name: str) -> object:
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    return s3


def check_s3_logging_policy_principal_star(client: Client) -> None:
    s3 = _bucket(client, "logs-star")
    s3.create_bucket(Bucket="src-star")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::logs-star", "arn:aws:s3:::logs-star/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::logs-star/*",
            },
        ],
    }
    s3.put_bucket_policy(Bucket="logs-star", Policy=json.dumps(policy))
    s3.put_bucket_logging(
        Bucket="src-star",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs-star", "TargetPrefix": "src/"}},
    )
    assert s3.get_bucket_logging(Bucket="src-star")["LoggingEnabled"]["TargetBucket"] == "logs-star"


def check_s3_logging_target_object_key_format(client: Client) -> None:
    s3 = _bucket(client, "logs-fmt")
    s3.create_bucket(Bucket="src-fmt")
    s3.put_bucket_acl(Bucket="logs-fmt", ACL="log-delivery-write")
    fmt = {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}
    s3.put_bucket_logging(
        Bucket="src-fmt",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "logs-fmt", "TargetPrefix": "x/", "TargetObjectKeyFormat": fmt}
        },
    )
    assert s3.get_bucket_logging(Bucket="src-fmt")["LoggingEnabled"].get("TargetObjectKeyFormat") == fmt


def check_s3_notification_eventbridge(client: Client) -> None:
    s3 = _bucket(client, "events-on")
    s3.put_bucket_notification_configuration(
        Bucket="events-on", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    got = s3.get_bucket_notification_configuration(Bucket="events-on")
    assert "EventBridgeConfiguration" in got


def check_s3_replication_rule_fields(client: Client) -> None:
    s3 = _bucket(client, "repl-src")
    s3.create_bucket(Bucket="repl-dst")
    for b in ("repl-src", "repl-dst"):
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    rule = {
        "ID": "all",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {"Prefix": "data/"},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {"Bucket": "arn:aws:s3:::repl-dst"},
    }
    s3.put_bucket_replication(
        Bucket="repl-src",
        ReplicationConfiguration={"Role": "arn:aws:iam::123456789012:role/r", "Rules": [rule]},
    )
    got = s3.get_bucket_replication(Bucket="repl-src")["ReplicationConfiguration"]["Rules"][0]
    assert got["DeleteMarkerReplication"] == {"Status": "Enabled"}
    assert got["Filter"] == {"Prefix": "data/"}
    assert got["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}


def check_kms_rotation_period(client: Client) -> None:
    kms = client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=180)
    assert kms.get_key_rotation_status(KeyId=key).get("RotationPeriodInDays") == 180


CHECKS: dict[str, Callable[[Client], None]] = {
    name.removeprefix("check_"): fn for name, fn in dict(globals()).items() if name.startswith("check_")
}


def test_every_patch_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(moto_patches.names())


@pytest.mark.parametrize("name", moto_patches.names())
def test_patched_moto_behaves_like_aws(name: str, patched_moto: harness.MotoServer) -> None:
    CHECKS[name](_client_factory(patched_moto))


@pytest.mark.parametrize("name", moto_patches.names())
def test_stock_moto_lacks_the_fix(name: str, stock_moto: harness.MotoServer) -> None:
    """Without its patch the same call fails: the patch is needed (drop it once moto fixes it)."""
    from botocore.exceptions import ClientError

    with pytest.raises((AssertionError, ClientError, KeyError)):
        CHECKS[name](_client_factory(stock_moto))
