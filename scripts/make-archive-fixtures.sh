#!/usr/bin/env bash
# Remakes test/fixtures/archives/ from tp.log (three flat-JSON-line Sysmon records, one a true
# positive) with the real tools users' collections are made with: xz, bzip2, zstd, 7z (Debian's
# p7zip-full) and Info-ZIP zip. The committed outputs are what the tests read; rerun only to
# change them (apt-get install -y xz-utils bzip2 zstd p7zip-full zip).
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/archives"
export TZ=UTC
touch -d 2024-03-05T10:11:12Z tp.log
rm -f tp.log.* tp.tar* tp.7z tp-*.7z tp-*.zip tp.zip tp-split.z01
xz -9 -k -c tp.log > tp.log.xz
bzip2 -9 -k -c tp.log > tp.log.bz2
zstd -q -19 -c tp.log > tp.log.zst
tar --format=ustar --owner=0 --group=0 --mtime=2024-03-05T10:11:12Z -cf tp.tar tp.log
xz -9 -c tp.tar > tp.tar.xz
bzip2 -9 -c tp.tar > tp.tar.bz2
zstd -q -19 -c tp.tar > tp.tar.zst
rm tp.tar
7z a -bd -bso0 -mx=9 tp.7z tp.log
7z a -bd -bso0 -mx=9 -pfixture -mhe=off tp-encrypted.7z tp.log
7z a -bd -bso0 -mx=9 -pfixture -mhe=on tp-encrypted-headers.7z tp.log
ln -s tp.log tp-link.log
7z a -bd -bso0 -snl tp-link.7z tp.log tp-link.log   # a symbolic link stored as one (-snl)
rm tp-link.log
mkdir dotdot   # a member stored as ../tp.log (-spf keeps the path as given), then tp.log
(cd dotdot && 7z a -bd -bso0 -mx=9 -spf ../tp-dotdot.7z ../tp.log)
rmdir dotdot
7z a -bd -bso0 -mx=9 tp-dotdot.7z tp.log
zip -q -X tp.zip tp.log
zip -q -X -fz tp-zip64.zip tp.log          # zip64 records forced (-fz)
zip -q -X - tp.log | cat > tp-descriptor.zip # written to a pipe: data descriptors after each member
zip -q -X -P fixture tp-encrypted.zip tp.log
# A Deflate64 member with a non-ASCII name stored as Windows Explorer stores one: in the OEM
# code page (CP437: é is 0x82), without the UTF-8 flag. 7z writes the ASCII name; perl swaps
# in the CP437 bytes (the same length).
cp tp.log resume.log
touch -d 2024-03-05T10:11:12Z resume.log
7z a -bd -bso0 -tzip -mx=9 -mm=Deflate64 tp-deflate64-cp437.zip resume.log tp.log
rm resume.log
perl -pi -0777 -e 's/resume\.log/r\x82sum\x82.log/g' tp-deflate64-cp437.zip
seq 1 15000 > split-pad.txt   # stored (-0), so that the zip needs two 64 KiB parts: .z01 and .zip
touch -d 2024-03-05T10:11:12Z split-pad.txt
zip -q -X -0 -s 64k tp-split.zip tp.log split-pad.txt
rm split-pad.txt
for method in Deflate64 BZip2 LZMA PPMd; do  # zip members packed as 7-Zip (and, Deflate64, Windows Explorer) pack them
  7z a -bd -bso0 -tzip -mx=9 -mm=$method "tp-${method,,}.zip" tp.log
done
ls -l
