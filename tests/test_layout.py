"""The tree shows the data flow, and the imports follow it: each stage imports
only what lies upstream (read → report → analysis → store → search → render).

This parses every module of ``indexer`` and ``search_web`` (imports inside
functions included) and fails on an import against the flow; inside the store,
on an import against its roles (format, directory, writer, reader); anywhere,
on a module other than ``indexer.build`` joining the readers of files with the
store's writer; and on a benchmark calling an internal instead of ``indexer.api``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = {"root", "errors", "model", "children"}
# What each part of ``indexer`` may import, besides itself.
ALLOWED = {
    "root": set(),
    "errors": set(),
    "model": set(),
    "children": set(),
    "read": UPSTREAM,
    "analysis": UPSTREAM,
    "report": UPSTREAM | {"read", "analysis"},
    "store": UPSTREAM | {"analysis"},
    "search": UPSTREAM | {"analysis", "store"},
    # The one place that joins reading (read, report) and writing (store.writer): see
    # test_only_the_build_joins_reading_and_writing.
    "build": UPSTREAM | {"read", "analysis", "report", "store"},
    "research": UPSTREAM | {"analysis", "store", "search"},
    "cluster": UPSTREAM | {"analysis", "store", "search", "build"},   # the MariaDB + Mroonga backend
    "render": set(),
    "api": UPSTREAM | {"read", "analysis", "report", "store", "search", "build", "research", "render", "cluster"},
    "cli": UPSTREAM | {"api", "cli_research", "cli_options"},
    "cli_options": UPSTREAM | {"api"},
    "cli_research": UPSTREAM | {"api", "cli", "cli_options"},
    "__main__": {"cli"},
}


# Inside ``indexer.store``, by role (as tantivy's tree): the file format at the
# bottom, the directory (generations, locks) on it, then the writer and the
# reader, which never imports the writer.  The writer may read: an update plans
# against the serving generation and a merge reads its segments (tantivy's
# merger reads segments too).
STORE_ALLOWED = {
    "format": set(),
    "directory": {"format"},
    "writer": {"format", "directory", "reader"},
    "reader": {"format", "directory"},
    "root": {"format", "directory", "writer", "reader"},   # ``indexer/store/__init__.py`` re-exports
}


def _part(module: str) -> str | None:
    """``indexer.store.format.postings`` → ``store``; ``indexer`` → ``root``; other packages → None."""
    parts = module.split(".")
    if parts[0] != "indexer":
        return None
    return parts[1] if len(parts) > 1 else "root"


def _imports(path: Path, package: str) -> list[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from . import x`` / ``from indexer import build`` name submodules.
            found += [f"{module}.{alias.name}" for alias in node.names] if not node.module or \
                module in ("indexer",) else [module]
    return found


def _modules(top: str):
    for path in sorted((ROOT / top).rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        package = ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")
        yield path, ".".join(p for p in parts if p != "__init__"), package


def _violations() -> list[str]:
    bad = []
    for path, module, package in _modules("indexer"):
        part = _part(module)
        for name in _imports(path, package):
            target = _part(name)
            if target is None or target == part:
                continue
            # ``from indexer import build`` resolves to the attribute when it is not a module.
            if target not in ALLOWED and not (ROOT / "indexer" / f"{target}.py").exists():
                target = "root"
            if target not in ALLOWED.get(part, set()):
                bad.append(f"{module} imports {name} ({part} → {target})")
    for path, module, package in _modules("search_web"):
        for name in _imports(path, package):
            if _part(name) is not None and name not in ("indexer.api",) and not name.startswith("indexer.api."):
                bad.append(f"{module} imports {name} (the web app uses only indexer.api)")
    return bad


def _store_part(module: str) -> str | None:
    """``indexer.store.format.postings`` → ``format``; ``indexer.store`` → ``root``; outside the store → None."""
    parts = module.split(".")
    if parts[:2] != ["indexer", "store"]:
        return None
    return parts[2] if len(parts) > 2 else "root"


def _store_violations() -> list[str]:
    bad = []
    for path, module, package in _modules("indexer/store"):
        part = _store_part(module)
        if part not in STORE_ALLOWED:
            bad.append(f"{module}: in no role of the store ({', '.join(STORE_ALLOWED)})")
            continue
        for name in _imports(path, package):
            target = _store_part(name)
            if target is None or target == part:
                continue
            if target not in STORE_ALLOWED[part]:
                bad.append(f"{module} imports {name} ({part} → {target})")
    return bad


READING = ("indexer.read", "indexer.report")
WRITING = ("indexer.store.writer",)
JOINS_READING_AND_WRITING = {"indexer.build"}


def _under(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _joins() -> list[str]:
    """Modules of ``indexer`` other than the build that import both a reader of
    files (read, report) and the store's writer, and store modules importing a
    reader of files at all."""
    bad = []
    for path, module, package in _modules("indexer"):
        names = _imports(path, package)
        reads = [n for n in names if _under(n, READING)]
        if _under(module, ("indexer.store",)) and reads:
            bad.append(f"{module} imports {reads[0]} (the store never reads files: the build hands it reports)")
        elif reads and any(_under(n, WRITING) for n in names) and module not in JOINS_READING_AND_WRITING:
            bad.append(f"{module} joins reading and writing ({reads[0]} and the store's writer): only the build may")
    return bad


def test_imports_follow_the_data_flow():
    assert _violations() == []


def test_only_the_build_joins_reading_and_writing():
    """Nothing in the store imports ``read`` or ``report``; the top-level
    ``indexer.build`` is the one module that imports both them and the writer."""
    assert _joins() == []


def test_the_join_check_sees_a_second_pipeline_and_a_store_reading(tmp_path, monkeypatch):
    indexer = tmp_path / "indexer"
    (indexer / "store" / "writer").mkdir(parents=True)
    for folder in (indexer, indexer / "store", indexer / "store" / "writer"):
        (folder / "__init__.py").write_text("")
    (indexer / "rebuild.py").write_text("from .report.corpus import read_reports\n"
                                        "from .store.writer.generation_writer import write_generation\n")
    (indexer / "store" / "writer" / "reads.py").write_text("def f():\n    from ...read import read_file\n")
    (indexer / "build.py").write_text("from .report.corpus import read_reports\n"
                                      "from .store.writer.generation_writer import write_generation\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    found = _joins()
    assert any(v.startswith("indexer.rebuild joins reading and writing") for v in found)
    assert any(v.startswith("indexer.store.writer.reads imports indexer.read") for v in found)
    assert len(found) == 2          # the build itself may


# The benchmarks call the library as a user's program does, through
# ``indexer.api``; these reach past it on purpose, each for the reason given.
BENCH_INTERNALS = {
    ("bench/load.py", "indexer.store.directory.layout"):
        "swaps in a hard-linked copy of the serving generation, the swap under test; no public call does",
    ("bench/startup.py", "indexer.cli"): "times `import indexer.cli`, the command line's start, on purpose",
    # bench.ceiling times the stages of a build with words one by one, on the same passages:
    ("bench/ceiling.py", "indexer.analysis.jieba_words"): "jieba's cut as the build runs it, timed alone",
    ("bench/ceiling.py", "indexer.store.writer.documents"): "the Whoosh fields of a passage, and the build's "
                                                            "patches of Whoosh's writer, to time that writer alone",
    ("bench/ceiling.py", "indexer.store.writer.schema"): "the build's Whoosh schema, for that writer alone",
}


def _code_imports(tree: ast.AST) -> list[str]:
    """The absolute modules (and ``from indexer import x`` names) a parsed module imports."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            found += [f"{module}.{alias.name}" for alias in node.names] if module == "indexer" else [module]
    return found


