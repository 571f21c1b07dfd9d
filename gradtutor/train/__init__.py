"""Training on gradtutor's own tensor engine: layers, models, optimizers, data, the loop.

Submodules are imported where they are used (`from gradtutor.train import optim`), so importing
this package does not load numpy.
"""
