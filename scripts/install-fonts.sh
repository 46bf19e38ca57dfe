#!/usr/bin/env bash
# What the credit report (crates/report) needs on a machine, from Debian's
# packages; idempotent: installs only what is missing.
#
#   scripts/install-fonts.sh
#
# - fonts-noto-cjk: the CJK font the PDF report is typeset with (and embeds),
#   /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc;
# - poppler-utils (pdftotext, pdftoppm) and zbar-tools (zbarimg): the report
#   tests read the PDF's text back and decode its QR code.
set -euo pipefail

FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

missing=()
[ -f "$FONT" ] || missing+=(fonts-noto-cjk)
{ command -v pdftotext && command -v pdftoppm; } >/dev/null 2>&1 || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-fonts: CJK font, poppler-utils and zbar-tools already installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi

echo "install-fonts: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

[ -f "$FONT" ] || { echo "install-fonts: $FONT still missing" >&2; exit 1; }
echo "install-fonts: done"
