#!/usr/bin/env bash
# Optional: time ydata-profiling (default and minimal modes) on the same flights CSV that
# benchmarks/profile.py generates, in its own throwaway venv so thresher's pins stay clean.
# Usage: benchmarks/compare_ydata.sh /tmp/thresher-bench/flights_336776.csv
# Not run in CI. Prints wall time, peak RSS and HTML size for each mode.
set -euo pipefail
CSV=${1:?usage: compare_ydata.sh FILE.csv}
VENV=${YDATA_VENV:-/tmp/ydata-venv}
PY=${PYTHON:-python3.11}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q "ydata-profiling==${YDATA_VERSION:-4.16.1}" "setuptools<81"
fi
for mode in default minimal; do
  OUT="/tmp/ydata-$mode.html"
  /usr/bin/time -f "ydata-profiling $mode: %e s wall, %M KB peak RSS" "$VENV/bin/python" - "$CSV" "$mode" "$OUT" <<'PYEOF'
import sys
import pandas as pd
from ydata_profiling import ProfileReport
frame = pd.read_csv(sys.argv[1])
ProfileReport(frame, minimal=sys.argv[2] == "minimal", progress_bar=False).to_file(sys.argv[3])
PYEOF
  ls -l "$OUT" | awk '{printf "  html %.1f MB\n", $5 / 1e6}'
done
