"""Builds widget/dist/smp-chat.js, the one file a clinic's page loads.

It is socket.io-client (installed from the npm registry by `npm ci` in widget/, see
scripts/install_widget.sh) wrapped so that it defines no global and ignores a host page's AMD/
CommonJS loader, then the widget's stylesheet as a string, then the widget. No bundler, nothing
loaded from a CDN at run time.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "widget"
SOCKET_IO = WIDGET / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
OUTPUT = WIDGET / "dist" / "smp-chat.js"


def build() -> str:
    if not SOCKET_IO.is_file():
        raise SystemExit(f"build_widget: {SOCKET_IO.relative_to(ROOT)} is missing: run `make install`")
    version = json.loads((WIDGET / "node_modules" / "socket.io-client" / "package.json").read_text())["version"]
    css = (WIDGET / "src" / "smp-chat.css").read_text(encoding="utf-8")
    widget = (WIDGET / "src" / "smp-chat.js").read_text(encoding="utf-8")
    return (
        f"/*! SMP Consult chat widget (MIT). Includes socket.io-client {version} (MIT, (c) Guillermo Rauch). */\n"
        "(function () {\n"
        "var module = { exports: {} }, exports = module.exports, define;\n"
        f"{SOCKET_IO.read_text(encoding='utf-8')}\n"
        "var io = module.exports;\n"
        f"var CSS_TEXT = {json.dumps(css)};\n"
        f"{widget}\n"
        "})();\n"
    )


if __name__ == "__main__":
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"build_widget: wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size // 1024} KiB)")
    sys.exit(0)
