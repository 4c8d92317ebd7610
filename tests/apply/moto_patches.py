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
            enabled: dict[str, object] = {
                "TargetBucket": logging["TargetBucket"],
                "TargetPrefix": logging["TargetPrefix"],
            }
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


# --------------------------------------------------------------------------- SageMaker


@patch
def sagemaker_endpoint_instance_types() -> None:
    """CreateEndpointConfig: accept every ``ml.<family>.<size>`` instance type.

    moto checks production variants against a list from 2020 and rejects current types such as
    ``ml.g5.xlarge`` or ``ml.g6.2xlarge``; AWS's own list changes monthly and availability is a quota
    question that the emulator cannot answer anyway.
    """
    import re

    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import FakeEndpointConfig

    pattern = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")

    def validate_instance_type(self: FakeEndpointConfig, instance_type: str) -> None:
        if not pattern.match(instance_type or ""):
            raise ValidationError(message=f"Value '{instance_type}' at 'instanceType' is not an ml.* instance type")

    FakeEndpointConfig.validate_instance_type = validate_instance_type  # type: ignore[method-assign]


# --------------------------------------------------------------------------- Budgets


@patch
def budgets_subscribers_and_tags() -> None:
    """Budgets: add ``DescribeSubscribersForNotification`` and tag listing.

    terraform reads a budget's notification subscribers with DescribeSubscribersForNotification
    and its tags with ListTagsForResource; moto implements neither, so creating
    ``aws_budgets_budget`` fails right after CreateBudget. Tags given to CreateBudget
    (``ResourceTags``) and TagResource are kept per budget ARN.
    """
    import json

    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse

    tags: dict[str, dict[str, str]] = {}

    def _arn(account_id: str, name: str) -> str:
        return f"arn:aws:budgets::{account_id}:budget/{name}"

    original_create = BudgetsResponse.create_budget
    original_delete = BudgetsResponse.delete_budget

    def create_budget(self: BudgetsResponse) -> str:
        out = original_create(self)
        budget = self._get_param("Budget")
        tags[_arn(self._get_param("AccountId"), budget["BudgetName"])] = {
            t["Key"]: t["Value"] for t in self._get_param("ResourceTags", [])
        }
        return out

    def delete_budget(self: BudgetsResponse) -> str:
        out = original_delete(self)
        tags.pop(_arn(self._get_param("AccountId"), self._get_param("BudgetName")), None)
        return out

    def describe_subscribers_for_notification(self: BudgetsResponse) -> str:
        account_id = self._get_param("AccountId")
        name = self._get_param("BudgetName")
        wanted = self._get_param("Notification") or {}
        budget = self.backend.budgets[account_id].get(name)
        if budget is None:
            raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
        keys = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")
        for n in budget.notifications:
            if all(str(n.details.get(k, "")) == str(wanted.get(k, "")) for k in keys if k in wanted):
                return json.dumps({"Subscribers": n.subscribers})
        raise NotFoundException("Unable to get subscribers - the notification doesn't exist.")

    def list_tags_for_resource(self: BudgetsResponse) -> str:
        arn = self._get_param("ResourceARN")
        return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.get(arn, {}).items())]})

    def tag_resource(self: BudgetsResponse) -> str:
        arn = self._get_param("ResourceARN")
        tags.setdefault(arn, {}).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags", [])})
        return json.dumps({})

    def untag_resource(self: BudgetsResponse) -> str:
        arn = self._get_param("ResourceARN")
        for key in self._get_param("ResourceTagKeys", []):
            tags.get(arn, {}).pop(key, None)
        return json.dumps({})

    BudgetsResponse.create_budget = create_budget  # type: ignore[method-assign]
    BudgetsResponse.delete_budget = delete_budget  # type: ignore[method-assign]
    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification  # type: ignore[attr-defined]
    BudgetsResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    BudgetsResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    BudgetsResponse.untag_resource = untag_resource  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Application Auto Scaling


