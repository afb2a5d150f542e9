#!/usr/bin/env bash
# Installs this package into an n8n user folder the way n8n's community-package installer does:
# the packed tarball unpacked into <user folder>/.n8n/nodes/node_modules/<package name>.
# n8n then loads it with the type `n8n-nodes-acedata-phone-verify.aceDataPhoneVerify`.
#
#   scripts/n8n/install-package.sh <N8N_USER_FOLDER>     # builds first unless SKIP_BUILD=1
set -euo pipefail

user_folder="${1:?usage: install-package.sh <N8N_USER_FOLDER>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

[[ "${SKIP_BUILD:-0}" == 1 ]] || npm run --silent build >/dev/null
name=$(node -p 'require("./package.json").name')
pack_dir=$(mktemp -d)
tarball=$(npm pack --silent --pack-destination "$pack_dir" | tail -n 1)
target="$user_folder/.n8n/nodes/node_modules/$name"
rm -rf "$target" && mkdir -p "$target"
tar -xzf "$pack_dir/$tarball" -C "$target" --strip-components=1
rm -rf "$pack_dir"
echo "$target"
