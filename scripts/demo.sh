#!/usr/bin/env bash
# The main job on the embedded defaults, on a fresh machine: builds ehr-graph and runs the whole chain
# (`ehr-graph run`) on the MIMIC-IV demo and the open sample vocabulary into runs/demo.
# Extra arguments go to `ehr-graph run` (e.g. --mimic DIR, --neo4j URL, --force).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/EhrR1.Graph.Cli -c Release -nologo -clp:ErrorsOnly >&2
exec dotnet src/EhrR1.Graph.Cli/bin/Release/net10.0/ehr-graph.dll run --out runs/demo "$@"
