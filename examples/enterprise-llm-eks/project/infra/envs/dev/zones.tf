# Zones by id for dev: which availability zones this root's subnets use. Kept apart from main.tf
# because it carries a Checkov waiver (owned by the compliance owners in CODEOWNERS).
locals {
  # Zones by id (the same physical zones in every account; letters are shuffled per account): the
  # first 2 available zone ids that offer every instance type this root launches.
  zone_instance_types = ["m6i.large", "p4d.24xlarge"]
  zone_ids = sort(tolist(setintersection(
    toset(data.aws_availability_zones.this.zone_ids),
    [for t in local.zone_instance_types : toset(data.aws_ec2_instance_type_offerings.zones[t].locations)]...
  )))
  azs = slice(local.zone_ids, 0, min(2, length(local.zone_ids)))
}

data "aws_availability_zones" "this" {
  #checkov:skip=CKV_AWS_394:Zones are chosen from what the account offers for this root's instance types (zone ids are per account, so they cannot be pinned at generation time); the first ones by sorted zone id are used, and AWS gives a new zone a new id, which sorts after the zones already in use in every region with fewer than ten. `mlgen preflight` lists the zones. [owner=mlgen-modules expires=2027-12-01]
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_ec2_instance_type_offerings" "zones" {
  for_each = toset(local.zone_instance_types)

  location_type = "availability-zone-id"

  filter {
    name   = "instance-type"
    values = [each.value]
  }

  lifecycle {
    postcondition {
      condition     = length(self.locations) >= 2
      error_message = "${each.value} is offered in fewer than 2 zones of this region; choose another instance type or region (mlgen preflight lists the zones)."
    }
  }
}
