#!/usr/bin/env bash
# Gives the inspection worker's files names that carry a content hash, as
# Trunk does for the page's own files (it does not for a worker), and tells
# the page the loader's name in a <meta name="polyarch-worker"> of
# index.html. A new build then never meets an old worker in a cache, and
# polyarch-proxy serves the worker as immutable like the rest.
#
# Run by Trunk after each build (Trunk.toml, post_build hook) on its staging
# directory; or by hand: scripts/site/hash-worker.sh DIR.
set -euo pipefail

dir=${1:-${TRUNK_STAGING_DIR:?"give the site directory, or run from Trunk"}}
js=$dir/polyarch-inspector.js
wasm=$dir/polyarch-inspector_bg.wasm
loader=$dir/polyarch-inspector_loader.js
for file in "$js" "$wasm" "$loader"; do
    [ -s "$file" ] || { echo "hash-worker: $file is missing or empty" >&2; exit 1; }
done

hash=$(cat "$js" "$wasm" | sha256sum | cut -c1-16)
name=polyarch-inspector-$hash
mv "$js" "$dir/$name.js"
mv "$wasm" "$dir/${name}_bg.wasm"
sed -e "s|\./polyarch-inspector\.js|./$name.js|" \
    -e "s|\./polyarch-inspector_bg\.wasm|./${name}_bg.wasm|" \
    "$loader" > "$dir/polyarch-inspector-loader-$hash.js"
rm "$loader"
grep -q "$name.js" "$dir/polyarch-inspector-loader-$hash.js" &&
    grep -q "${name}_bg.wasm" "$dir/polyarch-inspector-loader-$hash.js" ||
    { echo "hash-worker: the loader does not name the worker's files as expected" >&2; exit 1; }

meta="<meta name=\"polyarch-worker\" content=\"polyarch-inspector-loader-$hash.js\">"
grep -q "</head>" "$dir/index.html" ||
    { echo "hash-worker: $dir/index.html has no </head>" >&2; exit 1; }
sed -i "s|</head>|$meta</head>|" "$dir/index.html"
