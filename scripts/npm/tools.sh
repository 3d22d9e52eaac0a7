#!/usr/bin/env bash
# Installs the npm tools that build and test the package (wasm-opt from
# binaryen, Vite, playwright-core, TypeScript) into scripts/npm/node_modules,
# exactly as package-lock.json pins them. Skips the install when the lock file
# has not changed since the last one.
set -euo pipefail
cd "$(dirname "$0")"

stamp=node_modules/.polyarch-lock.sha256
wanted=$(sha256sum package-lock.json | awk '{print $1}')
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi

echo "npm tools: installing from package-lock.json"
npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" > "$stamp"
