import pytest
from hypothesis import given
from hypothesis import strategies as st

from artifactctl.core.spec import Spec, parse_spec
from artifactctl.errors import UsageError


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mnist", Spec("mnist", alias="latest")),
        ("mnist:latest", Spec("mnist", alias="latest")),
        ("mnist:v0", Spec("mnist", version=0)),
        ("mnist:v12", Spec("mnist", version=12)),
        ("mnist:prod", Spec("mnist", alias="prod")),
        ("mnist@9f3a", Spec("mnist", digest_prefix="9f3a")),
        ("mnist@xxh3-128:9f3a", Spec("mnist", digest_prefix="9f3a")),
        ("model-registry/clf:production", Spec("model-registry/clf", alias="production")),
        ("reg/clf:v3", Spec("reg/clf", version=3)),
    ],
)
def test_parse(text: str, expected: Spec) -> None:
    assert parse_spec(text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        " ",
        "name:",
        "name::x",
        ":v1",
        "name:v-1",
        "name:v01",
        "@abcd",
        "name@ab",
        "name@XYZW",
        "a/b/c",
        "bad name",
        "n:v+1",
        "n:" + "x" * 200,
        "n:a:b",
        "/x",
        "x/",
    ],
)
def test_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_spec(bad)


names = st.from_regex(r"[A-Za-z0-9_.\-]{1,20}", fullmatch=True).filter(
    lambda s: s not in (".", "..")
)


@given(names, st.integers(min_value=0, max_value=10**9))
def test_version_round_trip(name: str, n: int) -> None:
    spec = parse_spec(f"{name}:v{n}")
    assert spec == Spec(name, version=n)
    assert parse_spec(str(spec)) == spec


@given(st.text(max_size=40))
def test_never_crashes(text: str) -> None:
    try:
        spec = parse_spec(text)
    except UsageError:
        return
    assert parse_spec(str(spec)) == spec
