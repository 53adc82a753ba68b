#!/bin/sh
# Run by binding.gyp before building: names the Debian packages a failed build would need,
# instead of leaving the user with a compiler error. Prints nothing when all is present.
missing=""
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || missing="$missing g++"
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
if [ -n "$missing" ]; then
  echo "vipkeeper: cannot build the native socket addon, missing:$missing" >&2
  echo "vipkeeper: install python3, make and g++ (Debian: apt-get install python3 make g++)" >&2
  exit 1
fi
