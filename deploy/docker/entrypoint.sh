#!/bin/sh
# Container entry: runs the workspace named by $SERVICE.
#   gateway | auth | conversation | voice | usage  -> services/<name>/dist/main.js
#   chatgpt-sim                                     -> tools/chatgpt-sim/dist/main.js
# `exec` makes node the direct child of dumb-init, so SIGTERM reaches it unchanged.
# V8's options (the young generation's cap) come from NODE_OPTIONS, set once in deploy/Dockerfile.
set -eu

: "${SERVICE:?SERVICE must name a service (gateway, auth, conversation, voice, usage) or chatgpt-sim}"
case "$SERVICE" in
  */* | .*) echo "chatgate: invalid SERVICE='$SERVICE'" >&2; exit 64 ;;
esac

for dir in services tools; do
  main="/app/$dir/$SERVICE/dist/main.js"
  if [ -f "$main" ]; then
    exec node "$main" "$@"
  fi
done

echo "chatgate: no services/$SERVICE/dist/main.js or tools/$SERVICE/dist/main.js in this image" >&2
exit 64
