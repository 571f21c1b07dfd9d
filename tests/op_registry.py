"""Every op in the table that runs on tensors, with the whole package imported first.

gradtutor.ops loads all of its op modules, so the table is complete on import; every module is
imported anyway, so that an op registered anywhere else would be checked too without anyone
writing a test for it.
"""

import importlib
import pkgutil

import gradtutor
from gradtutor import ops

for _module in pkgutil.walk_packages(gradtutor.__path__, "gradtutor."):
    if not _module.name.endswith(".__main__"):
        importlib.import_module(_module.name)

TENSOR_OPS = [op for op in ops.OPS.values() if op.tensor_sample is not None]
