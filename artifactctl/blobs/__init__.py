"""Content-addressed blobs on local disk, and materialization of them into directories."""

from artifactctl.blobs.store import BlobStore, IngestResult

__all__ = ["BlobStore", "IngestResult"]
