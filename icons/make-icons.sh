#!/usr/bin/env bash
# Draws the Paysync icon (two sync arrows around a currency sign) with ImageMagick and writes
# the sizes tauri.conf.json lists. Run from anywhere; needs `convert` (Debian: imagemagick).
set -euo pipefail
cd "$(dirname "$0")"
convert -size 1024x1024 xc:none \
  \( -size 1024x1024 radial-gradient:'#34b085'-'#0b5d4b' \) -compose over -composite \
  \( -size 1024x1024 xc:black -fill white -draw "roundrectangle 64,64 960,960 200,200" \) \
     -alpha off -compose copy_opacity -composite -compose over \
  -fill none -stroke white -strokewidth 60 \
  -draw "path 'M 258,420 A 270,270 0 0,1 746,377'" -draw "path 'M 766,604 A 270,270 0 0,1 278,647'" \
  -stroke none -fill white \
  -draw "polygon 690,210 800,330 650,350" -draw "polygon 334,814 224,694 374,674" \
  -font DejaVu-Sans-Bold -pointsize 330 -gravity center -annotate +0+18 '$' \
  PNG32:icon-1024.png
convert icon-1024.png -resize 32x32 PNG32:32x32.png
convert icon-1024.png -resize 128x128 PNG32:128x128.png
convert icon-1024.png -resize 256x256 PNG32:128x128@2x.png
convert icon-1024.png -resize 512x512 PNG32:icon.png
