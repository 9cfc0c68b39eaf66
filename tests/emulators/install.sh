#!/usr/bin/env bash
# Install the pinned Azurite (Azure Blob emulator) into <repo>/.emulators/azurite/.
#
# Idempotent: does nothing (and prints nothing) when the pinned version is already installed.
# Needs Node >= 18 and npm on PATH (tested with Node 20.20.2 / npm 11.19.1). Azurite 3.36+ needs
# Node 22, hence the pin. Override with AZURITE_VERSION=... if you know what you are doing.
set -euo pipefail

AZURITE_VERSION="${AZURITE_VERSION:-3.35.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${ROOT}/.emulators/azurite"
BIN="${DEST}/node_modules/.bin/azurite-blob"
PKG="${DEST}/node_modules/azurite/package.json"

die() {
    echo "tests/emulators/install.sh: $*" >&2
    exit 1
}

installed_version() {
    [ -x "${BIN}" ] && [ -f "${PKG}" ] || return 1
    node -p "require(process.argv[1]).version" "${PKG}" 2>/dev/null
}

command -v node >/dev/null 2>&1 || die "node not found on PATH: install Node.js 20 (https://nodejs.org) and npm, then re-run"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH: install npm (it ships with Node.js 20), then re-run"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "${node_major}" -ge 18 ] || die "Node ${node_major} is too old for azurite@${AZURITE_VERSION}: need Node >= 18"

if [ "$(installed_version || true)" = "${AZURITE_VERSION}" ]; then
    exit 0
fi

echo "installing azurite@${AZURITE_VERSION} into ${DEST} ..."
mkdir -p "${DEST}"
# A package.json of its own keeps npm from walking up to some parent project.
if [ ! -f "${DEST}/package.json" ]; then
    printf '{\n  "name": "artifactctl-emulators",\n  "private": true\n}\n' >"${DEST}/package.json"
fi
npm install --prefix "${DEST}" --no-audit --no-fund --no-update-notifier --loglevel=error \
    --save-exact "azurite@${AZURITE_VERSION}" >/dev/null ||
    die "npm install azurite@${AZURITE_VERSION} failed (see npm's messages above)"

got="$(installed_version || true)"
[ "${got}" = "${AZURITE_VERSION}" ] ||
    die "expected azurite ${AZURITE_VERSION} in ${DEST}, found '${got:-nothing}'"
echo "azurite ${got} installed: ${BIN}"
