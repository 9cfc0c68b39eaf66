"""One adapter per storage backend, so that one contract test class runs against all of them.

Each adapter writes, overwrites and deletes objects through the backend's own client (never
through artifactctl), names them by URI, and gives the environment a CLI subprocess needs, plus
one that cannot reach the storage (an unreachable endpoint or wrong credentials).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.emulators.servers import DEAD_ENDPOINT, subprocess_env


@dataclass
class Backend:
    name: str
    keeps_versions: bool  # an overwritten/deleted object's pinned version stays readable
    pin_fields: tuple[str, ...]  # fields every pinned ref of this backend records
    env: dict[str, str] = field(default_factory=dict)
    broken_env: dict[str, str] = field(default_factory=dict)

    def uri(self, key: str) -> str:
        raise NotImplementedError

    def write(self, key: str, data: bytes) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def broken_uri(self, key: str) -> str:
        return self.uri(key)


class S3Backend(Backend):
    def __init__(self, server: Any, bucket: str) -> None:
        env = subprocess_env(server)
        dead = {**env, "AWS_ENDPOINT_URL_S3": f"http://{DEAD_ENDPOINT}"}
        dead["AWS_ENDPOINT_URL"] = dead["AWS_ENDPOINT_URL_S3"]
        super().__init__("s3", True, ("etag", "version_id", "size"), env, dead)
        self.client = server.client()
        self.bucket = bucket

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


class GCSBackend(Backend):
    def __init__(self, server: Any, bucket: str) -> None:
        env = subprocess_env(server)
        dead = {
            **env,
            "STORAGE_EMULATOR_HOST": f"http://{DEAD_ENDPOINT}",
            "ARTIFACTCTL_REFS_TIMEOUT": "3",
        }
        super().__init__("gs", True, ("generation", "md5", "crc32c", "size"), env, dead)
        self.fs = server.filesystem()
        self.bucket = bucket

    def uri(self, key: str) -> str:
        return f"gs://{self.bucket}/{key}"

    def write(self, key: str, data: bytes) -> None:
        self.fs.pipe_file(f"{self.bucket}/{key}", data)
        self.fs.invalidate_cache()

    def delete(self, key: str) -> None:
        self.fs.rm_file(f"{self.bucket}/{key}")
        self.fs.invalidate_cache()


class AzureBackend(Backend):
    def __init__(self, server: Any, container: str) -> None:
        env = subprocess_env(server)
        wrong_key = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk="  # well-formed base64, wrong key
        bad = {**env, "AZURE_STORAGE_CONNECTION_STRING": server.connection_string(key=wrong_key)}
        super().__init__("az", False, ("etag", "size"), env, bad)
        self.service = server.service_client()
        self.container = container

    def uri(self, key: str) -> str:
        return f"az://{self.container}/{key}"

    def write(self, key: str, data: bytes) -> None:
        blob = self.service.get_blob_client(self.container, key)
        blob.upload_blob(data, overwrite=True)

    def delete(self, key: str) -> None:
        self.service.get_blob_client(self.container, key).delete_blob()


class HTTPBackend(Backend):
    def __init__(self, http_dir: Any) -> None:
        env = subprocess_env()
        super().__init__("http", False, ("etag", "size", "last_modified"), env, env)
        self.dir = http_dir

    def uri(self, key: str) -> str:
        return str(self.dir.url(key))

    def broken_uri(self, key: str) -> str:
        return f"http://{DEAD_ENDPOINT}/{key}"

    def write(self, key: str, data: bytes) -> None:
        _write_file(self.dir.path / key, data)

    def delete(self, key: str) -> None:
        os.unlink(self.dir.path / key)


class FileBackend(Backend):
    def __init__(self, root: Path) -> None:
        env = subprocess_env()
        super().__init__("file", False, ("size", "mtime_ns", "content_digest"), env, env)
        self.root = root

    def uri(self, key: str) -> str:
        return f"file://{self.root}/{key}"

    def broken_uri(self, key: str) -> str:
        blocker = self.root / "not-a-directory"
        blocker.write_bytes(b"x")
        return f"file://{blocker}/{key}"  # stat fails with ENOTDIR: a storage error

    def write(self, key: str, data: bytes) -> None:
        _write_file(self.root / key, data)

    def delete(self, key: str) -> None:
        os.unlink(self.root / key)


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime_ns if path.exists() else None
    path.write_bytes(data)
    if before is not None and path.stat().st_mtime_ns == before:  # coarse clocks
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))
