output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded cluster CA certificate (for kubeconfig / kubernetes providers)."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_endpoint" {
  description = "Private HTTPS endpoint of the Kubernetes API (reachable only from inside the VPC or connected networks)."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_security_group_id" {
  description = "ID of the security group EKS created for the cluster (attached to control-plane ENIs and nodes)."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "additional_security_group_id" {
  description = "ID of the module's extra control-plane security group holding the api_ingress_cidr_blocks rules."
  value       = aws_security_group.cluster.id
}

output "log_group_name" {
  description = "CloudWatch log group receiving the control-plane logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "gpu_node_group_names" {
  description = "Map of GPU node group key to EKS node group name."
  value       = { for k, ng in aws_eks_node_group.gpu : k => ng.node_group_name }
}

output "node_role_arn" {
  description = "ARN of the IAM role used by all managed node groups."
  value       = aws_iam_role.node.arn
}

output "training_role_arn" {
  description = "ARN of the IAM role training pods receive through EKS Pod Identity (data read, artifacts read/write)."
  value       = aws_iam_role.training.arn
}

output "training_service_account" {
  description = "Namespace and name of the Kubernetes service account bound to training_role_arn; create it in the cluster before running jobs."
  value = {
    namespace = aws_eks_pod_identity_association.training.namespace
    name      = aws_eks_pod_identity_association.training.service_account
  }
}

output "vpc_cni_role_arn" {
  description = "ARN of the IAM role the VPC CNI (kube-system/aws-node) uses through EKS Pod Identity."
  value       = aws_iam_role.vpc_cni.arn
}

output "cluster_autoscaler_role_arn" {
  description = "ARN of the IAM role the Cluster Autoscaler (kube-system/cluster-autoscaler) uses through EKS Pod Identity."
  value       = aws_iam_role.cluster_autoscaler.arn
}

output "deployer_role_arn" {
  description = "ARN of the cluster-admin deployer role: assume it, then `make kube-tunnel` and kubectl (see k8s/README.md)."
  value       = aws_iam_role.deployer.arn
}

output "image_registries" {
  description = "Registry prefix to pull each public upstream's images from: the ECR pull-through cache when image_cache.enabled, else the upstream itself."
  value       = local.image_registries
}

output "kubernetes_version" {
  description = "Kubernetes minor version of the cluster (the Cluster Autoscaler image tag follows it)."
  value       = aws_eks_cluster.this.version
}

output "training_deployers_group" {
  description = "Kubernetes group of the training_deployer_role_names access entries; k8s/rbac.yaml binds it in the training namespace."
  value       = local.training_deployers_group
}
