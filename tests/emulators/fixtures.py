"""pytest fixtures over ``tests/emulators/servers.py``.

Load them from the top-level conftest::

    pytest_plugins = ["tests.emulators.fixtures"]

Servers are session-scoped and lazy: a server starts the first time a test asks for it (directly
or through a bucket/filesystem fixture) and stops, by PID, at the end of the session. Under
pytest-xdist every worker has its own servers. Buckets and containers are fresh per test (unique
names), so tests never see each other's objects and nothing needs a reset.

If an emulator is not installed (Azurite missing: run ``tests/emulators/install.sh``), tests that
need it are skipped, or fail when ``ARTIFACTCTL_REQUIRE_EMULATORS=1`` (set it in CI).

Fixtures
    servers      ``s3_server``, ``s3_strict_server`` (checks credentials), ``gcs_server``,
                 ``azurite_server``, ``http_server``
    names        ``s3_bucket`` (versioned), ``s3_bucket_unversioned``, ``gcs_bucket`` (versioned),
                 ``gcs_bucket_unversioned``, ``azure_container``, ``http_dir`` (a fresh directory
                 served over HTTP: ``.path``, ``.url(rel)``)
    filesystems  ``s3_fs`` / ``gcs_fs`` (version aware), ``azure_fs``, ``http_fs``: fresh instances
    in-process   ``s3_env``, ``gcs_env``, ``azure_env``: set the same variables a subprocess gets
    environment  (``server.env()``) in this process for one test, patch fsspec's env-derived
                 config accordingly and clear fsspec's instance caches, so that
                 ``fsspec.url_to_fs("s3://…")`` with no options reaches the emulator
    guard        ``loopback_only``: an audit hook that refuses (and reports) any DNS lookup or
                 connection to anything but 127.0.0.1 / localhost / ::1 during the test
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from tests.emulators.servers import (
    AzuriteServer,
    EmulatorUnavailable,
    GCSServer,
    HTTPDir,
    HTTPServer,
    LoopbackGuard,
    S3Server,
    _Server,
    redirects_clients,
    subprocess_env,
    unique_name,
)

__all__ = ["HTTPDir", "LoopbackGuard", "subprocess_env"]  # for tests that import them

_S = TypeVar("_S", bound=_Server)


def _require_emulators() -> bool:
    return os.environ.get("ARTIFACTCTL_REQUIRE_EMULATORS", "").lower() not in ("", "0", "false")


def _session_server(server: _S) -> Iterator[_S]:
    try:
        server.start()
    except EmulatorUnavailable as e:
        if _require_emulators():
            pytest.fail(f"{e} (ARTIFACTCTL_REQUIRE_EMULATORS is set)", pytrace=False)
        pytest.skip(str(e))
    try:
        yield server
    finally:
        server.stop()


def _name_for(request: pytest.FixtureRequest) -> str:
    return unique_name(request.node.name.split("[")[0].removeprefix("test_"))


# --------------------------------------------------------------------------------------------
# servers (session, lazy)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto S3 on 127.0.0.1; accepts any credentials (use ``s3_strict_server`` to check them)."""
    yield from _session_server(S3Server())


@pytest.fixture(scope="session")
def s3_strict_server() -> Iterator[S3Server]:
    """A second moto S3 that authenticates requests: wrong keys get 403."""
    yield from _session_server(S3Server(strict_auth=True))


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[GCSServer]:
    """fake-gcs-server on 127.0.0.1 (checks no credentials)."""
    yield from _session_server(GCSServer())


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[AzuriteServer]:
    """Azurite blob service on 127.0.0.1 (checks Shared Key signatures; no versioning)."""
    yield from _session_server(AzuriteServer())


@pytest.fixture(scope="session")
def http_server() -> Iterator[HTTPServer]:
    """A threaded static HTTP server over a session temp dir (use ``http_dir`` per test)."""
    yield from _session_server(HTTPServer())


# --------------------------------------------------------------------------------------------
# fresh names (function)


@pytest.fixture
def s3_bucket(s3_server: S3Server, request: pytest.FixtureRequest) -> str:
    """A new S3 bucket with versioning enabled."""
    return s3_server.create_bucket(_name_for(request), versioned=True)


@pytest.fixture
def s3_bucket_unversioned(s3_server: S3Server, request: pytest.FixtureRequest) -> str:
    return s3_server.create_bucket(_name_for(request), versioned=False)


@pytest.fixture
def gcs_bucket(gcs_server: GCSServer, request: pytest.FixtureRequest) -> str:
    """A new GCS bucket with object versioning enabled (old generations stay readable)."""
    return gcs_server.create_bucket(_name_for(request), versioned=True)


