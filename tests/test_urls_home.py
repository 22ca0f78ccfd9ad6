"""One home for the addresses of passages and reports: ``indexer/render.py``
(issue 25).  Any other module of the library, the CLI or the web app that
spells ``/p/`` or ``/r/`` in a string (an f-string's text included; docstrings
and comments are prose, not URLs) fails here: it would be an eighth place to
keep in step."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILDER = ROOT / "indexer" / "render.py"
SPELLINGS = ("/p/", "/r/")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def spelled_urls(path: Path) -> list[str]:
    """``file:line`` of each string constant in ``path`` (not a docstring) holding ``/p/`` or ``/r/``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [f"{name}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
            and any(s in node.value for s in SPELLINGS)]


def test_only_the_url_builder_spells_passage_and_report_urls():
    found = [hit for top in ("indexer", "search_web") for path in sorted((ROOT / top).rglob("*.py"))
             if path != BUILDER for hit in spelled_urls(path)]
    assert found == [], "build passage/report URLs with indexer.render (passage_url, report_url, *_ROUTE)"


def test_templates_and_scripts_spell_no_passage_urls():
    files = [*(ROOT / "search_web" / "templates").glob("*.html"), *(ROOT / "search_web" / "static").glob("*.js")]
    assert files
    assert [f.name for f in files if any(s in f.read_text(encoding="utf-8") for s in SPELLINGS)] == []


def test_the_check_finds_a_spelled_url(tmp_path):
    """The check itself can fail: an f-string's text is found, a docstring is not."""
    module = tmp_path / "probe.py"
    module.write_text('"""Pages live at /p/<id>."""\nURL = f"/p/{1}"\nOTHER = "/r/" + "x"\n', encoding="utf-8")
    assert spelled_urls(module) == ["probe.py:2", "probe.py:3"]
