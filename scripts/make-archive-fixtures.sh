#!/usr/bin/env bash
# Remakes test/fixtures/archives/ from tp.json (three flat-JSON Sysmon records, one a true
# positive) with the real tools users' collections are made with: xz, bzip2, zstd, 7z (Debian's
# p7zip-full) and Info-ZIP zip. The committed outputs are what the tests read; rerun only to
# change them (apt-get install -y xz-utils bzip2 zstd p7zip-full zip).
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/archives"
export TZ=UTC
touch -d 2024-03-05T10:11:12Z tp.json
rm -f tp.json.* tp.tar* tp.7z tp-*.zip tp.zip
xz -9 -k -c tp.json > tp.json.xz
bzip2 -9 -k -c tp.json > tp.json.bz2
zstd -q -19 -c tp.json > tp.json.zst
tar --format=ustar --owner=0 --group=0 --mtime=2024-03-05T10:11:12Z -cf tp.tar tp.json
xz -9 -c tp.tar > tp.tar.xz
bzip2 -9 -c tp.tar > tp.tar.bz2
zstd -q -19 -c tp.tar > tp.tar.zst
rm tp.tar
7z a -bd -bso0 -mx=9 tp.7z tp.json
7z a -bd -bso0 -mx=9 -pfixture -mhe=off tp-encrypted.7z tp.json
zip -q -X tp.zip tp.json
zip -q -X -fz tp-zip64.zip tp.json          # zip64 records forced (-fz)
zip -q -X - tp.json | cat > tp-descriptor.zip # written to a pipe: data descriptors after each member
zip -q -X -P fixture tp-encrypted.zip tp.json
ls -l
