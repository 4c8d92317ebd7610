"""Entry point that the SageMaker training toolkit runs under torchrun on every GPU.

The PyTorch estimator (see ``launch/train_sagemaker.py``) uploads this directory as the
source code; the toolkit in the training image starts ``torchrun ... sagemaker_train.py``
with the hyperparameters as flags, and torchrun sets ``RANK`` and ``WORLD_SIZE``. The
training code itself is installed in the image.
"""

from radiology_triage.train import (
    main,
)

if __name__ == "__main__":
    raise SystemExit(main())
