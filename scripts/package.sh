#!/usr/bin/env bash
# `npm run package`: the Debian packages dist/idkiosk_<version>_<arch>.deb (docs/packaging.md).
#   scripts/package.sh                 amd64 (this machine), and arm64 when it can be built here (a cross
#                                      toolchain from install-deps.sh, or an arm64 build root)
#   scripts/package.sh --arch arm64    arm64 only
#   scripts/package.sh --no-lintian    skip lintian
# arm64 addons are cross-compiled with Debian's aarch64 toolchain (minutes); without it (or with
# IDKIOSK_PACKAGE_QEMU=1) they are built in an arm64 Debian root under qemu (scripts/package-buildroot.sh,
# about an hour the first time).
#
# What goes in: the production bundle (no TypeScript, no tsx), the production npm packages with their
# native addons built for the target architecture and stripped of build leftovers, the files the bundle
# reads at run time (ui/, package.json, the demo card's fixtures), the units, sysusers.d/tmpfiles.d
# entries, the keypad udev rule and device-tree overlays, and Depends: on every runtime package
# (RUNTIME_DEBS in scripts/install-deps.sh, plus nodejs and the shared libraries of the addons).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ARCHES=()
LINT=1
while [ $# -gt 0 ]; do
  case $1 in
    --arch) ARCHES+=("$2"); shift 2 ;;
    --no-lintian) LINT=0; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "package: unknown option $1" >&2; exit 2 ;;
  esac
done
HOST_ARCH=$(dpkg --print-architecture)

# Cross-compiling the addons for ARCH on this machine: Debian's cross compiler and, through dpkg
# multiarch, the target's libpcsclite (to link against) and libstdc++ (for dpkg-shlibdeps). Node's
# headers are the same for every architecture. install-deps.sh installs all of it on amd64.
triplet() { case $1 in arm64) echo aarch64-linux-gnu ;; amd64) echo x86_64-linux-gnu ;; *) return 1 ;; esac; }
npm_cpu() { case $1 in arm64) echo arm64 ;; amd64) echo x64 ;; *) echo "$1" ;; esac; }
can_cross() {
  local t; t=$(triplet "$1") || return 1
  [ "${IDKIOSK_PACKAGE_QEMU:-0}" != 1 ] && command -v "$t-g++" >/dev/null \
    && [ -e "/usr/lib/$t/libpcsclite.so" ] && [ -e "/usr/lib/$t/libstdc++.so.6" ]
}

