"""The import graph of skspeech: no circle, and the command line on the public API only.

The graph is read from the source with :mod:`ast` (nothing is imported): every
``import`` and ``from ... import`` statement of a module, at module level or
inside a function, relative or absolute, is an edge to the module of skspeech
it names. A name that a subpackage's ``__init__`` re-exports (``from ._x import
name`` or a lazy ``{"name": "._x"}`` table) leads to the module that defines it.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skspeech"


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _base(module, level, name):
    """The module a ``from`` statement of ``module`` names (``level`` dots, then ``name``)."""
    if not level:
        return name
    parts = module.split(".")
    if module not in PACKAGES:
        parts = parts[:-1]
    parts = parts[:len(parts) - (level - 1)]
    return ".".join(parts + ([name] if name else []))


def _lazy_table(package):
    """Name -> module, of ``package``'s lazy ``{"name": "._x"}`` table (imported on first use)."""
    names = {}
    for node in ast.parse(MODULES[package].read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for key, value in zip(node.value.keys, node.value.values):
                if (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
                        and isinstance(value.value, str) and value.value.startswith(".")):
                    names[key.value] = _base(package, 1, value.value[1:])
    return names


def _reexports(package):
    """Name -> defining module, for the names ``package``'s ``__init__`` takes from its modules."""
    names = _lazy_table(package)
    for node in ast.parse(MODULES[package].read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = _base(package, node.level, node.module)
    return names


def imports(module):
    """``(line, written module, name or None, module it leads to)`` per import of ``module``."""
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None, alias.name) for alias in node.names
                      if alias.name.split(".")[0] == "skspeech"]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node.level, node.module)
            if not base or base.split(".")[0] != "skspeech":
                continue
            for alias in node.names:
                target = base
                if f"{base}.{alias.name}" in MODULES:
                    target = f"{base}.{alias.name}"
                elif base in PACKAGES:
                    target = _reexports(base).get(alias.name, base)
                found.append((node.lineno, base, alias.name, target))
    if module in PACKAGES:  # a lazy table imports its modules on first use (line 0: no statement)
        found += [(0, module, name, target) for name, target in sorted(_lazy_table(module).items())]
    return found


def import_graph():
    """Module -> the set of skspeech's modules it imports."""
    return {module: {target for _, _, _, target in imports(module)
                     if target in MODULES and target != module} for module in MODULES}


def _circles(graph):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_the_graph_reads_imports_of_every_kind():
    graph = import_graph()
    assert "skspeech.cli._train" in graph["skspeech.cli"]  # from . import _train
    assert "skspeech.pipelines._svm" in graph["skspeech.cli._demo"]  # lazy table, in a function
    assert "skspeech._persistence" in graph["skspeech"]  # the package's lazy table


def _loop(graph, component):
    """One circle through the first module of ``component`` (breadth first: a shortest one)."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(graph[node] & members):
            if other == start:
                return paths[node] + [start]
            if other not in paths:
                paths[other] = paths[node] + [other]
                queue.append(other)
    return component


def test_no_import_circle():
    graph = import_graph()
    found = [" -> ".join(_loop(graph, c)) + f" (circle of {len(c)} modules: {', '.join(c)})"
             for c in _circles(graph)]
    assert not found, "import circles (every arrow should point down a layer):\n" + "\n".join(found)



def test_no_circle_between_subpackages():
    """The layers of docs/architecture.rst: between subpackages too, every arrow points down."""
    graph = import_graph()
    packages = {}
    for module, targets in graph.items():
        packages.setdefault(_subpackage(module), set()).update(
            _subpackage(t) for t in targets if _subpackage(t) != _subpackage(module))
    found = [" -> ".join(_loop(packages, c)) for c in _circles(packages)]
    assert not found, "circles between subpackages:\n" + "\n".join(found)

def _subpackage(module):
    """``skspeech.cli._train`` -> ``skspeech.cli``; a top-level module is its own."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or module in PACKAGES else module


def _private_imports(module):
    """The imports by which ``module`` reaches into another subpackage's private names.

    A name that starts with ``_`` (dunder names such as ``__version__`` aside) and any name
    taken from a private module (``from ..models._batches import X``) count.
    """
    found = []
    for line, written, name, target in imports(module):
        if _subpackage(target) == _subpackage(module) or not line:
            continue
        private_module = any(part.startswith("_") for part in written.split(".")[1:])
        private_name = (name or "").startswith("_") and not (name or "").endswith("__")
        if private_module or private_name:
            found.append(f"{MODULES[module].relative_to(ROOT)}:{line} imports "
                         f"{name or written} from {written}")
    return found


