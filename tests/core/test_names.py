import pytest

from artifactctl.core.names import check_alias, check_name, check_portfolio
from artifactctl.errors import UsageError


def test_names() -> None:
    assert check_name("mnist-v2_final.1") == "mnist-v2_final.1"
    for bad in ["", "a b", "x" * 129, "a/b", "..", "é", "a:b"]:
        with pytest.raises(UsageError):
            check_name(bad)


def test_alias_may_not_look_like_a_version() -> None:
    with pytest.raises(UsageError, match="version"):
        check_alias("v3")
    assert check_alias("v3-candidate") == "v3-candidate"


def test_portfolio() -> None:
    assert check_portfolio("model-registry/clf") == "model-registry/clf"
    with pytest.raises(UsageError):
        check_portfolio("a/b/c")