@pytest.fixture
def gcs_bucket_unversioned(gcs_server: GCSServer, request: pytest.FixtureRequest) -> str:
    return gcs_server.create_bucket(_name_for(request), versioned=False)


@pytest.fixture
def azure_container(azurite_server: AzuriteServer, request: pytest.FixtureRequest) -> str:
    """A new Azure blob container (unversioned: Azurite has no blob versioning)."""
    return azurite_server.create_container(_name_for(request))


@pytest.fixture
def http_dir(http_server: HTTPServer, request: pytest.FixtureRequest) -> HTTPDir:
    name = _name_for(request)
    path = http_server.root / name
    path.mkdir()
    return HTTPDir(path=path, base_url=http_server.url(name))


# --------------------------------------------------------------------------------------------
# filesystems (function: fresh instances, never from fsspec's instance cache)


@pytest.fixture
def s3_fs(s3_server: S3Server) -> Any:
    """``s3fs.S3FileSystem(version_aware=True)`` on the moto server."""
    return s3_server.filesystem(version_aware=True)


@pytest.fixture
def gcs_fs(gcs_server: GCSServer) -> Any:
    """``gcsfs.GCSFileSystem(version_aware=True, token="anon")`` on fake-gcs-server."""
    return gcs_server.filesystem(version_aware=True)


@pytest.fixture
def azure_fs(azurite_server: AzuriteServer) -> Any:
    """``adlfs.AzureBlobFileSystem`` on Azurite."""
    return azurite_server.filesystem()


@pytest.fixture
def http_fs(http_server: HTTPServer) -> Any:
    """fsspec's ``HTTPFileSystem``."""
    return http_server.filesystem()


# --------------------------------------------------------------------------------------------
# the subprocess environment, applied in this process


def _apply_env(monkeypatch: pytest.MonkeyPatch, server: _Server) -> dict[str, str]:
    import fsspec
    import fsspec.config

    env = server.env()
    for key in list(os.environ):
        if redirects_clients(key):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # fsspec read FSSPEC_<PROTO>_<KW> when it was imported: mirror them into its config dict.
    derived: dict[str, dict[str, Any]] = {}
    fsspec.config.set_conf_env(derived, {k: v for k, v in env.items() if k.startswith("FSSPEC_")})
    for proto, kwargs in derived.items():
        monkeypatch.setitem(
            fsspec.config.conf, proto, {**fsspec.config.conf.get(proto, {}), **kwargs}
        )
    _clear_fsspec_caches()
    return env


def _clear_fsspec_caches() -> None:
    import fsspec

    for proto in ("s3", "gs", "az", "abfs", "http", "https"):
        try:
            cls = fsspec.get_filesystem_class(proto)
        except (ImportError, ValueError):
            continue
        cls.clear_instance_cache()


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """``s3_server.env()`` set in this process for one test (returns the variables)."""
    yield _apply_env(monkeypatch, s3_server)
    _clear_fsspec_caches()


@pytest.fixture
def gcs_env(gcs_server: GCSServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """``gcs_server.env()`` set in this process for one test (returns the variables)."""
    import gcsfs

    if gcsfs.GCSFileSystem.__name__ != "GCSFileSystem":
        pytest.fail(
            f"gcsfs was imported before GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false was set, so"
            f" fsspec's gs:// is {gcsfs.GCSFileSystem.__name__}, which probes every bucket over"
            " gRPC for 60 s: set the variable at the top of the root conftest.py",
            pytrace=False,
        )
    yield _apply_env(monkeypatch, gcs_server)
    _clear_fsspec_caches()


@pytest.fixture
def azure_env(
    azurite_server: AzuriteServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """``azurite_server.env()`` set in this process for one test (returns the variables)."""
    yield _apply_env(monkeypatch, azurite_server)
    _clear_fsspec_caches()


# --------------------------------------------------------------------------------------------
# loopback guard


_guard: LoopbackGuard | None = None


@pytest.fixture
def loopback_only() -> Iterator[LoopbackGuard]:
    """Refuse any DNS lookup / connection / datagram to a non-loopback host during the test.

    The audit hook raises OSError at the call site, before any system call, and the test fails
    at teardown if anything was refused (a client could swallow the error and fall back
    silently). Yields the guard: ``.violations`` lists what was refused.
    """
    global _guard
    if _guard is None:
        _guard = LoopbackGuard()
        sys.addaudithook(_guard.hook)  # cannot be removed: it is inert while not active
    guard = _guard
    guard.violations.clear()
    guard.active = True
    try:
        yield guard
    finally:
        guard.active = False
    if guard.violations:
        pytest.fail("non-loopback network use: " + "; ".join(guard.violations), pytrace=False)
