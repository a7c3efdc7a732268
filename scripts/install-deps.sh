#!/usr/bin/env bash
# Installs what idkiosk needs on Debian 12 / Raspberry Pi OS: Debian packages (when root or sudo is
# available) and the npm packages from package-lock.json. Safe to run again: it skips what is present.
#   scripts/install-deps.sh           everything the test suite and benchmarks need
#   scripts/install-deps.sh --runtime  only what the daemon and the demo need
set -euo pipefail
cd "$(dirname "$0")/.."

# What a kiosk needs at run time. The Debian package (scripts/package.sh) depends on exactly these.
RUNTIME_DEBS=(
  pcscd                          # PC/SC daemon
  libopenjp2-tools               # opj_decompress: JPEG 2000 photos (licence DF2, residence card face) → PNG for the screen
  netpbm                         # tifftopnm: MMR/CCITT G4 TIFF (residence card front side, name) → PNG; pnmtotiff/opj_compress make the sim images
  bubblewrap                     # bwrap: the image decoders run sandboxed (no device key, no network; daemon/images/decoder-sandbox.ts)
  cage chromium                  # the kiosk screen (idkiosk-browser.service): Wayland kiosk compositor + browser
  fonts-ipafont-gothic           # Japanese UI text (IPA Gothic); without a Japanese font Chromium draws boxes
  fonts-ipamj-mincho             # IPAmj Mincho: the 文字情報基盤 glyphs that names on the card may use
  fonts-noto-cjk                 # Simplified Chinese and Korean screens (Noto Sans CJK)
  fonts-noto-core                # Latin, Vietnamese and Nepali/Devanagari screens (Noto Sans, Noto Sans Devanagari)
)
# What `npm ci` needs to build the native addons from a checkout (not a kiosk installed from the package).
BUILD_DEBS=(
  libpcsclite-dev                # headers for the pcsclite binding
  build-essential python3        # node-gyp for the native addons (pcsclite, better-sqlite3, serialport)
)
TEST_DEBS=(
  vsmartcard-vpcd                # virtual reader driver: virtual cards appear in the real pcscd
  opensc pcsc-tools              # independent PC/SC clients used as cross-checks in tests
  socat                          # PTY pairs: the real serialport talks to the virtual printer
  device-tree-compiler           # dtc: compile-checks the keypad overlays (drivers/keypad/overlays)
  iproute2 util-linux            # ip/unshare: private test network namespace with quickack loopback
  openssl                        # reference tool in tests and benchmarks
  time                           # GNU time: peak RSS of child processes in the CRL benchmark
  systemd                        # systemd-analyze verify on the unit files (works without systemd as PID 1)
  prometheus                     # promtool: check and unit-test the alert rules
  mmdebstrap lintian             # the Debian package: fresh-machine check in a clean root fs, package lint
  systemd-container              # systemd-nspawn: the units under systemd as PID 1
  qemu-user-static binfmt-support # the arm64 package and its check, through qemu
  postgresql                     # the fleet collector's store: a throw-away cluster in the fleet tests
)

# The spoken prompts (ui/voice/, scripts/build-voice.ts) are rendered on the build machine and shipped as
# audio files: a kiosk runs no synthesiser. Japanese and やさしい日本語 through Open JTalk with the HTS voice
# of the Nagoya Institute of Technology; the other languages through eSpeak NG; Opus/Ogg through opusenc.
VOICE_DEBS=(
  open-jtalk open-jtalk-mecab-naist-jdic   # Japanese text analysis + HMM synthesis (Debian main)
  hts-voice-nitech-jp-atr503-m001          # the Japanese voice (Debian contrib, not main: see below)
  espeak-ng                                # en, zh-Hans, ko, vi, pt-BR, fil, ne (Debian main)
  opus-tools                               # opusenc: WAV → Opus in Ogg (Debian main)
)

# The arm64 package built on an amd64 machine (scripts/package.sh cross-compiles its native addons):
# Debian's aarch64 compiler, and through dpkg multiarch the arm64 libpcsclite the pcsclite addon links
# against and the arm64 libstdc++ that dpkg-shlibdeps reads for the package's Depends:.
CROSS_ARM64_DEBS=(
  g++-aarch64-linux-gnu
  libpcsclite-dev:arm64 libstdc++6:arm64
)

DEBS=("${RUNTIME_DEBS[@]}" "${BUILD_DEBS[@]}")
[ "${1:-}" = --runtime ] || DEBS+=("${TEST_DEBS[@]}" "${VOICE_DEBS[@]}")
CROSS=0
if [ "${1:-}" != --runtime ] && [ "$(dpkg --print-architecture)" = amd64 ]; then DEBS+=("${CROSS_ARM64_DEBS[@]}"); CROSS=1; fi

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "install-deps: missing Debian packages (${missing[*]}) and no root/sudo to install them" >&2; exit 2
    fi
  fi
  echo "==> installing Debian packages: ${missing[*]}"
  if [ $CROSS = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "==> adding the arm64 architecture to dpkg (multiarch, for the cross-built arm64 package)"
    $SUDO dpkg --add-architecture arm64
  fi
  # The HTS voice is in Debian's contrib component only (bookworm: contrib/sound, binary-all; the voice is
  # free, its build needs non-free tools). Rather than enabling contrib for everything, a sources entry for
  # contrib plus an APT pin that allows exactly this one package from it (priority -1 for every other
  # package there): nothing else can ever be installed or upgraded through that entry.
  if printf '%s\n' "${missing[@]}" | grep -qx hts-voice-nitech-jp-atr503-m001 \
     && ! apt-cache policy hts-voice-nitech-jp-atr503-m001 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    echo "==> adding Debian contrib, pinned to hts-voice-nitech-jp-atr503-m001 only"
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: contrib\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$codename" | $SUDO tee /etc/apt/sources.list.d/idkiosk-voice-contrib.sources >/dev/null
    printf 'Package: *\nPin: release o=Debian,c=contrib\nPin-Priority: -1\n\nPackage: hts-voice-nitech-jp-atr503-m001\nPin: release o=Debian,c=contrib\nPin-Priority: 500\n' \
      | $SUDO tee /etc/apt/preferences.d/idkiosk-voice-contrib >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "==> Debian packages present"
fi


stamp=node_modules/.idkiosk-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
else
  echo "==> npm packages up to date"
fi

# The production bundle that bin/idkiosk.js and the services run (docs/packaging.md); about a second.
echo "==> building dist/idkiosk.mjs"
node_modules/.bin/tsx scripts/build.ts

# The spoken prompts (ui/voice/, docs/voice.md): rendered once per text, cached in dist/voice-cache/.
if [ "${1:-}" != --runtime ]; then
  echo "==> rendering the voice prompts"
  node_modules/.bin/tsx scripts/build-voice.ts
fi