def _bench_internal_imports() -> list[str]:
    """``indexer`` modules other than ``indexer.api`` imported by a bench module,
    in its code or in the code it hands another Python (a string that parses)."""
    bad = []
    for path in sorted((ROOT / "bench").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _code_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "indexer" in node.value:
                try:
                    names += _code_imports(ast.parse(node.value))
                except SyntaxError:
                    pass        # prose, not code
        for module in names:
            internal = _part(module) is not None and module != "indexer.api" and not module.startswith("indexer.api.")
            if internal and (name, module) not in BENCH_INTERNALS:
                bad.append(f"{name} imports {module} (bench calls indexer.api)")
    return bad


def test_bench_calls_the_library_through_its_public_interface():
    """A benchmark measures what a user's program can call; an internal it needs
    is added to ``indexer.api`` (``_LAZY``) or listed, with its reason, above."""
    assert _bench_internal_imports() == []


def test_the_bench_check_sees_internals_in_code_and_in_scripts(tmp_path, monkeypatch):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "a.py").write_text(
        "from indexer.api import open_index\n"
        "def f():\n    from indexer.search.query import parse_query\n"
        'SCRIPT = """\nfrom indexer import build\nbuild.build_index()\n"""\n'
        "PROSE = 'the indexer reads it'\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert sorted(_bench_internal_imports()) == ["bench/a.py imports indexer.build (bench calls indexer.api)",
                                                 "bench/a.py imports indexer.search.query (bench calls indexer.api)"]


