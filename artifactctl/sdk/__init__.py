"""The Python API (``import artifactctl``): Store and Artifact, named after the W&B SDK."""
