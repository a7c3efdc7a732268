#!/bin/sh
# One card image → PNM, for idkiosk-decode@.service (one instance per connection, stdin and stdout are the
# connection; the unit's sandbox is what makes this safe to run on bytes from a card). Protocol: one line
# naming the format — "tiff" (MMR/G4 TIFF), "jp2" or "j2k" (JPEG 2000 file or codestream) — then the image
# bytes until the daemon shuts its side down; the answer is the PNM, or nothing when it cannot be decoded:
# the PNM goes to a file first and is sent only when the decoder succeeded, so a decoder that fails half-way
# never hands the daemon a partial image. The files are in the unit's private /tmp, gone with the instance.
set -eu
IFS= read -r format
dir=$(mktemp -d)
case "$format" in
  tiff) tifftopnm -quiet >"$dir/out.pnm" || exit 1 ;;
  jp2 | j2k)
    cat >"$dir/in.$format"
    opj_decompress -quiet -i "$dir/in.$format" -o "$dir/out.pnm" >/dev/null 2>&1 || exit 1
    ;;
  *) exit 2 ;;
esac
exec cat "$dir/out.pnm"
