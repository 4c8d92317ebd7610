"""Launchers that start this project's jobs on Amazon SageMaker from a workstation or CI.

They read the environment's Terraform outputs, so nothing account-specific is hard-coded.
The SageMaker SDK (``pip install '.[cloud]'``) is imported only when a job is launched.
"""
