#!/usr/bin/env bash
# The README's "run" command: set up, then run the monitor in the foreground with the default
# config (or the arguments given), events printed as they happen and kept in the store.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/setup.sh"
if [ $# -eq 0 ]; then
  set -- run --config "$root/engine/config/default-linux.xml"
fi
exec node "$root/bin/sysmonts.cjs" "$@"
