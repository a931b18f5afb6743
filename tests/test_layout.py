"""The package's shape: imports run down the stages, no module imports itself back, and
the query side never loads numba."""

import ast
import pathlib
import re
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "embed"

# What each stage may import, besides itself and the leaf modules. The top (the package,
# the command line, the demo, the old module paths) may import anything; no stage may
# import the top.
STAGES = {
    "text": set(),
    "kernels": {"text"},
    "vectors": {"text"},
    "training": {"text", "kernels", "vectors"},
}
LEAVES = {"embed.errors", "embed.data", "embed.jitcache", "embed.memory"}  # import only each other


def package_sources(root: pathlib.Path = PACKAGE) -> dict[str, str]:
    """{module name: source} of every module under ``root``."""
    sources = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[name] = path.read_text()
    return sources


def imports(name: str, source: str, modules: set[str]) -> set[str]:
    """The modules of the package that ``name`` imports anywhere (function bodies too),
    except under ``if TYPE_CHECKING:``."""
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    found = set()
    for node in _walk_skipping_type_checking(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in modules)
    found.discard(name)
    return found


def _is_package(name: str, modules: set[str]) -> bool:
    return any(other.startswith(name + ".") for other in modules)


def _walk_skipping_type_checking(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def stage(name: str) -> str:
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    return "leaf" if name in LEAVES else "top"


def layout_problems(sources: dict[str, str]) -> list[str]:
    """Imports against the stage order, and import cycles, in words."""
    modules = set(sources)
    graph = {name: imports(name, source, modules) for name, source in sources.items()}
    problems = []
    for name, targets in sorted(graph.items()):
        for target in sorted(targets):
            here, there = stage(name), stage(target)
            if here == "top" or there == "leaf" or here == there:
                continue
            if here == "leaf" or there == "top" or there not in STAGES[here]:
                problems.append(f"{name} ({here}) imports {target} ({there})")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in _cycles(graph)]
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, done, path = [], set(), []

    def visit(name):
        if name in path:
            cycles.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        path.append(name)
        for target in sorted(graph.get(name, ())):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    return cycles


def test_imports_run_down_the_stages_without_cycles():
    sources = package_sources()
    assert {"embed.text.corpus", "embed.kernels.piece", "embed.training.word2vec", "embed.vectors.formats"} <= set(sources)
    assert layout_problems(sources) == []


@pytest.mark.parametrize(
    "module,line,problem",
    [
        ("embed.text.vocab", "from ..kernels import tally", "embed.text.vocab (text) imports embed.kernels.tally (kernels)"),
        ("embed.vectors.plot", "    from ..training.word2vec import Word2Vec",
         "embed.vectors.plot (vectors) imports embed.training.word2vec (training)"),
        ("embed.kernels.loss", "from ..vectors import formats", "embed.kernels.loss (kernels) imports embed.vectors.formats"),
        ("embed.text.tokenizer", "from .. import cli", "embed.text.tokenizer (text) imports embed.cli (top)"),
        ("embed.vectors.formats", "from .word_vectors import Vectors", "import cycle: "),
    ],
)
def test_the_layout_check_finds_a_forbidden_import(module, line, problem):
    sources = package_sources()
    body = "def late():\n" + line if line.startswith("    ") else line
    sources[module] += "\n" + body + "\n"
    assert any(found.startswith(problem) for found in layout_problems(sources)), layout_problems(sources)


def test_type_checking_imports_do_not_count():
    sources = package_sources()
    sources["embed.vectors.formats"] += "\nif TYPE_CHECKING:\n    from .word_vectors import Vectors\n"
    assert layout_problems(sources) == []


def test_every_jitted_module_keys_the_cache():
    # embed.jitcache keys the cache on these files; a jitted module outside them would
    # load stale code after a kernel it inlines changed.
    from embed.jitcache import jitted_sources

    keyed = {PACKAGE / name for name in jitted_sources()}
    decorated = {path: re.findall(r"^@(njit|intrinsic)", path.read_text(), re.M) for path in PACKAGE.rglob("*.py")}
    jitted = {path for path, found in decorated.items() if found}
    assert len(jitted) > 10 and jitted <= keyed
    for path in jitted:
        if "njit" in decorated[path]:
            assert "from .. import jitcache" in path.read_text(), path


def test_queries_formats_and_evaluation_do_not_load_numba(tmp_path):
    script = f"""
import sys
import numpy as np
from embed.vectors import Vectors
from embed.evaluate import evaluate_word_pairs
from embed.plot import capital_pairs
from embed.data import bundled
v = Vectors(["tiger", "cat", "dog"], np.array([[1, 0], [1, .2], [0, 1]], dtype=np.float32))
v.save_word2vec_format({str(tmp_path / 'v.bin')!r})
v = Vectors.load({str(tmp_path / 'v.bin')!r})
v.most_similar("cat")
evaluate_word_pairs(v, bundled("wordsim353.tsv"))
capital_pairs(v)
import embed, embed.cli
embed.cli.parser()
assert "numba" not in sys.modules, sorted(m for m in sys.modules if m.startswith("numba"))[:3]
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
