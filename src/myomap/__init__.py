"""Myomap: a workbench for neuromuscular therapy."""

__version__ = "0.1.0"
