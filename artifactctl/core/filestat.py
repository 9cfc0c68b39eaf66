"""The few fields of a file's status that artifactctl keeps per file, in little memory.

An ``os.stat_result`` holds about fifteen Python numbers (roughly 600 bytes): at a million files,
two of them per file (as listed, as read) were over a gigabyte of a put's peak memory. A
:class:`FileStat` keeps the seven fields that are used, under the same attribute names, so code
written against ``os.stat_result`` works with either.
"""

from __future__ import annotations

import os


class FileStat:
    __slots__ = ("st_ctime_ns", "st_dev", "st_ino", "st_mode", "st_mtime_ns", "st_nlink", "st_size")

    st_mode: int
    st_dev: int
    st_ino: int
    st_nlink: int
    st_size: int
    st_mtime_ns: int
    st_ctime_ns: int

    def __init__(self, st: os.stat_result | FileStat) -> None:
        self.st_mode = st.st_mode
        self.st_dev = st.st_dev
        self.st_ino = st.st_ino
        self.st_nlink = st.st_nlink
        self.st_size = st.st_size
        self.st_mtime_ns = st.st_mtime_ns
        self.st_ctime_ns = st.st_ctime_ns

    def __repr__(self) -> str:
        return f"FileStat(size={self.st_size}, ino={self.st_ino}, mtime_ns={self.st_mtime_ns})"


StatLike = os.stat_result | FileStat
