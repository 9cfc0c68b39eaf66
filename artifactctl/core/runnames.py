"""Run ids and readable default run names (``pleasant-flower-4``). Randomness is a parameter."""

from __future__ import annotations

import random
import re

from artifactctl.errors import UsageError

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 8
_RUN_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")

ADJECTIVES = (
    "amber",
    "ancient",
    "autumn",
    "bold",
    "brave",
    "bright",
    "calm",
    "celestial",
    "cheerful",
    "clear",
    "cosmic",
    "crimson",
    "dainty",
    "dazzling",
    "divine",
    "dry",
    "eager",
    "earnest",
    "elegant",
    "fancy",
    "fearless",
    "fiery",
    "fluent",
    "fresh",
    "gallant",
    "gentle",
    "glad",
    "golden",
    "graceful",
    "happy",
    "hardy",
    "honest",
    "icy",
    "jolly",
    "kind",
    "lively",
    "lucky",
    "lunar",
    "magic",
    "mellow",
    "misty",
    "morning",
    "noble",
    "northern",
    "olive",
    "patient",
    "peachy",
    "pleasant",
    "polished",
    "proud",
    "quiet",
    "radiant",
    "rare",
    "restful",
    "rosy",
    "royal",
    "rustic",
    "serene",
    "sharp",
    "silver",
    "smooth",
    "snowy",
    "solar",
    "spring",
    "stellar",
    "still",
    "sunny",
    "swift",
    "tender",
    "twilight",
    "vivid",
    "warm",
    "wild",
    "wise",
)
NOUNS = (
    "aurora",
    "bird",
    "blaze",
    "breeze",
    "brook",
    "butterfly",
    "canyon",
    "cedar",
    "cloud",
    "comet",
    "cosmos",
    "dawn",
    "dew",
    "dream",
    "dune",
    "eon",
    "feather",
    "field",
    "fire",
    "firefly",
    "flower",
    "fog",
    "forest",
    "frost",
    "galaxy",
    "glade",
    "grass",
    "harbor",
    "haze",
    "hill",
    "lake",
    "leaf",
    "meadow",
    "moon",
    "mountain",
    "night",
    "oasis",
    "ocean",
    "paper",
    "pine",
    "planet",
    "pond",
    "rain",
    "resonance",
    "river",
    "sea",
    "shadow",
    "sky",
    "smoke",
    "snow",
    "sound",
    "spaceship",
    "spark",
    "star",
    "stone",
    "sun",
    "sunset",
    "surf",
    "thunder",
    "tree",
    "valley",
    "violet",
    "voice",
    "water",
    "wave",
    "wind",
    "wood",
)


def make_id(rng: random.Random) -> str:
    """A random 8-character base-36 id (36^8 ≈ 2.8e12; the catalog rejects a duplicate)."""
    return "".join(rng.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def make_name(rng: random.Random, number: int) -> str:
    """``adjective-noun-NUMBER``; ``number`` is the run's ordinal in its project."""
    return f"{rng.choice(ADJECTIVES)}-{rng.choice(NOUNS)}-{number}"


def check_run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise UsageError(
            f"invalid run id {run_id!r}",
            hint="a run id uses lower-case letters, digits, '_' and '-', at most 64 characters",
        )
    return run_id


def check_run_text(kind: str, value: str | None, limit: int = 128) -> str | None:
    """Run names, projects, groups and job types: printable, one line, bounded."""
    if value is None:
        return None
    if not value.strip() or len(value) > limit or any(c in value for c in "\n\r\t\0"):
        raise UsageError(
            f"invalid {kind} {value!r}", hint=f"use one line of at most {limit} characters"
        )
    return value
