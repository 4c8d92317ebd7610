"""The policy evaluator the flow test rests on: AWS's documented same-account evaluation rules."""

from __future__ import annotations

import pytest

from .iam import Request, allowed, conditions_hold

ACCT = "123456789012"
ROLE = f"arn:aws:iam::{ACCT}:role/r"
BUCKET = "arn:aws:s3:::b"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/k"
ROOT_DELEGATION = [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*", "Resource": "*"}
]


def allow(action: str | list[str], resource: str | list[str], **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_action_and_resource_wildcards() -> None:
    ident = [[allow("s3:Get*", f"{BUCKET}/training/*")]]
    assert allowed(Request(ROLE, "s3:GetObject", f"{BUCKET}/training/m.tar.gz"), identity=ident, account=ACCT)
    assert allowed(Request(ROLE, "S3:getobject", f"{BUCKET}/training/x"), identity=ident, account=ACCT)
    assert not allowed(Request(ROLE, "s3:PutObject", f"{BUCKET}/training/x"), identity=ident, account=ACCT)
    assert not allowed(Request(ROLE, "s3:GetObject", f"{BUCKET}/data/x"), identity=ident, account=ACCT)


def test_explicit_deny_wins_and_not_resource() -> None:
    ident = [
        [allow("s3:*", "*")],
        [{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": [f"{BUCKET}/state/*"]}],
    ]
    assert allowed(Request(ROLE, "s3:GetObject", f"{BUCKET}/state/x"), identity=ident, account=ACCT)
    assert not allowed(Request(ROLE, "s3:GetObject", f"{BUCKET}/data/x"), identity=ident, account=ACCT)


def test_not_action() -> None:
    ident = [[{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]]
    assert allowed(Request(ROLE, "ec2:CreateVpc", "*"), identity=ident, account=ACCT)
    assert not allowed(Request(ROLE, "iam:CreateRole", "*"), identity=ident, account=ACCT)


def test_key_policy_must_allow() -> None:
    ident = [[allow("kms:Decrypt", KEY)]]
    assert allowed(
        Request(ROLE, "kms:Decrypt", KEY), identity=ident, resource=ROOT_DELEGATION, key_policy=True, account=ACCT
    )
    # IAM alone never grants a key whose policy does not delegate to the account.
    assert not allowed(Request(ROLE, "kms:Decrypt", KEY), identity=ident, resource=[], key_policy=True, account=ACCT)
    # A key policy naming the role grants without an identity policy.
    named = [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}]
    assert allowed(Request(ROLE, "kms:Decrypt", KEY), identity=[], resource=named, key_policy=True, account=ACCT)
    # Root delegation without an identity Allow grants nothing.
    assert not allowed(
        Request(ROLE, "kms:Decrypt", KEY), identity=[], resource=ROOT_DELEGATION, key_policy=True, account=ACCT
    )


def test_bucket_policy_deny_applies_to_everyone() -> None:
    bucket_policy = [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    ident = [[allow("s3:GetObject", f"{BUCKET}/*")]]
    tls = Request(ROLE, "s3:GetObject", f"{BUCKET}/x", {"aws:SecureTransport": "true"})
    plain = Request(ROLE, "s3:GetObject", f"{BUCKET}/x", {"aws:SecureTransport": "false"})
    assert allowed(tls, identity=ident, resource=bucket_policy, account=ACCT)
    assert not allowed(plain, identity=ident, resource=bucket_policy, account=ACCT)


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, {"aws:RequestedRegion": "us-east-1"}, True),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, {"aws:RequestedRegion": "eu-west-1"}, False),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, {}, False),  # absent key: no match
        ({"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}, {}, True),
        ({"StringEquals": {"cloudwatch:namespace": ["/a", "/b"]}}, {"cloudwatch:namespace": "/b"}, True),  # values OR
        ({"StringLike": {"s3:prefix": ["mlflow", "mlflow/*"]}}, {"s3:prefix": "mlflow/run1"}, True),
        ({"StringLike": {"s3:prefix": ["mlflow", "mlflow/*"]}}, {"s3:prefix": "other/"}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::b*"}}, {"aws:SourceArn": "arn:aws:s3:::b-data"}, True),
        ({"ArnEquals": {"ec2:Subnet": ["arn:s/1", "arn:s/2"]}}, {"ec2:Subnet": "arn:s/3"}, False),
        ({"Bool": {"kms:GrantIsForAWSResource": "true"}}, {"kms:GrantIsForAWSResource": "true"}, True),
        ({"Bool": {"kms:GrantIsForAWSResource": "true"}}, {}, False),
        ({"NumericLessThan": {"s3:TlsVersion": "1.2"}}, {"s3:TlsVersion": "1.3"}, False),
        ({"StringNotEquals": {"aws:SourceAccount": ACCT}}, {"aws:SourceAccount": ACCT}, False),
        ({"Null": {"aws:SourceVpce": "true"}}, {}, True),
        # operators AND together
        ({"StringEquals": {"a": "1"}, "Bool": {"b": "true"}}, {"a": "1", "b": "false"}, False),
    ],
)
def test_conditions(condition: dict, context: dict, expected: bool) -> None:  # type: ignore[type-arg]
    assert conditions_hold(condition, context) is expected


def test_unknown_operator_is_not_silently_passed() -> None:
    with pytest.raises(NotImplementedError):
        conditions_hold({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.1.1"})