def test_the_command_line_and_server_use_public_names_only():
    found = [line for module in MODULES if _subpackage(module) in ("skspeech.cli",
                                                                   "skspeech.serve")
             for line in _private_imports(module)]
    assert not found, ("the command line and the server import private names (give them a "
                       "public home, or move them into the command line):\n" + "\n".join(found))


def test_the_labels_that_are_not_commands_are_defined_once():
    """``_unknown_``, ``_silence_``, ... are named in skspeech.labels only (is_command's rule)."""
    special = {"_unknown_", "_silence_", "_noise_", "_background_noise_"}
    found = []
    for module, path in MODULES.items():
        if module == "skspeech.labels":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            values = node.value.elts if isinstance(node, ast.Assign) and isinstance(
                node.value, ast.Tuple) else [getattr(node, "value", None)]
            if isinstance(node, ast.Assign) and any(
                    isinstance(v, ast.Constant) and v.value in special for v in values):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "labels that are not commands defined outside skspeech.labels: " + \
        ", ".join(found)
    from skspeech.labels import NOISE_LABELS, NON_COMMANDS, is_command

    assert not any(is_command(label) for label in (*NON_COMMANDS, *NOISE_LABELS))
    assert is_command("yes") and is_command(7)


def _members(tree, classes=None):
    """Names the classes of ``tree`` (all, or those named in ``classes``) define: methods, class
    attributes and the attributes assigned in them (in the whole module when ``classes`` is
    None: ``est._x = ...`` in a helper counts)."""
    found = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
             and (classes is None or node.name in classes)]
    names = set()
    for cls in found:
        for node in cls.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    for root in found if classes is not None else [tree]:
        names.update(node.attr for node in ast.walk(root)
                     if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store))
    return names


def _private(names):
    return {n for n in names if n.startswith("_") and not n.endswith("__")}


def _scikeras_private_names():
    """The private members of scikeras's ``BaseWrapper`` and ``KerasClassifier``, from the source
    of the installed scikeras (``find_spec`` locates it without importing Keras)."""
    spec = importlib.util.find_spec("scikeras")
    if spec is None:
        pytest.skip("scikeras is not installed")
    source = Path(next(iter(spec.submodule_search_locations))) / "wrappers.py"
    return _private(_members(ast.parse(source.read_text()), {"BaseWrapper", "KerasClassifier"}))


def _uses_of_private_scikeras(tree, forbidden):
    """``(line, what)`` for each use in ``tree`` of a name in ``forbidden`` (an attribute, or a
    string such as ``getattr(est, "_fit_callbacks")``) and each private import from scikeras."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in forbidden:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Constant) and node.value in forbidden:
            found.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scikeras"):
            names = node.module.split(".") + [alias.name for alias in node.names]
            found += [(node.lineno, f"from {node.module} import {alias.name}")
                      for alias in node.names if any(n.startswith("_") for n in names)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names
                      if alias.name.startswith("scikeras") and "._" in alias.name]
    return found


def test_the_check_for_scikeras_privates_finds_them():
    forbidden = _scikeras_private_names()
    assert {"_fit_callbacks", "_initialize_callbacks", "_type_of_target"} <= forbidden
    tree = ast.parse("from scikeras._utils import route_params\n"
                     "cbs = self._fit_callbacks\n"
                     "est._type_of_target(y)\n"
                     "getattr(est, '_predict_callbacks', None)\n")
    assert [line for line, _ in _uses_of_private_scikeras(tree, forbidden)] == [1, 2, 3, 4]


def test_the_keras_classifiers_use_scikeras_public_api_only():
    """skspeech/models reads, calls and imports no private name of scikeras it does not define
    itself: the private methods it overrides are its own (each says why), the rest is scikeras's
    business and may change in any release."""
    models = sorted((PACKAGE / "models").glob("*.py"))
    trees = {path: ast.parse(path.read_text()) for path in models}
    ours = set().union(*(_members(tree) for tree in trees.values()))
    forbidden = _scikeras_private_names() - ours
    found = [f"{path.relative_to(ROOT)}:{line} uses {what}" for path, tree in trees.items()
             for line, what in _uses_of_private_scikeras(tree, forbidden)]
    assert not found, ("skspeech/models uses scikeras's private API (use its public "
                       "parameters and hooks, or scikit-learn's):\n" + "\n".join(found))
