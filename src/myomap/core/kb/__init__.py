"""The knowledge base: YAML data files parsed once into typed, frozen, validated models.

Usage::

    from myomap.core.kb import load_default
    kb = load_default()
    kb.regions["buttock-upper-left"].name   # 'Left upper buttock'

See docs/knowledge-base.md for the file format.
"""

from myomap.core.kb.errors import KnowledgeBaseError, Problem
from myomap.core.kb.loader import KnowledgeBase, load, load_default

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "Problem", "load", "load_default"]
