output "apply_permissions_note" {
  description = "Reminder of what the apply role may do beyond the Terraform state."
  value = var.deploy_name_prefix != null ? join(" ", [
    "The apply role ${aws_iam_role.apply.name} has PowerUserAccess, IAM on roles and policies named",
    "${var.deploy_name_prefix}-*, ${length(var.apply_policy_arns)} more policies chosen by you, and Terraform state access.",
    ]) : length(var.apply_policy_arns) == 0 ? join(" ", [
    "The apply role ${aws_iam_role.apply.name} can only read/write the Terraform state:",
    "no apply_policy_arns were given, so terraform apply will fail on the first AWS resource.",
    "Attach the policies your infrastructure needs through apply_policy_arns (your choice, e.g. a scoped",
    "customer-managed policy, or PowerUserAccess plus a narrow IAM policy for the roles this project creates).",
  ]) : "The apply role ${aws_iam_role.apply.name} has ${length(var.apply_policy_arns)} attached policies chosen by you plus Terraform state access."
}

output "apply_role_arn" {
  description = "ARN of the role for terraform apply (GitHub environment apply_environment or pushes to main_branch)."
  value       = aws_iam_role.apply.arn
}

output "apply_role_name" {
  description = "Name of the apply role."
  value       = aws_iam_role.apply.name
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider (created here or passed in)."
  value       = local.oidc_provider_arn
}

output "plan_role_arn" {
  description = "ARN of the read-only role for terraform plan (any branch or pull request of the repository)."
  value       = aws_iam_role.plan.arn
}

output "plan_role_name" {
  description = "Name of the plan role."
  value       = aws_iam_role.plan.name
}