if [ ${#ARCHES[@]} -eq 0 ]; then
  ARCHES=("$HOST_ARCH")
  [ "$HOST_ARCH" != arm64 ] && { can_cross arm64 || [ -x dist/buildroot-arm64/usr/bin/node ]; } && ARCHES+=(arm64)
fi

VERSION=$(node -p "require('./package.json').version")
OUT=$ROOT/dist
mkdir -p "$OUT"

echo "==> bundle"
node_modules/.bin/tsx scripts/build.ts
# The spoken prompts the package ships in ui/voice/ (the kiosk runs no synthesiser): rendered here, from
# the cache when unchanged; fails when a prompt is missing or the synthesisers are absent.
echo "==> voice prompts"
node_modules/.bin/tsx scripts/build-voice.ts

# The runtime Debian packages, from the one list install-deps.sh installs.
runtime_debs() {
  sed -n '/^RUNTIME_DEBS=(/,/^)/p' scripts/install-deps.sh | sed '1d;$d' | sed 's/#.*//' | tr -s ' \n' '\n' | sed '/^$/d'
}

# Production node_modules for ARCH, cached by lock file + arch (a rebuild of the addons costs minutes).
prod_modules() {
  local arch=$1 key cache
  # bump MODULES_RECIPE when prune_modules or the install steps change: the cache is keyed on it
  local MODULES_RECIPE=5
  key=$( (cat package.json package-lock.json; echo "$MODULES_RECIPE") | sha256sum | cut -c1-16)
  cache=$OUT/package-cache/modules-$arch-$key
  # .complete: written last, so a build that failed half-way is never taken for a cached one
  if [ -f "$cache/.complete" ]; then echo "$cache"; return; fi
  rm -rf "$OUT/package-cache/modules-$arch-"* && mkdir -p "$cache"
  # package.json as shipped: no tsx (the bundle needs no compiler), no dev dependencies, no scripts
  node -e '
    const p = require("./package.json");
    delete p.dependencies.tsx; delete p.devDependencies; delete p.scripts;
    process.stdout.write(JSON.stringify(p, null, 2) + "\n");' > "$cache/package.shipped.json"
  cp package.json package-lock.json "$cache/"
  if [ "$arch" = "$HOST_ARCH" ]; then
    (cd "$cache" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
      && cp package.shipped.json package.json && npm prune --omit=dev --no-audit --no-fund --loglevel=error >&2)
    host_addons "$cache/node_modules"
  elif can_cross "$arch"; then
    # the target's packages (npm's --cpu/--os/--libc pick its optional binaries), no install scripts: the
    # addons without a prebuilt binary are cross-compiled below
    local plat=(--os=linux --cpu="$(npm_cpu "$arch")" --libc=glibc)
    (cd "$cache" && npm ci --omit=dev --ignore-scripts "${plat[@]}" --no-audit --no-fund --loglevel=error >&2 \
      && cp package.shipped.json package.json && npm prune --omit=dev "${plat[@]}" --no-audit --no-fund --loglevel=error >&2)
    cross_addons "$cache/node_modules" "$arch"
  else
    local br=$OUT/buildroot-$arch
    [ -x "$br/usr/bin/node" ] || bash scripts/package-buildroot.sh "$arch" >&2
    rm -rf "$br/build" && mkdir -p "$br/build" && cp "$cache"/package*.json "$br/build/"
    # in private mount and PID namespaces, so /proc and /dev for the build root go away with it
    unshare --mount --pid --fork -- /bin/sh -c '
      mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && cp /etc/resolv.conf "$1/etc/resolv.conf"
      # this machine'"'"'s trust store, so npm inside reaches the registry through the same (proxy) CAs
      cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/build-host-ca.crt"
      exec chroot "$1" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root NODE_EXTRA_CA_CERTS=/etc/ssl/certs/build-host-ca.crt /bin/sh -c "cd /build && npm ci --omit=dev --no-audit --no-fund --loglevel=error && cp package.shipped.json package.json && npm prune --omit=dev --no-audit --no-fund --loglevel=error"' sh "$br" >&2
    mv "$br/build/node_modules" "$cache/"
  fi
  prune_modules "$cache/node_modules" "$arch"
  elf_machines "$cache/node_modules" "$arch"
  sd_notify_binary "$cache/node_modules" "$arch"
  touch "$cache/.complete"
  echo "$cache"
}

# The native addons for this machine's architecture: the checkout's node_modules already holds them, built
# by `npm ci` from the same lock file for the same Node.js; copy those (compiling SQLite alone takes
# minutes), and build only an addon whose version differs.
host_addons() {
  local nm=$1 gyp pkg name
  for gyp in "$nm"/*/binding.gyp "$nm"/@*/*/binding.gyp; do
    [ -f "$gyp" ] || continue
    pkg=$(dirname "$gyp"); name=${pkg#"$nm"/}
    [ -d "$pkg/prebuilds" ] && continue # node-gyp-build loads the prebuilt binary for the platform
    if [ -f "node_modules/$name/package.json" ] && cmp -s "node_modules/$name/package.json" "$pkg/package.json" \
       && ls "node_modules/$name/build/Release/"*.node >/dev/null 2>&1; then
      mkdir -p "$pkg/build/Release" && cp "node_modules/$name/build/Release/"*.node "$pkg/build/Release/"
    else
      echo "    building $name for $HOST_ARCH" >&2
      (cd "$(dirname "$nm")" && npm rebuild "$name" --no-audit --no-fund --loglevel=error >&2)
    fi
  done
}

# The addons without a prebuilt binary for ARCH (better-sqlite3, pcsclite, epoll), compiled here with the
# cross toolchain. SQLite is most of the time: ~8 min at a load of 14 on this 2-core machine.
cross_addons() {
  local nm=$1 arch=$2 t gyp pkg gypjs nodedir=()
  t=$(triplet "$arch")
  gypjs=$ROOT/node_modules/node-gyp/bin/node-gyp.js
  [ -f "$gypjs" ] || gypjs=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  # the installed Node's headers (Debian/NodeSource nodejs ships them): no download from nodejs.org. The
  # addons need the same Node major (ABI 115 for Node 20) as the target, which the package's Depends pins.
  [ -f /usr/include/node/node_version.h ] && nodedir=(--nodedir=/usr)
  for gyp in "$nm"/*/binding.gyp "$nm"/@*/*/binding.gyp; do
    [ -f "$gyp" ] || continue
    pkg=$(dirname "$gyp")
    [ -d "$pkg/prebuilds/linux-$(npm_cpu "$arch")" ] && continue # node-gyp-build loads the prebuilt one
    echo "    cross-compiling ${pkg#"$nm"/} for $arch" >&2
    (cd "$pkg" && CC=$t-gcc CXX=$t-g++ LINK=$t-g++ AR=$t-ar nice -n 5 node "$gypjs" rebuild --release \
      --arch="$(npm_cpu "$arch")" "${nodedir[@]}" -j 2 > "$OUT/package-cross-${pkg##*/}.log" 2>&1) \
      || { tail -20 "$OUT/package-cross-${pkg##*/}.log" >&2; echo "package: cross-compiling ${pkg#"$nm"/} failed" >&2; exit 1; }
  done
}

# Every ELF object in the modules is for ARCH (e_machine at byte 18 of the ELF header).
elf_machines() {
  local nm=$1 arch=$2 want f m
  want=$(case $arch in arm64) echo 183 ;; amd64) echo 62 ;; esac)
  while IFS= read -r -d '' f; do
    [ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = 177ELF ] || continue
    m=$(od -An -t u2 -j 18 -N 2 "$f" | tr -d ' ')
    [ "$m" = "$want" ] || { echo "package: ${f#"$nm"/} is ELF machine $m, not $arch ($want)" >&2; exit 1; }
  done < <(find "$nm" -type f \( -name '*.node' -o -name '*.so*' \) -print0)
}

# sd_notify (Type=notify, watchdog) needs the unix-dgram addon built for the target: without it the daemon
# cannot tell systemd it is ready and idkiosk.service never starts. npm skips a failed optional build
# silently, so check here.
sd_notify_binary() {
  local nm=$1
  ls "$nm"/unix-dgram/build/Release/unix_dgram.node >/dev/null 2>&1 && return 0
  echo "package: unix-dgram (sd_notify) was not built for $2: idkiosk.service (Type=notify) would never start" >&2
  exit 1
}

# Build leftovers and other platforms' binaries out; what stays is what runs.
prune_modules() {
  local nm=$1 arch=$2 keep
  keep=$([ "$arch" = arm64 ] && echo linux-arm64 || echo linux-x64)
  for d in "$nm"/*/build "$nm"/@*/*/build; do
    [ -d "$d/Release" ] || continue
    find "$d" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
    find "$d/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
    rm -f "$d/Release/test_extension.node"
    local pkg; pkg=$(dirname "$d")
    [ -f "$pkg/binding.gyp" ] && rm -rf "$pkg/deps" "$pkg/src" "$pkg/binding.gyp"
  done
  for p in "$nm"/@serialport/bindings-cpp/prebuilds; do
    [ -d "$p" ] && find "$p" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + && find "$p" -name '*musl*' -delete
  done
  # addons that load a prebuilt binary: their C++ sources are build leftovers too
  for gyp in "$nm"/*/binding.gyp "$nm"/@*/*/binding.gyp; do
    [ -f "$gyp" ] && [ -d "$(dirname "$gyp")/prebuilds" ] && rm -rf "$(dirname "$gyp")/src" "$gyp"
  done
  # headers-only helpers of node-gyp builds, and test/CI/VCS clutter
  rm -rf "$nm"/node-addon-api "$nm"/nan "$nm"/.package-lock.json
  find "$nm" \( -name .npmignore -o -name .gitignore -o -name .gitattributes -o -name .gitmodules -o -name .editorconfig \) -delete
  find "$nm" \( -name '*.o' -o -name '*.a' -o -name '*.obj' -o -name '*.gyp' -o -name '*.gypi' -o -name Makefile -o -name '*.mk' -o -name '.github' -o -name '.travis.yml' -o -name '.eslintrc*' \) -prune -exec rm -rf {} +
  find "$nm" -mindepth 1 -type d -empty -delete # e.g. @esbuild/ after npm prune removed its only package
}

# Addons stripped with the target's binutils: the host's strip cannot read another machine's objects (it
# failed silently on the cross-compiled arm64 addons, and lintian reported unstripped-binary-or-object).
strip_addons() {
  local nm=$1 arch=$2 strip=strip t f
  if [ "$arch" != "$HOST_ARCH" ] && t=$(triplet "$arch") && command -v "$t-strip" > /dev/null; then strip=$t-strip; fi
  while IFS= read -r -d '' f; do
    "$strip" --strip-unneeded "$f" || { echo "package: $strip cannot strip ${f#"$nm"/} ($arch)" >&2; exit 1; }
  done < <(find "$nm" -name '*.node' -type f -print0)
}

build_deb() {
  local arch=$1 modules stage deb
  echo "==> idkiosk_${VERSION}_${arch}.deb"
  modules=$(prod_modules "$arch")
  stage=$OUT/package-stage-$arch
  rm -rf "$stage" && mkdir -p "$stage"
  local app=$stage/usr/lib/idkiosk
  mkdir -p "$app/bin" "$app/dist" "$app/systemd" "$app/drivers/sim/mynumber"
  cp -a "$modules/node_modules" "$app/"
  # C/C++ sources anywhere (an addon's examples and tests), then the directories that leaves empty
  find "$app/node_modules" \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \) -delete
  find "$app/node_modules" -mindepth 1 -type d -empty -delete
  strip_addons "$app/node_modules" "$arch"
  cp "$modules/package.shipped.json" "$app/package.json"
  cp bin/idkiosk.js bin/fresh-bundle.js "$app/bin/"
  # the bundle is the stub dist/idkiosk.mjs and the build directory it imports (entry + chunks); the
  # directory is read from the stub copied, so the two always belong together
  cp dist/idkiosk.mjs "$app/dist/"
  local build; build=$(sed -n "s|^import '\./\(bundle-[0-9a-z-]*\)/idkiosk\.mjs';\$|\1|p" "$app/dist/idkiosk.mjs")
  [ -n "$build" ] && [ -f "dist/$build/idkiosk.mjs" ] || { echo "package: dist/idkiosk.mjs names no build directory" >&2; exit 1; }
  cp -a "dist/$build" "$app/dist/" && rm -f "$app/dist/$build/meta.json"
  cp -a ui "$app/" && rm -f "$app"/ui/*.d.ts # type declarations are for the sources only
  rm -f "$app"/ui/voice/*/*.tmp-* # an interrupted render's leftovers, never shipped
  cp -a drivers/sim/mynumber/fixtures "$app/drivers/sim/mynumber/"
  install -m 0755 systemd/idkiosk-browser.sh systemd/idkiosk-decode.sh "$app/systemd/"
  mkdir -p "$stage/usr/bin" && ln -s ../lib/idkiosk/bin/idkiosk.js "$stage/usr/bin/idkiosk"
  chmod 0755 "$app/bin/idkiosk.js"
  # units, users, directories, udev, overlays
  install -d "$stage/usr/lib/systemd/system" "$stage/usr/lib/sysusers.d" "$stage/usr/lib/tmpfiles.d" "$stage/usr/lib/udev/rules.d" "$app/overlays"
  install -m 0644 systemd/*.service systemd/*.timer systemd/*.socket "$stage/usr/lib/systemd/system/"
  install -m 0644 systemd/idkiosk.sysusers.conf "$stage/usr/lib/sysusers.d/idkiosk.conf"
  install -m 0644 packaging/debian/tmpfiles.conf "$stage/usr/lib/tmpfiles.d/idkiosk.conf"
  install -m 0644 drivers/keypad/udev/65-idkiosk-keypad.rules "$stage/usr/lib/udev/rules.d/"
  install -d "$stage/usr/share/polkit-1/rules.d"
  install -m 0644 packaging/debian/polkit-pcscd.rules "$stage/usr/share/polkit-1/rules.d/60-idkiosk-pcscd.rules"
  for dts in drivers/keypad/overlays/*.dts; do
    install -m 0644 "$dts" "$app/overlays/"
    if command -v dtc >/dev/null; then dtc -q -@ -I dts -O dtb -o "$app/overlays/$(basename "$dts" .dts).dtbo" "$dts"; fi
  done
  # documentation
  local doc=$stage/usr/share/doc/idkiosk
  install -d "$doc"
  install -m 0644 packaging/debian/copyright "$doc/copyright"
  install -m 0644 docs/operations.md docs/packaging.md docs/trust-anchors.md docs/voice.md "$doc/"
  { printf 'idkiosk (%s) unstable; urgency=medium\n\n  * Release %s. See the git history for changes.\n\n -- idkiosk maintainers <idkiosk@localhost.invalid>  %s\n' \
      "$VERSION" "$VERSION" "$(git log -1 --format=%aD 2>/dev/null || date -R)"; } | gzip -9n > "$doc/changelog.gz"
  # normalise modes (npm tarballs carry odd ones) and ownership (root, via --root-owner-group)
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -type f ! -perm -u+x -exec chmod 0644 {} +
  # executable only what is: scripts with #! and ELF programs (addons are shared objects: 0644)
  find "$stage" -type f -perm -u+x -print0 | while IFS= read -r -d '' f; do
    case $(head -c2 "$f" | od -An -c | tr -d ' ') in
      '#!') chmod 0755 "$f" ;;
      *) chmod 0644 "$f" ;;
    esac
  done

  # Depends: the runtime packages, nodejs 20, and what the addons link against (dpkg-shlibdeps)
  local shlibs deps
  shlibs=$(shlib_depends "$stage" "$arch")
  local runtime; runtime=$(runtime_debs | grep -vxF -f <(printf '%s\n' ${IDKIOSK_PACKAGE_DROP_DEPENDS:-}) | paste -sd, | sed 's/,/, /g')
  # IDKIOSK_PACKAGE_DROP_DEPENDS="pkg …": a deliberately broken package, to show the fresh-machine check fails
  [ -n "${IDKIOSK_PACKAGE_DROP_DEPENDS:-}" ] && echo "    WITHOUT dependencies: $IDKIOSK_PACKAGE_DROP_DEPENDS (test only)" >&2
  deps="nodejs (>= 20), $runtime, init-system-helpers (>= 1.54~), systemd${shlibs:+, $shlibs}"
  install -d "$stage/DEBIAN"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$deps/" \
      -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" packaging/debian/control.in > "$stage/DEBIAN/control"
  install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$stage/DEBIAN/"
  (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |' > DEBIAN/md5sums)
  deb=$OUT/idkiosk_${VERSION}_${arch}.deb
  [ -n "${IDKIOSK_PACKAGE_DROP_DEPENDS:-}" ] && deb=$OUT/broken/idkiosk_${VERSION}_${arch}.deb && mkdir -p "$OUT/broken"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  echo "    $deb ($(du -h "$deb" | cut -f1), installed $(du -sh --exclude=DEBIAN "$stage" | cut -f1))"
  if [ $LINT = 1 ] && command -v lintian >/dev/null; then
    # --allow-root: CI runs as root. Errors fail the build; warnings are reported.
    lintian --allow-root --tag-display-limit 0 --suppress-tags-from-file packaging/debian/lintian-overrides.txt "$deb" | tee "$OUT/lintian-$arch.txt" >&2 || true
    if grep -q '^E:' "$OUT/lintian-$arch.txt"; then echo "package: lintian errors (dist/lintian-$arch.txt)" >&2; exit 1; fi
  fi
}

# libc6/libstdc++6/libpcsclite1 … with versions, from the ELF files in the package.
shlib_depends() {
  local stage=$1 arch=$2 tmp elfs
  mapfile -t elfs < <(find "$stage" -name '*.node' -type f)
  [ ${#elfs[@]} -gt 0 ] || return 0
  if [ "$arch" != "$HOST_ARCH" ] && can_cross "$arch"; then
    # the target's libraries and shlibs files are here through multiarch
    tmp=$(mktemp -d)
    mkdir -p "$tmp/debian" && printf 'Source: idkiosk\n\nPackage: idkiosk\nArchitecture: any\n' > "$tmp/debian/control"
    (cd "$tmp" && DEB_HOST_ARCH=$arch dpkg-shlibdeps -O --ignore-missing-info "${elfs[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
    rm -rf "$tmp"
    return 0
  fi
  if [ "$arch" != "$HOST_ARCH" ]; then
    # dpkg-shlibdeps needs the target's shlibs files: read them in the build root
    local br=$OUT/buildroot-$arch
    rm -rf "$br/shl" && mkdir -p "$br/shl/debian" && printf 'Source: idkiosk\n\nPackage: idkiosk\nArchitecture: any\n' > "$br/shl/debian/control"
    local i=0; for e in "${elfs[@]}"; do cp "$e" "$br/shl/$i.node"; i=$((i + 1)); done
    unshare --mount --pid --fork -- /bin/sh -c 'mount -t proc proc "$1/proc"; exec chroot "$1" /bin/sh -c "cd /shl && dpkg-shlibdeps -O --ignore-missing-info *.node 2>/dev/null"' sh "$br" | sed -n 's/^shlibs:Depends=//p'
    return 0
  fi
  tmp=$(mktemp -d)
  mkdir -p "$tmp/debian" && printf 'Source: idkiosk\n\nPackage: idkiosk\nArchitecture: any\n' > "$tmp/debian/control"
  (cd "$tmp" && dpkg-shlibdeps -O --ignore-missing-info "${elfs[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
  rm -rf "$tmp"
}

for a in "${ARCHES[@]}"; do build_deb "$a"; done
