#!/usr/bin/env bash
# The README's "test" command: set up, then type-check, lint and run every jest test
# (unit tests and the system tests that drive the real kernel sensor, rsyslog, pwsh and Wine).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/setup.sh"
exec npm test -- "$@"
