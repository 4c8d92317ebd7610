# Optional FSx for Lustre scratch/persistent file system linked to the data bucket through a data
# repository association (the current way for SCRATCH_2 and PERSISTENT_2; import_path/export_path
# belong to the older deployment types and are not supported on PERSISTENT_2).

locals {
  fsx_persistent = var.fsx_deployment_type == "PERSISTENT_2"
  create_fsx_sg  = var.enable_fsx && length(var.fsx_security_group_ids) == 0

  fsx_security_group_ids = local.create_fsx_sg ? [aws_security_group.fsx[0].id] : var.fsx_security_group_ids

  # Lustre traffic: LNET on 988 and the 1018-1023 range, between members of the group.
  fsx_lustre_ports = {
    lnet  = { from = 988, to = 988 }
    range = { from = 1018, to = 1023 }
  }
}

data "aws_subnet" "fsx" {
  count = local.create_fsx_sg ? 1 : 0

  id = var.fsx_subnet_id
}

resource "aws_security_group" "fsx" {
  count = local.create_fsx_sg ? 1 : 0

  name_prefix = "${var.name}-fsx-lustre-"
  description = "FSx for Lustre ${var.name}: Lustre traffic between the file system and clients in this group"
  vpc_id      = data.aws_subnet.fsx[0].vpc_id

  tags = merge(var.tags, { Name = "${var.name}-fsx-lustre" })
}

resource "aws_vpc_security_group_ingress_rule" "fsx" {
  for_each = local.create_fsx_sg ? local.fsx_lustre_ports : {}

  security_group_id            = aws_security_group.fsx[0].id
  description                  = "Lustre ${each.key} from members of this group"
  ip_protocol                  = "tcp"
  from_port                    = each.value.from
  to_port                      = each.value.to
  referenced_security_group_id = aws_security_group.fsx[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "fsx" {
  for_each = local.create_fsx_sg ? local.fsx_lustre_ports : {}

  security_group_id            = aws_security_group.fsx[0].id
  description                  = "Lustre ${each.key} to members of this group"
  ip_protocol                  = "tcp"
  from_port                    = each.value.from
  to_port                      = each.value.to
  referenced_security_group_id = aws_security_group.fsx[0].id

  tags = var.tags
}

resource "aws_fsx_lustre_file_system" "this" {
  count = var.enable_fsx ? 1 : 0

  deployment_type             = var.fsx_deployment_type
  file_system_type_version    = "2.15"
  storage_type                = "SSD"
  storage_capacity            = var.fsx_storage_capacity_gb
  per_unit_storage_throughput = local.fsx_persistent ? var.fsx_per_unit_storage_throughput : null
  kms_key_id                  = local.fsx_persistent ? local.kms_key_arn : null
  data_compression_type       = "LZ4"
  subnet_ids                  = [var.fsx_subnet_id]
  security_group_ids          = local.fsx_security_group_ids

  log_configuration {
    level = "WARN_ERROR"
  }

  tags = merge(var.tags, { Name = "${var.name}-lustre" })

  # Ingress/egress rules must exist before creation: FSx validates that the group allows Lustre traffic.
  depends_on = [aws_vpc_security_group_ingress_rule.fsx, aws_vpc_security_group_egress_rule.fsx]
}

resource "aws_fsx_data_repository_association" "data" {
  count = var.enable_fsx ? 1 : 0

  file_system_id                   = aws_fsx_lustre_file_system.this[0].id
  data_repository_path             = "s3://${local.data_bucket.bucket}"
  file_system_path                 = "/data"
  batch_import_meta_data_on_create = true

  s3 {
    auto_import_policy {
      events = ["NEW", "CHANGED", "DELETED"]
    }
  }

  tags = var.tags
}

# The data bucket is SSE-KMS: FSx reads/writes it through its S3-access service-linked role, which
# needs the key. A grant (instead of a key policy statement) avoids a key <-> file system cycle and
# also works when the key is passed in through kms_key_arn.
resource "aws_kms_grant" "fsx_s3_access" {
  count = var.enable_fsx ? 1 : 0

  name              = "${var.name}-fsx-s3-access"
  key_id            = local.kms_key_arn
  grantee_principal = "arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${aws_fsx_lustre_file_system.this[0].id}"
  operations        = ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"]

  # The service-linked role exists once the file system is linked to S3.
  depends_on = [aws_fsx_data_repository_association.data]
}