@patch
def appautoscaling_tags() -> None:
    """Application Auto Scaling: add ``ListTagsForResource`` / ``TagResource`` / ``UntagResource``.

    terraform reads the tags of ``aws_appautoscaling_target`` right after RegisterScalableTarget;
    moto has no tagging API there, so the create fails. Tags given to RegisterScalableTarget are kept
    per ScalableTargetARN.
    """
    import json

    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    tags: dict[str, dict[str, str]] = {}
    original_register = ApplicationAutoScalingResponse.register_scalable_target

    def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        out = original_register(self)
        arn = json.loads(out)["ScalableTargetARN"]
        tags.setdefault(arn, {}).update(self._get_param("Tags") or {})
        return out

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        return json.dumps({"Tags": tags.get(self._get_param("ResourceARN"), {})})

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        for key in self._get_param("TagKeys") or []:
            tags.get(self._get_param("ResourceARN"), {}).pop(key, None)
        return json.dumps({})

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.untag_resource = untag_resource  # type: ignore[attr-defined]


@patch
def sagemaker_create_domain_id() -> None:
    """CreateDomain: answer ``DomainId`` next to ``DomainArn`` and ``Url``.

    The aws provider (5.100) takes the new domain's id from ``DomainId`` in the response (the current
    API returns it); moto's response is built from an older botocore model without it, so the
    provider waits for domain ``''`` and fails. The JSON is written directly, bypassing that model.
    """
    import json

    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerResponse.create_domain

    def create_domain(self: SageMakerResponse) -> object:
        original(self)
        name = self._get_param("DomainName")
        domain = next(d for d in self.sagemaker_backend.domains.values() if d.domain_name == name)
        body = json.dumps({"DomainArn": domain.arn, "DomainId": domain.id, "Url": domain.url})
        return 200, {"Content-Type": "application/x-amz-json-1.1"}, body

    SageMakerResponse.create_domain = create_domain  # type: ignore[method-assign]


@patch
def sagemaker_model_network_isolation() -> None:
    """CreateModel / DescribeModel: keep ``EnableNetworkIsolation``.

    moto hard-codes ``False``, so a model created with ``enable_network_isolation = true`` (required
    by the compliance checks) reads back as false and is replaced on every plan.
    """
    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerResponse.create_model

    def create_model(self: SageMakerResponse) -> object:
        out = original(self)
        model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation", False))
        return out

    SageMakerResponse.create_model = create_model  # type: ignore[method-assign]


@patch
def sagemaker_endpoint_config_no_empty_data_capture() -> None:
    """DescribeEndpointConfig: leave ``DataCaptureConfig`` out when none was given.

    moto answers an empty ``DataCaptureConfig`` object, which terraform reads as a
    ``data_capture_config`` block with zero values and plans to remove on every plan.
    """
    from moto.sagemaker.models import FakeEndpointConfig

    def response_object(self: FakeEndpointConfig) -> dict[str, object]:
        out = {k: v for k, v in self.gen_response_object().items() if v is not None and v != [None]}
        if not out.get("DataCaptureConfig"):
            out.pop("DataCaptureConfig", None)
        return out

    FakeEndpointConfig.response_object = property(response_object)  # type: ignore[assignment,method-assign]


@patch
def sagemaker_domain_not_found() -> None:
    """DescribeDomain of a deleted domain: ``ResourceNotFound`` like AWS, not ``ValidationException``.

    terraform's delete waiter polls DescribeDomain until ResourceNotFound; moto's ValidationException
    makes ``terraform destroy`` fail after the domain is already gone.
    """
    from moto.sagemaker.exceptions import ResourceNotFound
    from moto.sagemaker.models import SageMakerModelBackend

    original = SageMakerModelBackend.describe_domain

    def describe_domain(self: SageMakerModelBackend, domain_id: str) -> dict[str, object]:
        if domain_id not in self.domains:
            raise ResourceNotFound(message=f"Cannot find Domain {domain_id}.")
        return original(self, domain_id)

    SageMakerModelBackend.describe_domain = describe_domain  # type: ignore[method-assign]


