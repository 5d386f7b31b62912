#!/usr/bin/env bash
# Installs the `armory` Python package for Debian's /usr/bin/python3 from this checkout's native build, offline:
# build/native/python/armory is copied to /usr/local/lib/python3.X/dist-packages/armory, where Debian's
# python3 looks for locally installed packages. Idempotent; `import armory` then works from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."
src=build/native/python/armory
if [ ! -f "$src/__init__.py" ] || ! ls "$src"/_armory*.so > /dev/null 2>&1; then
  echo "install-python: $src is not built yet: run bash scripts/build.sh native" >&2
  exit 1
fi
dest=$(/usr/bin/python3 -c 'import site; print([p for p in site.getsitepackages() if p.startswith("/usr/local/")][0])')
mkdir -p "$dest"
rm -rf "$dest/armory.new"
cp -r "$src" "$dest/armory.new"
rm -rf "$dest/armory"
mv "$dest/armory.new" "$dest/armory"
cd /
/usr/bin/python3 -c "import armory; print('install-python: armory', armory.__version__, 'installed at', armory.__file__)"
