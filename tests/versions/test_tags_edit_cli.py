"""`tag add|rm`, `ls --tag/--type/--alias`, and `edit` (description and metadata)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Runner, make_tree
from tests.versions.helpers import versions


def test_tags_add_remove_and_filter(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    r = cli("tag", "add", "m:v0", "baseline", "reviewed", "--json").json()
    assert r["tags"] == ["baseline", "reviewed"] and r["changed"] == ["tags"]
    cli("tag", "add", "m:v2", "baseline", expect=0)
    again = cli("tag", "add", "m:v2", "baseline", "--json").json()
    assert again["changed"] == []
    assert "unchanged" in cli("tag", "add", "m:v2", "baseline").stdout
    tagged = cli("ls", "--tag", "baseline", "--json").json()
    assert [v["version"] for v in tagged] == ["m:v0", "m:v2"]
    assert [v["version"] for v in cli("ls", "m", "--tag", "reviewed", "--json").json()] == ["m:v0"]
    r = cli("tag", "rm", "m:v0", "reviewed", "--json").json()
    assert r["tags"] == ["baseline"]
    assert cli("ls", "--tag", "reviewed", "--json").json() == []
    cli("tag", "add", "m:v0", "bad tag", expect=2)
    cli("tag", "add", "m:v7", "x", expect=4)
    assert "baseline" in cli("ls", "m").stdout


def test_ls_type_and_alias_filters(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, "m", 2)
    data = make_tree(tmp_path / "ds", {"a.csv": "1\n"})
    cli("put", data, "--name", "d", "--type", "dataset", expect=0)
    assert [a["name"] for a in cli("ls", "--type", "dataset", "--json").json()] == ["d"]
    assert [a["name"] for a in cli("ls", "--type", "model", "--json").json()] == ["m"]
    assert cli("ls", "--type", "nothing", "--json").json() == []
    cli("alias", "set", "m:v0", "prod", expect=0)
    assert [v["version"] for v in cli("ls", "--alias", "prod", "--json").json()] == ["m:v0"]
    latest = cli("ls", "--alias", "latest", "--json").json()
    assert [v["version"] for v in latest] == ["d:v0", "m:v1"]
    assert [v["version"] for v in cli("ls", "m", "--alias", "latest", "--json").json()] == ["m:v1"]
    both = cli("ls", "--alias", "latest", "--type", "model", "--json").json()
    assert [v["version"] for v in both] == ["m:v1"]
    assert cli("ls", "m", "--type", "dataset", "--json").json() == []


def test_edit_description_and_metadata_not_content(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=1)
    before = cli("show", "m:v0", "--json").json()
    r = cli(
        "edit",
        "m:v0",
        "--description",
        "first model",
        "--metadata-set",
        "acc=0.91",
        "--metadata-set",
        "arch=resnet",
        "--metadata-set",
        "layers=[1, 2]",
        "--json",
    ).json()
    assert r["description"] == "first model"
    assert r["metadata"] == {"acc": 0.91, "arch": "resnet", "layers": [1, 2]}
    assert sorted(r["changed"]) == ["description", "metadata"]
    assert r["digest"] == before["digest"]
    r = cli("edit", "m:v0", "--metadata-unset", "arch", "--json").json()
    assert r["metadata"] == {"acc": 0.91, "layers": [1, 2]}
    meta_file = tmp_path / "meta.json"
    meta_file.write_text(json.dumps({"only": True}))
    r = cli("edit", "m:v0", "--metadata", f"@{meta_file}", "--json").json()
    assert r["metadata"] == {"only": True}
    r = cli("edit", "m:v0", "--description", "", "--json").json()
    assert r["description"] is None
    assert "unchanged" in cli("edit", "m:v0", "--metadata", '{"only": true}').stdout
    after = cli("show", "m:v0", "--json").json()
    assert after["digest"] == before["digest"] and after["file_count"] == before["file_count"]


def test_edit_errors(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=1)
    cli("edit", "m:v0", expect=2)
    cli("edit", "m:v0", "--metadata-unset", "missing", expect=4)
    cli("edit", "m:v0", "--metadata-set", "novalue", expect=2)
    cli("edit", "m:v0", "--metadata", "[1, 2]", expect=2)
    cli("edit", "m:v9", "--description", "x", expect=4)


def test_metadata_key_limit_holds_on_edit(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=1)
    full = {f"k{i}": i for i in range(100)}
    cli("edit", "m:v0", "--metadata", json.dumps(full), expect=0)
    r = cli("edit", "m:v0", "--metadata-set", "one=too-many", expect=2)
    assert "100" in r.stderr
    assert len(cli("show", "m:v0", "--json").json()["metadata"]) == 100
