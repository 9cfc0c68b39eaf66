"""Linked versions are spared by TTL gc and `keep --last`; delete of a link only unlinks it;
deleting a linked source needs --force and unlinks it everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Runner, make_tree

REG = "model-registry/m"
LATER = {"ARTIFACTCTL_NOW": "2099-01-01T00:00:00Z"}


@pytest.fixture
def three(cli: Runner, tmp_path: Path) -> Path:
    data = make_tree(tmp_path / "model", {"w.bin": "0\n"})
    for i in range(3):
        (data / "w.bin").write_text(f"{i}\n")
        cli("put", data, "--name", "m", "--type", "model", expect=0)
    return data


def test_ttl_gc_spares_linked_versions(cli: Runner, three: Path) -> None:
    cli("link", "m:v0", REG, "--alias", "production", expect=0)
    for v in ("v0", "v1"):
        cli("ttl", "set", f"m:{v}", "1d", expect=0)
    r = cli("gc", "--json", env=LATER).json()
    assert [d["version"] for d in r["deleted_versions"]] == ["m:v1"]
    (kept,) = r["kept_versions"]
    assert kept["version"] == "m:v0"
    assert REG in " ".join(kept["reasons"])
    assert cli("show", f"{REG}:production", "--json").json()["state"] == "COMMITTED"


def test_keep_last_spares_linked_versions(cli: Runner, three: Path) -> None:
    cli("link", "m:v0", REG, expect=0)
    r = cli("keep", "m", "--last", "1", "--json").json()
    assert REG in str(r)
    assert cli("show", "m:v0", "--json").json()["state"] == "COMMITTED"
    cli("show", "m:v1", expect=4)


def test_delete_of_a_link_unlinks_it_and_keeps_the_source(cli: Runner, three: Path) -> None:
    cli("link", "m:v1", REG, "--alias", "production", expect=0)
    r = cli("delete", f"{REG}:production", "--yes", "--json").json()
    assert r["state"] == "UNLINKED"
    assert r["unlinked"] == [f"{REG}:v0"] and r["source"] == "m:v1"
    assert cli("show", "m:v1", "--json").json()["state"] == "COMMITTED"
    cli("show", REG, expect=4)
    cli("link", "m:v1", REG, expect=0)
    text = cli("delete", f"{REG}:v1", "--yes").stdout
    assert "unlinked model-registry/m:v1" in text and "m:v1 is kept" in text


def test_deleting_a_linked_source_needs_force_and_unlinks_everywhere(
    cli: Runner, three: Path
) -> None:
    cli("link", "m:v0", REG, expect=0)
    cli("link", "m:v2", REG, expect=0)
    cli("link", "m:v0", "archive/m", expect=0)
    r = cli("delete", "m:v0", "--yes", expect=5)
    assert "--force" in r.stderr and REG in r.stderr
    done = cli("delete", "m:v0", "--yes", "--force", "--json").json()
    assert sorted(done["unlinked"]) == ["archive/m:v0", f"{REG}:v0"]
    port = cli("portfolio", "show", REG, "--json").json()
    assert [m["source"] for m in port["members"]] == ["m:v2"]
    assert port["latest"] == f"{REG}:v1"
    assert cli("portfolio", "show", "archive/m", "--json").json()["members"] == []
    cli("link", "m:v1", REG, expect=0)
    text = cli("delete", "m:v1", "--yes", "--force").stdout
    assert f"unlinked m:v1 from {REG}:v2" in text
    fsck = cli("fsck", "--json", expect=None)
    assert fsck.code == 0, fsck.stdout
