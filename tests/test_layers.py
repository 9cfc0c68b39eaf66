"""The layer arrows of DESIGN §3 point down: cli → sdk → ops → store → {catalog, blobs, refs}
→ core → errors. Checked on every import statement, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "artifactctl"

RANK = {
    "errors": 0,
    "core": 1,
    "catalog": 2,
    "blobs": 2,
    "refs": 2,
    "store": 3,
    "ops": 4,
    "sdk": 5,
    "cli": 6,
}
# third-party packages only one layer may import
OWNED = {
    "typer": {"cli"},
    "rich": {"cli"},
    "click": {"cli"},
    "sqlite_utils": {"catalog"},
    "fsspec": {"refs"},
    "s3fs": {"refs"},
    "gcsfs": {"refs"},
    "adlfs": {"refs"},
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "artifactctl" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANK else None


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "artifactctl":
                found.extend((node.lineno, f"artifactctl.{a.name}") for a in node.names)
    return found


def test_layer_arrows_point_down() -> None:
    problems = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        layer = layer_of(module)
        if layer is None:
            continue
        for lineno, target in imports(path):
            checked += 1
            top = target.split(".")[0]
            if top in OWNED and layer not in OWNED[top]:
                problems.append(f"{path}:{lineno}: {layer} imports {target}")
            other = layer_of(target)
            if other is None or other == layer:
                continue
            if RANK[other] >= RANK[layer]:
                problems.append(f"{path}:{lineno}: {layer} imports {target} ({other})")
    assert checked > 100
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from artifactctl.cli import app\n")
    assert imports(bad) == [(2, "artifactctl.cli")]
    assert RANK[layer_of("artifactctl.cli.app") or ""] > RANK["core"]
