#!/usr/bin/env bash
# Bundles every fuzz target (test/fuzz/targets/*.ts) into one CommonJS file each, the form
# Jazzer.js instruments and loads: build/jazzer/<target>.cjs. See docs/reliability.md.
#   bash test/fuzz/build-jazzer.sh && npx jazzer build/jazzer/vrrp.cjs test/fuzz/corpus/vrrp -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/jazzer}
mkdir -p "$OUT"
for f in test/fuzz/targets/*.ts; do
  t=$(basename "$f" .ts)
  # import.meta.url (used for createRequire) becomes the bundle's own file URL in CommonJS.
  npx esbuild "$f" --bundle --platform=node --format=cjs --log-level=warning --outfile="$OUT/$t.cjs" \
    --define:import.meta.url=__vkImportMetaUrl --banner:js="const __vkImportMetaUrl = require('node:url').pathToFileURL(__filename).href;"
done
echo "bundled $(ls "$OUT"/*.cjs | wc -l) targets into $OUT"