@patch
def sagemaker_delete_model_package_group() -> None:
    """Add ``DeleteModelPackageGroup`` (moto lacks it, so destroying ``aws_sagemaker_model_package_group``
    fails with NotImplemented); a missing group answers ValidationException like AWS."""
    import json

    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    def delete_model_package_group(self: SageMakerResponse) -> str:
        name = self._get_param("ModelPackageGroupName")
        if self.sagemaker_backend.model_package_groups.pop(name, None) is None:
            raise ValidationError(message=f"ModelPackageGroup {name} does not exist.")
        return json.dumps({})

    SageMakerResponse.delete_model_package_group = delete_model_package_group  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- EKS


@patch
def eks_cluster_access_config_and_upgrade_policy() -> None:
    """CreateCluster / DescribeCluster: keep ``accessConfig`` and ``upgradePolicy``.

    moto drops both, so ``access_config`` (authentication mode) and ``upgrade_policy`` (support type)
    read back empty and force a replacement or update on every plan. As on AWS, the write-only
    ``bootstrapClusterCreatorAdminPermissions`` is not returned.
    """
    from moto.eks.responses import EKSResponse

    original = EKSResponse.create_cluster

    def create_cluster(self: EKSResponse) -> object:
        out = original(self)
        cluster = self.eks_backend.describe_cluster(self._get_param("name"))
        access = dict(self._get_param("accessConfig") or {})
        access.pop("bootstrapClusterCreatorAdminPermissions", None)
        cluster.access_config = {"authenticationMode": "CONFIG_MAP", **access}
        cluster.upgrade_policy = self._get_param("upgradePolicy") or {"supportType": "EXTENDED"}
        return out

    EKSResponse.create_cluster = create_cluster  # type: ignore[method-assign]


@patch
def eks_nodegroup_launch_template_fields() -> None:
    """CreateNodegroup / DescribeNodegroup: keep ``updateConfig``; no default ``diskSize`` or
    ``remoteAccess`` when a launch template is used.

    moto ignores ``updateConfig`` on create and invents ``diskSize = 20`` and an SSH key for every node
    group; AWS returns neither with a launch template (disk and SSH live in the template), so terraform
    planned to replace every node group.
    """
    from moto.eks.responses import EKSResponse

    original = EKSResponse.create_nodegroup

    def create_nodegroup(self: EKSResponse) -> object:
        out = original(self)
        group = self.eks_backend.describe_nodegroup(self._get_param("name"), self._get_param("nodegroupName"))
        if self._get_param("updateConfig"):
            group.update_config = self._get_param("updateConfig")
        if self._get_param("launchTemplate"):
            if self._get_param("diskSize") is None:
                group.disk_size = None
            if self._get_param("remoteAccess") is None:
                group.remote_access = None
        return out

    EKSResponse.create_nodegroup = create_nodegroup  # type: ignore[method-assign]


# --------------------------------------------------------------------------- EC2


@patch
def ec2_security_group_rule_descriptions() -> None:
    """DescribeSecurityGroupRules: return the ``Description`` of rules that reference a security group
    or a prefix list, not only of CIDR rules.

    ``aws_vpc_security_group_ingress_rule`` / ``_egress_rule`` with ``referenced_security_group_id``
    or ``prefix_list_id`` and a description otherwise read back without it: a diff on every plan.
    """
    import inspect

    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__
    params = list(inspect.signature(original_init).parameters)

    def __init__(self: SecurityGroupRule, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)
        bound = dict(zip(params[1:], args, strict=False)) | kwargs
        prefix_list = bound.get("prefix_list_id")
        self._prefix_list_description = prefix_list.get("Description") if isinstance(prefix_list, dict) else None

    def description(self: SecurityGroupRule) -> str | None:
        return (
            self.ip_range.get("Description")
            or (self.source_group or {}).get("Description")
            or getattr(self, "_prefix_list_description", None)
        )

    SecurityGroupRule.__init__ = __init__  # type: ignore[method-assign]
    SecurityGroupRule.description = property(description)  # type: ignore[assignment,method-assign]


