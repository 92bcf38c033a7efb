#!/usr/bin/env bash
# Installs the Debian packages sitegen and its tests need, only those that are missing.
# Called by `make`; safe to run again (it does nothing when all are present).
set -euo pipefail

packages=(
  python3-venv        # `python3 -m venv` on Debian
  libpango-1.0-0      # WeasyPrint text layout
  libpangoft2-1.0-0
  libharfbuzz-subset0 # WeasyPrint font subsetting
  fonts-noto-cjk      # Chinese glyphs for pages and PDFs
  poppler-utils       # pdftotext/pdffonts, used by the PDF tests
  chromium            # the browser tests (search, accessibility) drive it headless
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv is only needed where the interpreter lacks ensurepip (Debian's split python).
if python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
# npm fetches Pagefind (the search index) and axe-core (accessibility tests); a Node.js
# from elsewhere (NodeSource's package carries npm) counts, so Debian's npm is added only
# when there is none at all.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sitegen: installing system packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "sitegen: these Debian packages are missing and I am not root: ${missing[*]}" >&2
    echo "         run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
