#!/usr/bin/env bash
# Makes the editor tests' pictures in DIR (generated, never downloaded):
#   ward.jpg    a phone photo: GPS position, time taken and owner in its EXIF (ImageMagick + exiftool)
#   census.png  a screenshot of a fake patient list (ImageMagick, DejaVu Sans)
# and installs what draws them and what scrubs reads them with (Tesseract).
#   usage: make-pictures.sh DIR
set -euo pipefail
LOG_TAG=${LOG_TAG:-pictures}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
dir=${1:?usage: make-pictures.sh DIR}
apt_need imagemagick libimage-exiftool-perl fonts-dejavu-core tesseract-ocr tesseract-ocr-eng
magick=/usr/bin/convert
[ -x "$magick" ] || magick=convert
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
"$magick" -size 320x200 gradient:orange-purple "$dir/ward.jpg"
exiftool -q -overwrite_original -GPSLatitude=44.02218 -GPSLatitudeRef=N -GPSLongitude=92.46622 \
  -GPSLongitudeRef=W '-DateTimeOriginal=2026:11:30 03:12:44' '-OwnerName=Jane Nurse' "$dir/ward.jpg"
"$magick" -size 1100x220 xc:white -fill black -font "$font" -pointsize 26 \
  -annotate +20+50 'UNIT 4B CENSUS - NIGHT SHIFT' \
  -annotate +20+110 'Room 412   Smith, John     MRN 00482913   DOB 03/14/1952' \
  -annotate +20+170 'Room 414   Garcia, Maria   MRN 00519377   DOB 11/02/1947' \
  "$dir/census.png"
log "pictures in $dir: ward.jpg (GPS, time, owner), census.png (a patient list)"
