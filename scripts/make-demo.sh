#!/usr/bin/env bash
# Regenerates the bundled demo data in demo/ with the project's own generator (fixed seeds, so
# the files are the same every time): one planted true positive among realistic background
# events and the rule's decoys, in three formats, one of them gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="node dist/cli/main.js"
$cli generate --format xml --size 200k --seed 1 --hits-per-gb 8000 --out demo/dc01-sysmon.xml.log --expected test/fixtures/demo-expected.jsonl
$cli generate --format ecs --size 150k --seed 1 --hits-per-gb 0 --out demo/ws-winlogbeat.ndjson --expected /dev/null
gzip -9 -n -f demo/ws-winlogbeat.ndjson
$cli generate --format evtxdump --size 60k --seed 2 --hits-per-gb 0 --out demo/fs02-evtx_dump.json --expected /dev/null
