"""``link``, ``unlink``, ``portfolio ls|show`` and portfolio specs, through the installed CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Runner, make_tree

REG = "model-registry/mnist"


@pytest.fixture
def two_versions(cli: Runner, tmp_path: Path) -> Path:
    """``m:v0`` and ``m:v1`` (alias ``candidate``), type model."""
    data = make_tree(tmp_path / "model", {"w.bin": "one\n", "cfg.json": "{}\n"})
    cli("put", data, "--name", "m", "--type", "model", expect=0)
    (data / "w.bin").write_text("two\n")
    cli("put", data, "--name", "m", "--type", "model", "--alias", "candidate", expect=0)
    return data


def test_link_creates_portfolio_numbers_members_and_moves_latest(
    cli: Runner, two_versions: Path
) -> None:
    first = cli("link", "m:v0", REG, "--alias", "staging", "--json").json()
    assert first["version"] == f"{REG}:v0"
    assert first["source"] == "m:v0"
    assert first["created"] is True and first["portfolio_created"] is True
    assert first["type"] == "model"
    assert first["aliases"] == ["latest", "staging"]
    second = cli("link", "m:candidate", REG, "--json").json()
    assert second["version"] == f"{REG}:v1"
    assert second["portfolio_created"] is False
    assert second["aliases"] == ["latest"]
    port = cli("portfolio", "show", REG, "--json").json()
    assert port["latest"] == f"{REG}:v1"
    assert [(m["version"], m["source"], m["aliases"]) for m in port["members"]] == [
        (f"{REG}:v0", "m:v0", ["staging"]),
        (f"{REG}:v1", "m:v1", ["latest"]),
    ]
    # human output names member, source and aliases
    text = cli("portfolio", "show", REG).stdout
    assert "m:v0" in text and "staging" in text


def test_relinking_the_same_source_returns_the_existing_link(
    cli: Runner, two_versions: Path
) -> None:
    cli("link", "m:v0", REG, expect=0)
    cli("link", "m:v1", REG, expect=0)
    again = cli("link", "m:v0", REG, "--alias", "production", "--json").json()
    assert again["created"] is False
    assert again["version"] == f"{REG}:v0"
    assert again["aliases_set"] == ["production"]
    assert again["aliases"] == ["production"]
    port = cli("portfolio", "show", REG, "--json").json()
    assert len(port["members"]) == 2
    assert port["latest"] == f"{REG}:v1"  # relinking does not move latest
    # linking through the portfolio spec itself is the same source, too
    via_member = cli("link", f"{REG}:production", REG, "--json").json()
    assert via_member["created"] is False and via_member["version"] == f"{REG}:v0"
    assert "already linked m:v0" in cli("link", "m:v0", REG).stdout


def test_portfolio_specs_resolve_to_the_source_for_every_reader(
    cli: Runner, two_versions: Path, tmp_path: Path
) -> None:
    cli("link", "m:v0", REG, "--alias", "production", expect=0)
    show = cli("show", f"{REG}:production", "--json").json()
    assert show["is_link"] is True
    assert show["source"] == "m:v0"
    assert show["version"] == "m:v0"
    assert show["linked_as"]["version"] == f"{REG}:v0"
    assert show["linked_as"]["aliases"] == ["latest", "production"]
    assert "linked as" in cli("show", f"{REG}:v0").stdout
    files = cli("files", f"{REG}:v0", "--json").json()
    assert sorted(e["path"] for e in files) == ["cfg.json", "w.bin"]
    out = tmp_path / "deployed"
    cli("get", REG, "--root", out, expect=0)  # bare name = the portfolio's latest
    assert (out / "w.bin").read_text() == "one\n"
    assert cli("verify", f"{REG}:production", out, "--json").json()["ok"] is True
    digest = show["digest"].partition(":")[2]
    assert cli("show", f"{REG}@{digest[:8]}", "--json").json()["source"] == "m:v0"
    r = cli("get", f"{REG}:v7", "--root", tmp_path / "x", expect=4)
    assert "not a member" in r.stderr
    cli("show", f"{REG}:nope", expect=4)


def test_portfolio_aliases_are_independent_of_the_source_aliases(
    cli: Runner, two_versions: Path
) -> None:
    cli("link", "m:v0", REG, "--alias", "candidate", expect=0)
    # the source artifact keeps its own candidate (v1) and latest (v1)
    assert cli("show", "m:candidate", "--json").json()["version"] == "m:v1"
    assert cli("show", "m", "--json").json()["version"] == "m:v1"
    assert cli("show", "m:v0", "--json").json()["aliases"] == []
    # inside the portfolio, candidate and latest name the link of v0
    assert cli("show", f"{REG}:candidate", "--json").json()["source"] == "m:v0"
    assert cli("show", REG, "--json").json()["source"] == "m:v0"
    listed = cli("ls", "m", "--json").json()
    assert [v["aliases"] for v in listed] == [[], ["latest", "candidate"]]
    # moving the source's alias does not move the portfolio's
    cli("put", two_versions, "--name", "m", "--type", "model", expect=0)  # unchanged
    assert cli("show", f"{REG}:candidate", "--json").json()["source"] == "m:v0"


def test_unlink_removes_the_link_only(cli: Runner, two_versions: Path, tmp_path: Path) -> None:
    cli("link", "m:v0", REG, "--alias", "staging", expect=0)
    cli("link", "m:v1", REG, "--alias", "production", expect=0)
    r = cli("unlink", f"{REG}:production", "--json").json()
    assert [m["version"] for m in r["unlinked"]] == [f"{REG}:v1"]
    assert r["unlinked"][0]["source"] == "m:v1"
    assert r["latest"] == {REG: f"{REG}:v0"}
    port = cli("portfolio", "show", REG, "--json").json()
    assert [m["version"] for m in port["members"]] == [f"{REG}:v0"]
    assert port["members"][0]["aliases"] == ["latest", "staging"]
    assert [m["version"] for m in port["unlinked"]] == [f"{REG}:v1"]
    assert port["unlinked"][0]["unlinked_at"] is not None
    cli("show", f"{REG}:production", expect=4)
    cli("show", f"{REG}:v1", expect=4)
    # the source version, its aliases and its bytes are untouched
    src = cli("show", "m:v1", "--json").json()
    assert src["state"] == "COMMITTED" and src["aliases"] == ["latest", "candidate"]
    out = tmp_path / "src"
    cli("get", "m:v1", "--root", out, expect=0)
    assert (out / "w.bin").read_text() == "two\n"
    assert cli("fsck", "--json", expect=None).code == 0
    # relinking after an unlink gets a new number: member numbers are never reused
    assert cli("link", "m:v1", REG, "--json").json()["version"] == f"{REG}:v2"
    # unlinking the last member leaves the portfolio with no latest
    cli("unlink", f"{REG}:v0", expect=0)
    text = cli("unlink", f"{REG}:v2").stdout
    assert "unset" in text and "source m:v1 kept" in text
    assert cli("portfolio", "ls", "--json").json()[0]["latest"] is None
    cli("show", REG, expect=4)


def test_unlink_usage_errors(cli: Runner, two_versions: Path) -> None:
    cli("link", "m:v0", REG, expect=0)
    assert "not a link" in cli("unlink", "m:v0", expect=2).stderr
    cli("unlink", "nope/nothing:v0", expect=4)
    cli("unlink", f"{REG}:v9", expect=4)
    assert "needs a member" in cli("unlink", REG, expect=2).stderr


def test_types_and_names_are_checked(cli: Runner, two_versions: Path, tmp_path: Path) -> None:
    data = make_tree(tmp_path / "ds", {"rows.csv": "a\n"})
    cli("put", data, "--name", "rows", "--type", "dataset", expect=0)
    cli("link", "m:v0", REG, expect=0)
    r = cli("link", "rows", REG, expect=5)
    assert "--type-mismatch-ok" in r.stderr
    ok = cli("link", "rows", REG, "--type-mismatch-ok", "--json").json()
    assert ok["version"] == f"{REG}:v1" and ok["type"] == "model"
    # a portfolio cannot take an artifact's name, nor an artifact a portfolio's
    cli("link", "m:v0", "rows", expect=5)
    cli("link", "m:v0", "best-models", expect=0)
    r = cli("put", data, "--name", "best-models", "--type", "model", expect=5)
    assert "portfolio" in r.stderr
    cli("link", "m:v0", "a/b/c", expect=2)
    cli("link", "m:v0", REG, "--alias", "latest", expect=2)
    cli("link", "m:v0", REG, "--alias", "v3", expect=2)
    cli("link", "m:v9", REG, expect=4)


def test_portfolio_ls_filters_by_registry(cli: Runner, two_versions: Path) -> None:
    cli("link", "m:v0", REG, expect=0)
    cli("link", "m:v1", "model-registry/other", expect=0)
    cli("link", "m:v1", "datasets/curated", expect=0)
    cli("link", "m:v1", "flat", expect=0)
    rows = cli("portfolio", "ls", "--json").json()
    assert [r["name"] for r in rows] == [
        "datasets/curated",
        "flat",
        "model-registry/mnist",
        "model-registry/other",
    ]
    mnist = rows[2]
    assert mnist["registry"] == "model-registry" and mnist["collection"] == "mnist"
    assert mnist["members"] == 1 and mnist["latest"] == f"{REG}:v0"
    assert rows[1]["registry"] is None
    only = cli("portfolio", "ls", "model-registry", "--json").json()
    assert [r["name"] for r in only] == ["model-registry/mnist", "model-registry/other"]
    assert cli("portfolio", "ls", "model", "--json").json() == []
    assert "model-registry/mnist" in cli("portfolio", "ls").stdout
    # portfolios are not artifacts: `ls` lists only artifacts
    assert [r["name"] for r in cli("ls", "--json").json()] == ["m"]
    cli("portfolio", "show", "model-registry/none", expect=4)


def test_show_links_lists_memberships(cli: Runner, two_versions: Path) -> None:
    assert cli("show", "m:v0", "--links", "--json").json()["links"] == []
    cli("link", "m:v0", REG, "--alias", "production", "--run", "run-7", expect=0)
    cli("link", "m:v0", "archive/mnist", expect=0)
    doc = cli("show", "m:v0", "--links", "--json").json()
    assert [(m["version"], m["aliases"]) for m in doc["links"]] == [
        ("archive/mnist:v0", ["latest"]),
        (f"{REG}:v0", ["latest", "production"]),
    ]
    assert doc["links"][1]["run_id"] == "run-7"
    assert "links" not in cli("show", "m:v0", "--json").json()
    assert "archive/mnist:v0" in cli("show", "m:v0", "--links").stdout
    # through a link, --links lists the source's memberships
    via = cli("show", f"{REG}:production", "--links", "--json").json()
    assert len(via["links"]) == 2


def test_run_id_comes_from_the_environment(cli: Runner, two_versions: Path) -> None:
    r = cli("link", "m:v0", REG, "--json", env={"ARTIFACTCTL_RUN_ID": "env-run"}).json()
    assert r["run_id"] == "env-run"
    assert cli("link", "m:v0", REG, "--quiet").stdout.strip() == f"{REG}:v0"
