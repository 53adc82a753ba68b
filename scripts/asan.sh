#!/usr/bin/env bash
# Builds the native addon (src/native/*.c, as binding.gyp lists them) with AddressSanitizer into build/asan/ (build/Release is
# not touched) and runs the addon's tests against it with libasan preloaded into node. Any ASan
# report (heap overflow, use after free, double free, ...) makes this exit non-zero.
#
#   bash scripts/asan.sh            # or: npm run test:asan
#   VIPKEEPER_STRESS_ROUNDS=20 bash scripts/asan.sh   # longer stress
#
# How: node loads the addon from <root>/build/Release, <root> being two levels above
# src/net/native.ts. So the script assembles a private tree, build/asan/tree/, with copies of src/
# and test/ and links to node_modules and the TypeScript configs, compiles the addon there with
# -fsanitize=address, and runs the tests from that tree. Leak detection is off: node itself is not
# built with ASan and keeps allocations for its lifetime; every other check is on, and the first
# error aborts (halt_on_error) with the report in build/asan/logs/. Before the tests, a canary addon with a deliberate
# heap overflow (scripts/asan-canary.c) must be caught, so a broken setup cannot pass silently.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/asan
TREE=$OUT/tree
LOGS=$OUT/logs

LIBASAN=$(gcc -print-file-name=libasan.so)
if [ ! -e "$LIBASAN" ] || [ "$LIBASAN" = libasan.so ]; then echo "asan: libasan not found (apt-get install gcc)" >&2; exit 2; fi
LIBASAN=$(readlink -f "$LIBASAN")
NODE_INC=$(node -p "require('path').join(process.config.variables.node_prefix || '/usr', 'include', 'node')")
[ -f "$NODE_INC/node_api.h" ] || NODE_INC=/usr/include/node
[ -f "$NODE_INC/node_api.h" ] || { echo "asan: node_api.h not found (apt-get install libnode-dev or nodejs headers)" >&2; exit 2; }

rm -rf "$TREE" "$LOGS"
mkdir -p "$TREE/build/Release" "$LOGS"
cp -a src test "$TREE/"
for f in node_modules package.json tsconfig.json tsconfig.build.json; do ln -s "$ROOT/$f" "$TREE/$f"; done

# The addon's sources as binding.gyp lists them (every src/native/*.c if it cannot be read as JSON).
mapfile -t SOURCES < <(node -e "
  try { const g = JSON.parse(require('fs').readFileSync('binding.gyp', 'utf8'));
        for (const s of g.targets.find((t) => t.target_name === 'vipkeeper_sock').sources) console.log(s); }
  catch { for (const f of require('fs').readdirSync('src/native').filter((f) => f.endsWith('.c'))) console.log('src/native/' + f); }")
echo "asan: compiling ${SOURCES[*]} with -fsanitize=address"
gcc -shared -fPIC -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address -fno-sanitize-recover=all \
  -Wall -Wextra -Wno-unused-parameter -DNAPI_VERSION=8 -DBUILDING_NODE_EXTENSION -I"$NODE_INC" \
  -o "$TREE/build/Release/vipkeeper_sock.node" "${SOURCES[@]/#/$TREE/}"
nm -D "$TREE/build/Release/vipkeeper_sock.node" | grep __asan_report > /dev/null || { echo "asan: the addon is not instrumented" >&2; exit 1; }

ASAN_BASE="detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:allow_user_segv_handler=1:detect_odr_violation=0"

echo "asan: canary (a deliberate overflow must be reported)"
gcc -shared -fPIC -O0 -g -fsanitize=address -DNAPI_VERSION=8 -I"$NODE_INC" -o "$OUT/canary.node" scripts/asan-canary.c
set +e
LD_PRELOAD=$LIBASAN ASAN_OPTIONS="$ASAN_BASE:log_path=$OUT/canary" node -e "require('$OUT/canary.node').overflow()" 2>/dev/null
canary=$?
set -e
if [ $canary -ne 86 ] || ! grep -q heap-buffer-overflow "$OUT"/canary* 2>/dev/null; then
  echo "asan: the canary overflow was not detected (exit $canary): ASan is not working here" >&2; exit 1
fi
rm -f "$OUT"/canary.[0-9]*

TESTS=(test/unit/net/native-addon.test.ts test/unit/net/native-repeat.test.ts test/unit/net/native-dumps.test.ts test/unit/ipvs/netlink-inline-answers.test.ts test/reliability/native-stress.test.ts test/integration/check/tcp-batch.test.ts test/unit/check/tcp.test.ts)
# Privileged addon users when root: rtnetlink, raw sockets, and the VRRP flood (the transport's
# eBPF filter, batched receive and every drop path, in daemons that inherit LD_PRELOAD).
if [ "$(id -u)" = 0 ]; then TESTS+=(test/unit/net/native-quiet.test.ts test/integration/net/raw-socket.test.ts test/integration/net/rtnl.test.ts test/reliability/flood.test.ts); fi

cd "$TREE"
# The tests must load the instrumented addon from the tree, with libasan in the process.
LD_PRELOAD=$LIBASAN ASAN_OPTIONS="$ASAN_BASE" node --import tsx --input-type=module -e "
  const { native } = await import('$TREE/src/net/native.ts'); native();
  const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
  if (!maps.includes('$TREE/build/Release/vipkeeper_sock.node') || !maps.includes('libasan')) { console.error('asan: wrong addon or no libasan loaded'); process.exit(3); }"
set +e
LD_PRELOAD=$LIBASAN \
ASAN_OPTIONS="$ASAN_BASE:log_path=$LOGS/asan" \
  node --import tsx --test --test-concurrency=1 "${TESTS[@]}"
status=$?
set -e
cd "$ROOT"

if compgen -G "$LOGS/asan*" > /dev/null; then
  echo "asan: AddressSanitizer reported errors:" >&2
  cat "$LOGS"/asan* >&2
  exit 1
fi
if [ $status -ne 0 ]; then echo "asan: tests failed (exit $status)" >&2; exit $status; fi
echo "asan: no AddressSanitizer report; ${#TESTS[@]} test files passed with the instrumented addon"
