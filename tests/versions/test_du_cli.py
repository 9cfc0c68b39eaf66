"""`du`: storage accounting, including the W&B FAQ example (shared/seeds/002_*.txt):

animals v0 = cat.png (2MB) + dog.png (1MB); v1 adds rat.png (3MB). "Version v1 tracks a total of
6MB, but occupies only 3MB of space since it shares the remaining 3MB with v0. Deleting v1
reclaims the 3MB of storage associated with rat.png. Deleting v0 transfers the storage costs of
cat.png and dog.png to v1, increasing its storage size to 6MB."
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.conftest import Runner, make_tree
from tests.versions.helpers import fsck_ok

MB = 1_000_000


def animals(cli: Runner, tmp_path: Path) -> None:
    images = make_tree(
        tmp_path / "images",
        {"cat.png": os.urandom(2 * MB), "dog.png": os.urandom(1 * MB)},
    )
    cli("put", images, "--name", "animals", "--type", "images", expect=0)
    rat = tmp_path / "rat.png"
    rat.write_bytes(os.urandom(3 * MB))
    r = cli("put", "--from", "animals:v0", rat, "--json").json()
    assert r["version"] == "animals:v1" and r["new_bytes"] == 3 * MB


def usage(cli: Runner, target: str | None = None) -> dict[str, Any]:
    args = ["du", "--json"] if target is None else ["du", target, "--json"]
    return cli(*args).json()  # type: ignore[no-any-return]


def by_version(doc: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {
        v["version"]: (v["logical_bytes"], v["unique_bytes"], v["shared_bytes"])
        for v in doc["versions"]
    }


def test_faq_example(cli: Runner, tmp_path: Path) -> None:
    animals(cli, tmp_path)
    doc = usage(cli, "animals")
    assert by_version(doc) == {
        "animals:v0": (3 * MB, 0, 3 * MB),
        "animals:v1": (6 * MB, 3 * MB, 3 * MB),  # tracks 6MB, occupies only 3MB
    }
    (art,) = doc["artifacts"]
    assert (art["logical_bytes"], art["stored_bytes"], art["unique_bytes"]) == (
        9 * MB,
        6 * MB,
        6 * MB,
    )
    assert doc["store"]["content_bytes"] == 6 * MB
    assert doc["store"]["dedup_ratio"] == 1.5
    assert by_version(usage(cli, "animals:v1")) == {"animals:v1": (6 * MB, 3 * MB, 3 * MB)}
    text = cli("du").stdout
    assert "animals:v1" in text and "dedup ratio 1.50" in text


def test_faq_deleting_v1_reclaims_the_3mb_of_rat(cli: Runner, tmp_path: Path) -> None:
    animals(cli, tmp_path)
    r = cli("delete", "animals:v1", "--yes", "--json").json()
    assert r["reclaimable_bytes"] == 3 * MB
    cli("gc", expect=0)
    doc = usage(cli)
    assert doc["store"]["content_bytes"] == 3 * MB
    assert by_version(doc) == {"animals:v0": (3 * MB, 3 * MB, 0)}
    fsck_ok(cli)


def test_faq_deleting_v0_moves_the_cost_of_cat_and_dog_to_v1(cli: Runner, tmp_path: Path) -> None:
    animals(cli, tmp_path)
    r = cli("delete", "animals:v0", "--yes", "--json").json()
    assert r["reclaimable_bytes"] == 0
    freed = cli("gc", "--json").json()
    assert freed["blobs_removed"] == 1  # only v0's manifest
    assert by_version(usage(cli)) == {"animals:v1": (6 * MB, 6 * MB, 0)}
    fsck_ok(cli)


def test_du_across_artifacts_and_errors(cli: Runner, tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a", {"x.bin": b"1" * 1000, "y.bin": b"2" * 500})
    cli("put", a, "--name", "a", "--type", "t", expect=0)
    cli("put", a, "--name", "b", "--type", "t", expect=0)  # the same bytes: all shared
    doc = usage(cli)
    assert by_version(doc) == {"a:v0": (1500, 0, 1500), "b:v0": (1500, 0, 1500)}
    assert [(x["name"], x["stored_bytes"], x["unique_bytes"]) for x in doc["artifacts"]] == [
        ("a", 1500, 0),
        ("b", 1500, 0),
    ]
    assert doc["store"]["logical_bytes"] == 3000 and doc["store"]["dedup_ratio"] == 2.0
    cli("du", "nope", expect=4)
    cli("du", "a:v3", expect=4)
