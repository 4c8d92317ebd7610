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


def check_sagemaker_endpoint_instance_types(client: Client) -> None:
    sm = client("sagemaker")
    sm.create_model(
        ModelName="m-g5",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="ec-g5",
        ProductionVariants=[
            {"VariantName": "main", "ModelName": "m-g5", "InitialInstanceCount": 1, "InstanceType": "ml.g5.xlarge"}
        ],
    )
    got = sm.describe_endpoint_config(EndpointConfigName="ec-g5")
    assert got["ProductionVariants"][0]["InstanceType"] == "ml.g5.xlarge"


def check_budgets_subscribers_and_tags(client: Client) -> None:
    budgets = client("budgets")
    notification = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0}
    subscriber = {"SubscriptionType": "EMAIL", "Address": "team@example.com"}
    budgets.create_budget(
        AccountId="123456789012",
        Budget={
            "BudgetName": "b1",
            "BudgetLimit": {"Amount": "100", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[{"Notification": notification, "Subscribers": [subscriber]}],
        ResourceTags=[{"Key": "project", "Value": "p"}],
    )
    got = budgets.describe_subscribers_for_notification(
        AccountId="123456789012", BudgetName="b1", Notification=notification
    )
    assert got["Subscribers"] == [subscriber]
    tags = budgets.list_tags_for_resource(ResourceARN="arn:aws:budgets::123456789012:budget/b1")
    assert tags["ResourceTags"] == [{"Key": "project", "Value": "p"}]


def check_appautoscaling_tags(client: Client) -> None:
    aas = client("application-autoscaling")
    arn = aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/e1/variant/main",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=2,
        Tags={"project": "p"},
    )["ScalableTargetARN"]
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"project": "p"}


def _raw_json(client: Client, service: str, target: str, body: dict[str, object]) -> dict[str, object]:
    """POST an AWS JSON-protocol call; boto3's older model would drop newer response members."""
    import urllib.request

    endpoint = client(service).meta.endpoint_url
    req = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        return json.loads(resp.read())


def check_sagemaker_create_domain_id(client: Client) -> None:
    out = _raw_json(
        client,
        "sagemaker",
        "SageMaker.CreateDomain",
        {
            "DomainName": "studio",
            "AuthMode": "IAM",
            "DefaultUserSettings": {},
            "SubnetIds": ["subnet-1"],
            "VpcId": "vpc-1",
        },
    )
    assert out.get("DomainId") and str(out["DomainArn"]).endswith(f"domain/{out['DomainId']}")


def check_sagemaker_model_network_isolation(client: Client) -> None:
    sm = client("sagemaker")
    sm.create_model(
        ModelName="isolated",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"},
        EnableNetworkIsolation=True,
    )
    assert sm.describe_model(ModelName="isolated")["EnableNetworkIsolation"] is True


def check_sagemaker_endpoint_config_no_empty_data_capture(client: Client) -> None:
    sm = client("sagemaker")
    sm.create_model(
        ModelName="m-serverless",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sm",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="no-capture",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": "m-serverless",
                "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 2},
            }
        ],
    )
    assert "DataCaptureConfig" not in sm.describe_endpoint_config(EndpointConfigName="no-capture")


def check_sagemaker_domain_not_found(client: Client) -> None:
    from botocore.exceptions import ClientError

    try:
        client("sagemaker").describe_domain(DomainId="d-gone")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFound"
    else:
        raise AssertionError("describing a missing domain must fail")


def check_sagemaker_delete_model_package_group(client: Client) -> None:
    from botocore.exceptions import ClientError

    sm = client("sagemaker")
    sm.create_model_package_group(ModelPackageGroupName="models")
    sm.delete_model_package_group(ModelPackageGroupName="models")
    try:
        sm.describe_model_package_group(ModelPackageGroupName="models")
    except ClientError:
        return
    raise AssertionError("the group must be gone after DeleteModelPackageGroup")


