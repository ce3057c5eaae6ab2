#!/usr/bin/env bash
# Build Fieldwork for this Linux machine with PyInstaller, then smoke-test what was built.
#
#   scripts/build_installer.sh              dist/Fieldwork/ (one folder) and dist/Fieldwork-VERSION-linux-ARCH.tar.gz
#   scripts/build_installer.sh --onefile    dist/fieldwork (one file)
#
# The build runs in its own virtual environment (build/installer-venv, made on first use with the
# [installer] extra), so the bundle holds what the app imports and nothing a developer installed.
# The smoke test: --version; --self-test (encrypted engagement, evidence, PDF, DOCX, XLSX, verify, reopen, the
# workspace) on Qt's offscreen platform; and the window on a virtual screen, whose screenshot must not be blank.
# SCREENSHOT names the screenshot tool (default ../shared/tools/screenshot.sh); without it that check is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/installer-venv
screenshot=${SCREENSHOT:-../shared/tools/screenshot.sh}
started=$SECONDS

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# A regular install of the checkout, not an editable one: PyInstaller's analysis finds modules on sys.path and
# cannot follow an editable install's import hook (app/ is installed as fieldwork.app).
"$venv/bin/pip" install -q ".[installer]"

# PyInstaller bundles the X11 libraries Qt's xcb plugin links only when this machine has them, and many desktops
# lack some (libxcb-cursor0 above all): a bundle built without them would not open its window there.
xcb_plugin=$("$venv/bin/python" -c \
  'import pathlib, PySide6; print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")')
missing=$(ldd "$xcb_plugin" | awk '/not found/ {print $1}')
if [ -n "$missing" ]; then
  # Debian names a library's package after its soname: libxcb-icccm.so.4 -> libxcb-icccm4, libGL.so.1 -> libgl1.
  packages=$(for lib in $missing; do
    name=${lib%%.so*}; name=${name,,}; number=${lib##*.so.}
    case $name in *[0-9]) echo "$name-$number" ;; *) echo "$name$number" ;; esac
  done)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  else
    echo "Qt's X11 plugin needs libraries this machine lacks; install them (Debian, Ubuntu:" \
      "apt-get install" $packages") and build again." >&2
    exit 1
  fi
fi

"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN build_installer.spec -- "$@"
built=$((SECONDS - started))

version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("fieldwork"))')
if [ "${1:-}" = "--onefile" ]; then program=dist/fieldwork; else program=dist/Fieldwork/fieldwork; fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== smoke test of $program"
reported=$("$program" --version)
[ "$reported" = "Fieldwork $version" ] || { echo "FAIL --version said '$reported'" >&2; exit 1; }
echo "ok   --version: $reported"
FIELDWORK_HOME="$scratch/home" QT_QPA_PLATFORM=offscreen "$program" --self-test
if [ -f "$screenshot" ]; then
  FIELDWORK_HOME="$scratch/window" bash "$screenshot" "$scratch/window.png" 8 "$program" --demo >/dev/null
  colours=$("$venv/bin/python" -c \
    'import sys; from PIL import Image; print(len(Image.open(sys.argv[1]).convert("RGB").getcolors(1 << 24)))' \
    "$scratch/window.png")
  # An empty virtual screen is one colour; the demo's dashboard is hundreds.
  [ "$colours" -ge 50 ] || { echo "FAIL window: the screenshot has $colours colours (blank)" >&2; exit 1; }
  echo "ok   window: the demo engagement on a virtual screen ($colours colours)"
else
  echo "skip window: no screenshot tool at $screenshot (set SCREENSHOT)"
fi

if [ "${1:-}" != "--onefile" ]; then
  archive="dist/Fieldwork-$version-linux-$(uname -m).tar.gz"
  tar -czf "$archive" -C dist Fieldwork
  echo "Built dist/Fieldwork ($(du -sh dist/Fieldwork | cut -f1)) and $archive ($(du -sh "$archive" | cut -f1))" \
    "in ${built}s; smoke test passed."
else
  echo "Built $program ($(du -sh "$program" | cut -f1)) in ${built}s; smoke test passed."
fi