@patch
def ec2_launch_template_tag_specifications() -> None:
    """CreateLaunchTemplate: keep the launch template's own tags out of its template data.

    moto appends the request's top-level ``TagSpecifications`` (ResourceType ``launch-template``) to
    ``LaunchTemplateData.TagSpecifications``, so the template reads back an extra
    ``tag_specifications`` block and terraform plans a new version on every plan.
    """
    from moto.ec2.responses.launch_templates import LaunchTemplates

    original = LaunchTemplates.create_launch_template

    def create_launch_template(self: LaunchTemplates) -> object:
        requested = list((self._get_param("LaunchTemplateData", {}) or {}).get("TagSpecifications") or [])
        out = original(self)
        template = self.ec2_backend.get_launch_template_by_name(self._get_param("LaunchTemplateName"))
        for version in template.versions:
            if requested:
                version.data["TagSpecifications"] = requested
            else:
                version.data.pop("TagSpecifications", None)
        return out

    LaunchTemplates.create_launch_template = create_launch_template  # type: ignore[method-assign]


@patch
def sagemaker_domain_tag_propagation() -> None:
    """CreateDomain / DescribeDomain: keep ``TagPropagation`` (moto drops it, so ``tag_propagation =
    "ENABLED"`` reads back empty and the domain is updated on every plan)."""
    from moto.sagemaker.models import Domain
    from moto.sagemaker.responses import SageMakerResponse

    original_create = SageMakerResponse.create_domain
    original_describe = Domain.describe

    def create_domain(self: SageMakerResponse) -> object:
        out = original_create(self)
        name = self._get_param("DomainName")
        domain = next(d for d in self.sagemaker_backend.domains.values() if d.domain_name == name)
        domain.tag_propagation = self._get_param("TagPropagation") or "DISABLED"
        return out

    def describe(self: Domain) -> dict[str, object]:
        return {**original_describe(self), "TagPropagation": getattr(self, "tag_propagation", "DISABLED")}

    SageMakerResponse.create_domain = create_domain  # type: ignore[method-assign]
    Domain.describe = describe  # type: ignore[method-assign]


# --------------------------------------------------------------------------- FSx


@patch
def fsx_file_system_lifecycle() -> None:
    """DescribeFileSystems: report ``Lifecycle = AVAILABLE``.

    moto leaves the lifecycle out, so terraform's create waiter for ``aws_fsx_lustre_file_system``
    sees state ``''`` and fails, and the destroy of the tainted file system then hangs.
    """
    from moto.fsx.models import FileSystem

    original = FileSystem.to_dict

    def to_dict(self: FileSystem) -> dict[str, object]:
        return {"Lifecycle": "AVAILABLE", **original(self)}

    FileSystem.to_dict = to_dict  # type: ignore[method-assign]


@patch
def fsx_file_system_type_version() -> None:
    """CreateFileSystem / DescribeFileSystems: keep ``FileSystemTypeVersion`` (e.g. Lustre ``2.15``).

    moto accepts it and throws it away; the attribute forces replacement in terraform, so every plan
    wanted to replace the Lustre file system (and its KMS grant and data repository association).
    """
    from moto.fsx.models import FileSystem, FSxBackend

    original_create = FSxBackend.create_file_system
    original_to_dict = FileSystem.to_dict

    def create_file_system(self: FSxBackend, *args: object, **kwargs: object) -> FileSystem:
        fs = original_create(self, *args, **kwargs)
        fs.file_system_type_version = kwargs.get("file_system_type_version")
        return fs

    def to_dict(self: FileSystem) -> dict[str, object]:
        out = original_to_dict(self)
        if getattr(self, "file_system_type_version", None):
            out["FileSystemTypeVersion"] = self.file_system_type_version
        return out

    FSxBackend.create_file_system = create_file_system  # type: ignore[method-assign]
    FileSystem.to_dict = to_dict  # type: ignore[method-assign]