def _eks_cluster(client: Client, name: str) -> object:
    eks = client("eks")
    eks.create_cluster(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]},
        accessConfig={"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": True},
        upgradePolicy={"supportType": "STANDARD"},
    )
    return eks


def check_eks_cluster_access_config_and_upgrade_policy(client: Client) -> None:
    cluster = _eks_cluster(client, "c-access").describe_cluster(name="c-access")["cluster"]
    assert cluster.get("accessConfig") == {"authenticationMode": "API_AND_CONFIG_MAP"}
    assert cluster.get("upgradePolicy") == {"supportType": "STANDARD"}


def check_eks_nodegroup_launch_template_fields(client: Client) -> None:
    eks = _eks_cluster(client, "c-ng")
    eks.create_nodegroup(
        clusterName="c-ng",
        nodegroupName="gpu",
        nodeRole="arn:aws:iam::123456789012:role/node",
        subnets=["subnet-1"],
        launchTemplate={"id": "lt-0123456789abcdef0", "version": "1"},
        updateConfig={"maxUnavailable": 1},
    )
    group = eks.describe_nodegroup(clusterName="c-ng", nodegroupName="gpu")["nodegroup"]
    assert group.get("updateConfig") == {"maxUnavailable": 1}
    assert "diskSize" not in group and "remoteAccess" not in group


def check_ec2_security_group_rule_descriptions(client: Client) -> None:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    b = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    pl = ec2.describe_prefix_lists()["PrefixLists"][0]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=a,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [{"GroupId": b, "Description": "from b"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": pl, "Description": "to s3"}],
            },
        ],
    )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [a]}])["SecurityGroupRules"]
    got = sorted(r.get("Description") or "" for r in rules if not r["IsEgress"])
    assert got == ["from b", "to s3"]


def check_ec2_launch_template_tag_specifications(client: Client) -> None:
    ec2 = client("ec2")
    ec2.create_launch_template(
        LaunchTemplateName="nodes",
        LaunchTemplateData={
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "node"}]}]
        },
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "project", "Value": "p"}]}],
    )
    data = ec2.describe_launch_template_versions(LaunchTemplateName="nodes")["LaunchTemplateVersions"][0]
    assert [t["ResourceType"] for t in data["LaunchTemplateData"]["TagSpecifications"]] == ["instance"]


def check_sagemaker_domain_tag_propagation(client: Client) -> None:
    sm = client("sagemaker")
    sm.create_domain(
        DomainName="tagged",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/sm"},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
        TagPropagation="ENABLED",
    )
    domain_id = next(d["DomainId"] for d in sm.list_domains()["Domains"] if d["DomainName"] == "tagged")
    assert sm.describe_domain(DomainId=domain_id).get("TagPropagation") == "ENABLED"


def check_fsx_file_system_lifecycle(client: Client) -> None:
    fsx = client("fsx")
    fs = fsx.create_file_system(
        FileSystemType="LUSTRE",
        StorageCapacity=1200,
        SubnetIds=["subnet-0123456789abcdef0"],
        LustreConfiguration={"DeploymentType": "SCRATCH_2"},
    )["FileSystem"]["FileSystemId"]
    assert fsx.describe_file_systems(FileSystemIds=[fs])["FileSystems"][0].get("Lifecycle") == "AVAILABLE"


def check_fsx_file_system_type_version(client: Client) -> None:
    fsx = client("fsx")
    fs = fsx.create_file_system(
        FileSystemType="LUSTRE",
        FileSystemTypeVersion="2.15",
        StorageCapacity=1200,
        SubnetIds=["subnet-0123456789abcdef0"],
        LustreConfiguration={"DeploymentType": "SCRATCH_2"},
    )["FileSystem"]["FileSystemId"]
    assert fsx.describe_file_systems(FileSystemIds=[fs])["FileSystems"][0].get("FileSystemTypeVersion") == "2.15"


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
