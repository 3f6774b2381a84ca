#!/usr/bin/env bash
# Page 1 and 2 of the demo PDF as PNG for the README (docs/demo-page-{1,2}.png):
# pdftoppm (Debian poppler-utils) at 100 dpi, then quantised to 64 colours with Pillow
# (a dev dependency) so each file stays well under 300 KB.
# Usage: bash docs/screenshots.sh [PDF]   (default: the demo's briefing.pdf)
set -euo pipefail
cd "$(dirname "$0")/.."
pdf=${1:-dongtai-demo/briefings/2026-05-06/briefing.pdf}
pdftoppm -png -r 100 -f 1 -l 2 "$pdf" docs/demo-page
.venv/bin/python - <<'PY'
from PIL import Image

for n in (1, 2):
    path = f"docs/demo-page-{n}.png"
    image = Image.open(path).convert("RGB")
    image.quantize(64, dither=Image.Dither.NONE).save(path, optimize=True)
    print(path)
PY
