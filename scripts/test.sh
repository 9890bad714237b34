#!/usr/bin/env bash
# The whole test suite on a fresh machine: restore, build, a local Neo4j server for the integration tests, then every
# test project, the real-browser tests included (headless Chromium from scripts/browser.sh; TorchSharp's libstdc++ fix
# is applied by the code itself where needed). Ends with the plain line "N passed, N failed, N skipped".
# Options: --filter EXPR (passed to dotnet test), --no-neo4j (integration tests that need it then fail, not skip,
# unless EHRR1_REQUIRE_INTEGRATION=0), --fast (the unit lane: no Neo4j, no Chromium, no integration, browser or
# end-to-end project, and no test marked Category=Slow or Category=Timing; a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

filter=""
use_neo4j=1
fast=0
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filter="$2"; shift 2 ;;
    --no-neo4j) use_neo4j=0; shift ;;
    --fast) fast=1; use_neo4j=0; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Tests that need the shared data or a service fail instead of skipping.
export EHRR1_REQUIRE_INTEGRATION="${EHRR1_REQUIRE_INTEGRATION:-1}"

echo "== restore and build" >&2
dotnet restore EhrR1.Graph.sln >&2
dotnet build EhrR1.Graph.sln -c Release --no-restore -nologo -clp:ErrorsOnly >&2

if [ "$use_neo4j" = 1 ] && [ -x scripts/neo4j.sh ]; then
  echo "== Neo4j server for integration tests" >&2
  scripts/neo4j.sh install >&2
  # start prints "export EHRR1_TEST_NEO4J_URI=..." lines on stdout
  trap 'scripts/neo4j.sh stop >&2 || true' EXIT
  if neo4j_env=$(scripts/neo4j.sh start); then
    eval "$neo4j_env"
  else
    echo "== Neo4j did not start (see the lines above); the integration tests that need it will fail" >&2
  fi
fi

# Headless Chromium for the real-browser tests (Debian's package; Playwright drives it, never downloads one).
# When it cannot be installed the browser tests fail (under EHRR1_REQUIRE_INTEGRATION=1) and say so.
if [ "$fast" = 0 ]; then
  echo "== Chromium for the Neo4j Browser tests" >&2
  if chromium_env=$(scripts/browser.sh install); then
    eval "$chromium_env"
  else
    echo "== Chromium could not be installed (see the lines above); the Neo4j Browser tests will fail" >&2
  fi
fi

projects=(tests/*.Tests/*.csproj tests/EhrR1.Graph.IntegrationTests/*.csproj tests/EhrR1.Graph.BrowserTests/*.csproj)
if [ "$fast" = 1 ]; then
  # the unit lane: every unit test project, none of the slow or clock-dependent tests
  projects=()
  for proj in tests/*.Tests/*.csproj; do
    case "$proj" in tests/EhrR1.Graph.EndToEnd.Tests/*) ;; *) projects+=("$proj") ;; esac
  done
  fast_filter="Category!=Slow&Category!=Timing"
  if [ -n "$filter" ]; then filter="($filter)&$fast_filter"; else filter="$fast_filter"; fi
fi

echo "== tests" >&2
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
test_status=0
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  args=(test "$proj" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results")
  if [ -n "$filter" ]; then args+=(--filter "$filter"); fi
  echo "-- $name" >&2
  set +e
  dotnet "${args[@]}" >&2
  status=$?
  set -e
  # exit code 8 = no test matched (an empty project or a filter): not a failure in itself
  if [ "$status" -ne 0 ] && [ "$status" -ne 8 ]; then test_status=$status; fi
done

passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed); err=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${err:-0} + ${to:-0} + ${ab:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # the runner failed without a failing test (a crashed test host, a build problem): count it as a failure
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
