"""The core must never import Django or the web side: it runs and is tested without them."""

import ast
import subprocess
import sys
from pathlib import Path

import myomap.core

CORE = Path(myomap.core.__file__).parent
THIRD_PARTY_WEB = ("django", "ninja", "whitenoise", "waitress")


def _forbidden(name: str) -> bool:
    """Web frameworks, and every part of myomap but the core itself."""
    if any(name == f or name.startswith(f + ".") for f in THIRD_PARTY_WEB):
        return True
    return name.startswith("myomap.") and not name.startswith("myomap.core")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_core_module_imports_django_or_the_web_side():
    offenders = [
        f"{path.relative_to(CORE.parent)} imports {name}"
        for path in sorted(CORE.rglob("*.py"))
        for name in _imports(path)
        if _forbidden(name)
    ]
    assert offenders == []


def test_loading_the_core_and_its_knowledge_base_leaves_django_unimported():
    code = (
        "import sys, pkgutil, importlib, myomap.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'myomap.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "from myomap.core.kb import load_default; load_default()\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
