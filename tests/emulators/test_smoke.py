"""The emulators work through the fsspec backends artifactctl uses, and pin what they return.

Each test talks real HTTP to a server on 127.0.0.1 (see servers.py); the ``loopback_only``
guard fails any test whose client tries to resolve or reach anything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.servers import (
    AzuriteServer,
    GCSServer,
    HTTPDir,
    HTTPServer,
    LoopbackGuard,
    S3Server,
    basic_auth_header,
    http_request,
    subprocess_env,
)

# Makes the fixtures available even before a conftest registers the plugin (same module name,
# so it is never registered twice).
pytest_plugins = ["tests.emulators.fixtures"]
pytestmark = [pytest.mark.emulators, pytest.mark.usefixtures("loopback_only")]

# Generous bound for "fails instead of hanging": not a timing assertion.
NO_HANG = 60.0


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a thread; its result or exception, or fail if it is still running."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        pytest.fail(f"still running after {seconds} s: a hang, not an error")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


# --------------------------------------------------------------------------------------------
# S3 (moto)


def test_s3_put_list_info_read(s3_fs: Any, s3_bucket: str) -> None:
    data = b"hello s3\n"
    s3_fs.pipe_file(f"{s3_bucket}/data/train/a.txt", data)
    s3_fs.pipe_file(f"{s3_bucket}/data/train/deeper/b.txt", b"b")
    s3_fs.pipe_file(f"{s3_bucket}/data/top.txt", b"t")

    assert s3_fs.cat_file(f"{s3_bucket}/data/train/a.txt") == data
    assert sorted(s3_fs.ls(f"{s3_bucket}/data", detail=False)) == [
        f"{s3_bucket}/data/top.txt",
        f"{s3_bucket}/data/train",
    ]
    assert sorted(s3_fs.find(f"{s3_bucket}/data/train")) == [
        f"{s3_bucket}/data/train/a.txt",
        f"{s3_bucket}/data/train/deeper/b.txt",
    ]

    info = s3_fs.info(f"{s3_bucket}/data/train/a.txt")
    assert info["type"] == "file"
    assert info["size"] == len(data)
    assert info["ETag"] == f'"{md5_hex(data)}"'  # single PUT: quoted md5 hex
    assert isinstance(info["VersionId"], str) and info["VersionId"]
    assert info["LastModified"].tzinfo is not None


def test_s3_versioned_overwrite_keeps_old_version(s3_fs: Any, s3_bucket: str) -> None:
    path = f"{s3_bucket}/model.bin"
    s3_fs.pipe_file(path, b"version one")
    v1 = s3_fs.info(path)["VersionId"]
    s3_fs.pipe_file(path, b"version two, longer")
    s3_fs.invalidate_cache()
    v2 = s3_fs.info(path)["VersionId"]

    assert v1 != v2
    assert s3_fs.cat_file(path) == b"version two, longer"
    assert s3_fs.cat_file(path, version_id=v1) == b"version one"
    assert s3_fs.cat_file(f"{path}?versionId={v1}") == b"version one"
    with s3_fs.open(path, "rb", version_id=v1) as f:
        assert f.read() == b"version one"
    assert s3_fs.info(path, version_id=v1)["size"] == len(b"version one")
    versions = {v["VersionId"]: v for v in s3_fs.object_version_info(path)}
    assert set(versions) == {v1, v2}
    assert versions[v1]["ETag"] == f'"{md5_hex(b"version one")}"'


def test_s3_unversioned_bucket_has_no_version_id(s3_fs: Any, s3_bucket_unversioned: str) -> None:
    path = f"{s3_bucket_unversioned}/k"
    s3_fs.pipe_file(path, b"x")
    assert s3_fs.info(path).get("VersionId") is None


def test_s3_create_only_write_is_enforced(s3_fs: Any, s3_bucket: str) -> None:
    path = f"{s3_bucket}/refs/alias"
    s3_fs.pipe_file(path, b"v1", mode="create")
    with pytest.raises(FileExistsError):
        s3_fs.pipe_file(path, b"v2", mode="create")
    assert s3_fs.cat_file(path) == b"v1"


def test_s3_bad_credentials_fail_fast(s3_strict_server: S3Server) -> None:
    good = s3_strict_server.filesystem()
    bucket = s3_strict_server.create_bucket()
    good.pipe_file(f"{bucket}/k", b"x")
    assert good.cat_file(f"{bucket}/k") == b"x"

    wrong_key = s3_strict_server.filesystem(key="AKIANOTAREALKEY00000", secret="nope")
    with pytest.raises(PermissionError):  # 403 InvalidAccessKeyId ("Forbidden" on HEAD)
        within(NO_HANG, lambda: wrong_key.cat_file(f"{bucket}/k"))
    wrong_secret = s3_strict_server.filesystem(secret="wrong-secret")
    with pytest.raises(PermissionError, match="signature"):
        within(NO_HANG, lambda: wrong_secret.ls(bucket))


# --------------------------------------------------------------------------------------------
# GCS (fake-gcs-server)


def test_gcs_put_list_info_read(gcs_fs: Any, gcs_bucket: str) -> None:
    import google_crc32c

    data = b"hello gcs\n"
    gcs_fs.pipe_file(f"{gcs_bucket}/data/train/a.txt", data)
    gcs_fs.pipe_file(f"{gcs_bucket}/data/train/deeper/b.txt", b"b")
    gcs_fs.pipe_file(f"{gcs_bucket}/data/top.txt", b"t")

    assert gcs_fs.cat_file(f"{gcs_bucket}/data/train/a.txt") == data
    assert sorted(gcs_fs.ls(f"{gcs_bucket}/data", detail=False)) == [
        f"{gcs_bucket}/data/top.txt",
        f"{gcs_bucket}/data/train",
    ]
    assert sorted(gcs_fs.find(f"{gcs_bucket}/data/train")) == [
        f"{gcs_bucket}/data/train/a.txt",
        f"{gcs_bucket}/data/train/deeper/b.txt",
    ]

    info = gcs_fs.info(f"{gcs_bucket}/data/train/a.txt")
    assert info["type"] == "file"
    assert info["size"] == len(data)
    assert info["generation"].isdigit()
    assert info["metageneration"] == "1"
    assert info["md5Hash"] == md5_b64(data)
    crc = google_crc32c.value(data).to_bytes(4, "big")
    assert info["crc32c"] == base64.b64encode(crc).decode()


def test_gcs_versioned_overwrite_keeps_old_generation(gcs_fs: Any, gcs_bucket: str) -> None:
    path = f"{gcs_bucket}/model.bin"
    gcs_fs.pipe_file(path, b"generation one")
    g1 = gcs_fs.info(path)["generation"]
    gcs_fs.pipe_file(path, b"generation two, longer")
    gcs_fs.invalidate_cache()
    g2 = gcs_fs.info(path)["generation"]

    assert g1 != g2
    assert gcs_fs.cat_file(path) == b"generation two, longer"
    assert gcs_fs.cat_file(path, generation=g1) == b"generation one"
    assert gcs_fs.cat_file(f"{path}#{g1}") == b"generation one"
    with gcs_fs.open(f"{path}#{g1}", "rb") as f:  # not open(path, generation=g1): gcsfs bug
        assert f.read() == b"generation one"
    assert gcs_fs.info(f"{path}#{g1}")["md5Hash"] == md5_b64(b"generation one")
    assert sorted(gcs_fs.ls(gcs_bucket, versions=True, detail=False)) == sorted(
        [f"{path}#{g1}", f"{path}#{g2}"]
    )


def test_gcs_unversioned_bucket_drops_old_generation(
    gcs_server: GCSServer, gcs_bucket_unversioned: str
) -> None:
    fs = gcs_server.filesystem(version_aware=True)
    path = f"{gcs_bucket_unversioned}/k"
    fs.pipe_file(path, b"one")
    g1 = fs.info(path)["generation"]
    fs.pipe_file(path, b"two")
    with pytest.raises(FileNotFoundError):
        fs.cat_file(f"{path}#{g1}")


def test_gcs_create_only_write_is_enforced(gcs_fs: Any, gcs_bucket: str) -> None:
    path = f"{gcs_bucket}/refs/alias"
    gcs_fs.pipe_file(path, b"v1", mode="create")
    with pytest.raises(FileExistsError):
        gcs_fs.pipe_file(path, b"v2", mode="create")
    assert gcs_fs.cat_file(path) == b"v1"


def test_gcs_bad_credentials_fail_fast_and_locally(
    gcs_server: GCSServer, gcs_bucket: str, tmp_path: Any
) -> None:
    # fake-gcs-server checks no credentials, so a wrong token cannot be refused by the server.
    # What can be checked: an unusable credentials file is an error, raised here, without
    # a hang and without any request to Google (the loopback guard would fail the test).
    creds = tmp_path / "sa.json"
    creds.write_text(json.dumps({"type": "service_account", "client_email": "x@y.z"}))
    with pytest.raises((ValueError, KeyError, OSError)):
        within(NO_HANG, lambda: gcs_server.filesystem(token=str(creds)).ls(gcs_bucket))


# --------------------------------------------------------------------------------------------
# Azure (Azurite)


def test_azure_put_list_info_read(azure_fs: Any, azure_container: str) -> None:
    data = b"hello azure\n"
    azure_fs.pipe_file(f"{azure_container}/data/train/a.txt", data)
    azure_fs.pipe_file(f"{azure_container}/data/train/deeper/b.txt", b"b")
    azure_fs.pipe_file(f"{azure_container}/data/top.txt", b"t")

    assert azure_fs.cat_file(f"{azure_container}/data/train/a.txt") == data
    assert sorted(azure_fs.ls(f"{azure_container}/data", detail=False)) == [
        f"{azure_container}/data/top.txt",
        f"{azure_container}/data/train",
    ]
    assert sorted(azure_fs.find(f"{azure_container}/data/train")) == [
        f"{azure_container}/data/train/a.txt",
        f"{azure_container}/data/train/deeper/b.txt",
    ]

    info = azure_fs.info(f"{azure_container}/data/train/a.txt")
    assert info["type"] == "file"
    assert info["size"] == len(data)
    assert info["etag"].startswith('"0x') and info["etag"].endswith('"')
    assert info["last_modified"].tzinfo is not None
    # set for single-shot uploads (pipe/put), None for block uploads through open("wb")
    assert bytes(info["content_settings"]["content_md5"]) == hashlib.md5(data).digest()


def test_azure_overwrite_changes_etag_no_versions(
    azurite_server: AzuriteServer, azure_container: str
) -> None:
    fs = azurite_server.filesystem(version_aware=True)
    path = f"{azure_container}/model.bin"
    fs.pipe_file(path, b"one")
    e1 = fs.info(path)["etag"]
    fs.pipe_file(path, b"two")
    fs.invalidate_cache()
    info = fs.info(path)
    assert info["etag"] != e1
    assert fs.cat_file(path) == b"two"
    # Azurite does not implement blob versioning: there is no old version to read.
    assert info.get("version_id") is None


def test_azure_create_only_write_is_enforced(azure_fs: Any, azure_container: str) -> None:
    path = f"{azure_container}/refs/alias"
    azure_fs.pipe_file(path, b"v1", mode="create")
    with pytest.raises(FileExistsError):
        azure_fs.pipe_file(path, b"v2", mode="create")
    assert azure_fs.cat_file(path) == b"v1"


def test_azure_bad_credentials_fail_fast(
    azurite_server: AzuriteServer, azure_container: str
) -> None:
    from azure.core.exceptions import HttpResponseError

    azurite_server.filesystem().pipe_file(f"{azure_container}/k", b"x")
    wrong_key = base64.b64encode(b"not the account key" * 3).decode()
    bad = azurite_server.filesystem(
        connection_string=azurite_server.connection_string(key=wrong_key)
    )
    # adlfs does not map the 403 to PermissionError: the product must catch azure.core errors.
    with pytest.raises(HttpResponseError) as err:
        within(NO_HANG, lambda: bad.cat_file(f"{azure_container}/k"))
    assert err.value.status_code == 403
    with pytest.raises(HttpResponseError):
        within(NO_HANG, lambda: bad.info(f"{azure_container}/k"))


# --------------------------------------------------------------------------------------------
# HTTP


def test_http_headers(http_server: HTTPServer, http_dir: HTTPDir) -> None:
    data = b"0123456789" * 10
    (http_dir.path / "blob.bin").write_bytes(data)
    url = http_dir.url("blob.bin")

    status, headers, body = http_request("HEAD", url)
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len(data))
    assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')
    assert headers["Last-Modified"].endswith(" GMT")
    assert headers["Accept-Ranges"] == "bytes"
    etag = headers["ETag"]

    status, headers, body = http_request("GET", url)
    assert (status, body, headers["ETag"]) == (200, data, etag)

    status, headers, body = http_request("GET", url, headers={"Range": "bytes=10-19"})
    assert (status, body, headers["Content-Range"]) == (206, data[10:20], "bytes 10-19/100")
    status, _, _ = http_request("GET", url, headers={"Range": "bytes=500-"})
    assert status == 416
    status, _, body = http_request("GET", url, headers={"If-None-Match": etag})
    assert (status, body) == (304, b"")

    (http_dir.path / "blob.bin").write_bytes(data + b"!")
    _, headers, _ = http_request("HEAD", url)
    assert headers["ETag"] != etag

    status, _, _ = http_request("GET", http_dir.url("missing.bin"))
    assert status == 404
    assert ("HEAD", f"/{http_dir.path.name}/blob.bin") in [
        (m, p) for m, p, _ in http_server.requests
    ]


def test_http_fsspec_info_and_read(http_fs: Any, http_dir: HTTPDir) -> None:
    data = b"hello http\n"
    (http_dir.path / "sub").mkdir()
    (http_dir.path / "sub" / "a.txt").write_bytes(data)
    (http_dir.path / "top.txt").write_bytes(b"t")
    url = http_dir.url("sub/a.txt")

    info = http_fs.info(url)
    assert info["size"] == len(data)
    assert info["ETag"].startswith('"')
    assert "Last-Modified" in info
    assert http_fs.cat_file(url) == data
    assert http_fs.cat_file(url, start=6, end=10) == b"http"
    with http_fs.open(url, "rb", block_size=4) as f:
        f.seek(6)
        assert f.read(4) == b"http"
    assert sorted(http_fs.find(http_dir.url(""))) == [
        http_dir.url("sub/a.txt"),
        http_dir.url("top.txt"),
    ]


def test_http_bad_credentials_fail_fast(tmp_path: Any) -> None:
    import aiohttp

    (tmp_path / "f.txt").write_bytes(b"secret")
    with HTTPServer(tmp_path, auth=("user", "right")) as server:
        assert server.filesystem().cat_file(server.url("f.txt")) == b"secret"
        wrong = {"Authorization": basic_auth_header("user", "wrong")}
        bad = server.filesystem(client_kwargs={"headers": wrong})
        with pytest.raises(aiohttp.ClientResponseError) as err:
            within(NO_HANG, lambda: bad.cat_file(server.url("f.txt")))
        assert err.value.status == 401
        # fsspec's HTTPFileSystem.info reports any failed HEAD/GET as FileNotFoundError
        with pytest.raises(FileNotFoundError):
            within(NO_HANG, lambda: bad.info(server.url("f.txt")))
        status, headers, _ = http_request("HEAD", server.url("f.txt"))
        assert status == 401 and "Basic" in headers["WWW-Authenticate"]


def test_http_server_can_omit_validators(tmp_path: Any) -> None:
    (tmp_path / "f.txt").write_bytes(b"abc")
    with HTTPServer(tmp_path, etag=False, last_modified=False, content_length=False) as server:
        status, headers, body = http_request("GET", server.url("f.txt"))
        assert (status, body) == (200, b"abc")
        assert not {"ETag", "Last-Modified", "Content-Length"} & set(headers)


# --------------------------------------------------------------------------------------------
# A subprocess reaches each server through env() alone


CHILD = textwrap.dedent(
    """
    import ipaddress, sys

    def loopback(host):
        if host in (None, "", "localhost"):
            return True
        if isinstance(host, bytes):
            host = host.decode()
        try:
            return ipaddress.ip_address(str(host)).is_loopback
        except ValueError:
            return False

    def hook(event, args):
        if event == "socket.getaddrinfo" and not loopback(args[0]):
            raise OSError(f"off-loopback lookup: {args[0]!r}")
        if event == "socket.connect" and isinstance(args[1], tuple) and not loopback(args[1][0]):
            raise OSError(f"off-loopback connect: {args[1]!r}")

    sys.addaudithook(hook)
    import fsspec

    fs, path = fsspec.url_to_fs(sys.argv[1])
    with fs.open(path + "/from-child/x.bin", "wb") as f:
        f.write(b"written by the child")
    print(type(fs).__name__, fs.cat_file(path + "/seed.txt").decode())
    """
)


@pytest.mark.parametrize("backend", ["s3", "gs", "az", "abfs"])
def test_subprocess_reaches_server_through_env(
    backend: str, request: pytest.FixtureRequest
) -> None:
    server: Any
    if backend == "s3":
        server = request.getfixturevalue("s3_server")
        root = request.getfixturevalue("s3_bucket")
    elif backend == "gs":
        server = request.getfixturevalue("gcs_server")
        root = request.getfixturevalue("gcs_bucket")
    else:
        server = request.getfixturevalue("azurite_server")
        root = request.getfixturevalue("azure_container")
    fs = server.filesystem()
    fs.pipe_file(f"{root}/seed.txt", b"seeded by the test")

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, f"{backend}://{root}"],
        env=subprocess_env(server),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = {"s3": "S3FileSystem", "gs": "GCSFileSystem"}.get(backend, "AzureBlobFileSystem")
    assert proc.stdout.split(" ", 1) == [expected, "seeded by the test\n"]
    fs.invalidate_cache()
    assert fs.cat_file(f"{root}/from-child/x.bin") == b"written by the child"


def test_loopback_guard_refuses_other_hosts(loopback_only: LoopbackGuard) -> None:
    # Calls the hook directly: nothing is ever sent anywhere, even if the guard were broken.
    loopback_only.hook("socket.connect", (None, ("127.0.0.1", 80)))
    loopback_only.hook("socket.getaddrinfo", ("localhost", 80, 0, 0, 0))
    loopback_only.hook("socket.connect", (None, "/run/some.sock"))
    with pytest.raises(OSError, match="loopback_only"):
        loopback_only.hook("socket.getaddrinfo", ("storage.googleapis.com", 443, 0, 0, 0))
    with pytest.raises(OSError, match="loopback_only"):
        loopback_only.hook("socket.connect", (None, ("169.254.169.254", 80)))
    assert len(loopback_only.violations) == 2
    loopback_only.violations.clear()


def test_in_process_env_fixtures(
    s3_env: dict[str, str], gcs_env: dict[str, str], s3_bucket: str, gcs_bucket: str
) -> None:
    import fsspec

    for url in (f"s3://{s3_bucket}/k.txt", f"gs://{gcs_bucket}/k.txt"):
        fs, path = fsspec.url_to_fs(url)
        fs.pipe_file(path, b"via env")
        assert fs.cat_file(path) == b"via env"
