"""Every op in the table that runs on tensors, with the whole package imported first.

Ops are registered where they are defined (the op table in gradtutor/ops.py, training's fused
ops in gradtutor/train/), so importing every module is what makes a test see all of them: an
op registered anywhere is checked without anyone writing a test for it.
"""

import importlib
import pkgutil

import gradtutor
from gradtutor import ops

for _module in pkgutil.walk_packages(gradtutor.__path__, "gradtutor."):
    if not _module.name.endswith(".__main__"):
        importlib.import_module(_module.name)

TENSOR_OPS = [op for op in ops.OPS.values() if op.tensor_sample is not None]