def test_the_store_imports_follow_its_roles():
    """The format imports nothing of the others; the writer and the reader may
    import the format and the directory; the reader never imports the writer."""
    assert _store_violations() == []


def test_the_store_check_sees_a_reader_importing_the_writer(tmp_path, monkeypatch):
    store = tmp_path / "indexer" / "store"
    for role in ("reader", "writer", "format"):
        (store / role).mkdir(parents=True)
        (store / role / "__init__.py").write_text("")
    (store / "__init__.py").write_text("")
    (store / "reader" / "bad.py").write_text("from ..writer.documents import DocumentWriter\n")
    (store / "format" / "worse.py").write_text("def f():\n    from ..reader import generation\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    found = _store_violations()
    assert any("indexer.store.reader.bad imports indexer.store.writer.documents" in v for v in found)
    assert any("indexer.store.format.worse imports indexer.store.reader" in v for v in found)


def test_the_check_sees_an_import_against_the_flow(tmp_path, monkeypatch):
    """The checker itself: a search module importing the build is caught."""
    fake = tmp_path / "indexer" / "search"
    fake.mkdir(parents=True)
    (tmp_path / "indexer" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "bad.py").write_text("def f():\n    from ..build import build_index\n")
    (tmp_path / "search_web").mkdir()
    (tmp_path / "search_web" / "x.py").write_text("from indexer.search import open_index\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    found = _violations()
    assert any("indexer.search.bad imports indexer.build" in v for v in found)
    assert any("search_web.x imports indexer.search" in v for v in found)


@pytest.mark.parametrize("package", ["read", "analysis", "report", "store", "search", "research",
                                     "store/format", "store/directory", "store/writer", "store/reader"])
def test_each_package_says_its_job_and_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / "indexer" / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "import" in doc.lower(), f"indexer/{package}/__init__.py: say its job and what it may import"


def test_the_model_names_which_section_it_means():
    """``section`` names three things (a category, a heading path, the stored key);
    the model's Python names say which (see ``indexer.model``'s glossary), while
    the stored and sent key stays ``"section"``."""
    from dataclasses import fields

    from indexer.model import Heading, Passage, Report

    for cls in (Passage, Report, Heading):
        names = {f.name for f in fields(cls)} | set(vars(cls))
        assert not {n for n in names if n in ("section", "sections", "section_names")}, cls
    tree = ast.parse((ROOT / "indexer" / "model.py").read_text(encoding="utf-8"))
    bare = [node.lineno for node in ast.walk(tree)
            if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == "section")
            or (isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "section")
            or (isinstance(node, ast.Attribute) and node.attr == "section")]
    assert not bare, f"indexer/model.py: a bare `section` name at lines {bare}"
    passage = Passage(id="r2022-0123456789-0001", ordinal=1, text="正文", heading_path="一、总体情况",
                      category="其他")
    stored = passage.to_dict()
    assert stored["section"] == "一、总体情况" and "heading_path" not in stored
    assert Passage.from_dict(stored) == passage
    report = Report(id="r2022-0123456789", source="a.txt", fmt="txt", text="正文", passages=[passage])
    assert Report.from_dict(report.to_dict()).passages == [passage]
    assert report.to_dict()["passages"][0]["section"] == "一、总体情况"
