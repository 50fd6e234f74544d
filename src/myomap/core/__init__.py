"""The pure-Python core: knowledge base, body map, reasoning, screening, scoring.

Nothing under this package may import Django (tests/core/test_layers.py enforces it).
"""
