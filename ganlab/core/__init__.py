"""The Qt-free engine: targets, networks, objectives, the trainer, fields and metrics.

Imports nothing from Qt or from `ganlab.app` (an import-linter contract checks this).
"""
