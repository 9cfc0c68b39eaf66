import sqlite3
from pathlib import Path

import pytest

from artifactctl.catalog import Catalog
from artifactctl.catalog import versions as q
from artifactctl.catalog.schema import MIGRATIONS, schema_version
from artifactctl.errors import ConflictError, IntegrityError, LockTimeoutError


def test_fresh_catalog_has_every_migration(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.db", create=True)
    names = [r[0] for r in cat.all("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(n for n, _ in MIGRATIONS)
    assert cat.one("PRAGMA user_version") == (schema_version(),)
    assert cat.one("PRAGMA journal_mode") == ("wal",)
    cat.close()
    Catalog(tmp_path / "c.db").close()  # re-opening applies nothing and does not fail


def test_newer_catalog_is_a_clear_error(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.db", create=True).close()
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("INSERT INTO migrations VALUES ('999_from_the_future', 0)")
    conn.commit()
    conn.close()
    with pytest.raises(IntegrityError, match="newer artifactctl"):
        Catalog(tmp_path / "c.db")


def test_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "c.db").write_bytes(b"garbage" * 1000)
    with pytest.raises(IntegrityError, match="damaged"):
        Catalog(tmp_path / "c.db")


def test_version_numbers_are_never_reused(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.db", create=True)
    with cat.write():
        art = q.ensure_artifact(cat, "a", "t", "now")
        assert [q.allocate_number(cat, art.id) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ConflictError):
        q.ensure_artifact(cat, "a", "other-type", "now")


def test_write_lock_timeout_names_the_holder(tmp_path: Path) -> None:
    holder = Catalog(tmp_path / "c.db", create=True)
    waiter = Catalog(tmp_path / "c.db", lock_timeout=0.2)
    with holder.write(), pytest.raises(LockTimeoutError, match="pid"), waiter.write():
        pass


def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.db", create=True)
    with pytest.raises(RuntimeError), cat.write():
        q.ensure_artifact(cat, "a", "t", "now")
        raise RuntimeError("boom")
    assert q.get_artifact(cat, "a") is None
