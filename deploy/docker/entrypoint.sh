#!/bin/sh
# Container entry: runs the workspace named by $SERVICE.
#   gateway | auth | conversation | voice | usage  -> services/<name>/dist/main.js
#   chatgpt-sim                                     -> tools/chatgpt-sim/dist/main.js
# `exec` makes node the direct child of dumb-init, so SIGTERM reaches it unchanged.
# --max-semi-space-size=4 (MB): V8's young generation otherwise grows to 2 x 16 MB under load and keeps
# it; capped, each service is about 20 MB smaller at start and after load, at no measurable cost in CPU
# per request (BENCHMARKS.md, notes). tools/bench and tools/run-stack.mjs start processes the same way.
set -eu

: "${SERVICE:?SERVICE must name a service (gateway, auth, conversation, voice, usage) or chatgpt-sim}"
case "$SERVICE" in
  */* | .*) echo "chatgate: invalid SERVICE='$SERVICE'" >&2; exit 64 ;;
esac

for dir in services tools; do
  main="/app/$dir/$SERVICE/dist/main.js"
  if [ -f "$main" ]; then
    exec node --max-semi-space-size=4 "$main" "$@"
  fi
done

echo "chatgate: no services/$SERVICE/dist/main.js or tools/$SERVICE/dist/main.js in this image" >&2
exit 64
