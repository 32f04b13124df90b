#!/usr/bin/env bash
# Re-download the vendored front-end libraries under static/vendor/ from the npm registry.
#
# The versions are pinned below; to update a library, change its version here, run the
# script from anywhere in the repository, review the diff and update static/vendor/README.md.
# Each version can also be overridden for a one-off run, e.g.
#     BOOTSTRAP_VERSION=5.3.10 scripts/vendor_static.sh
#
# Needs: npm and node (only `npm pack` is used: nothing is installed, no node_modules is created),
# tar, sed, grep and sha256sum.
set -euo pipefail

BOOTSTRAP_VERSION="${BOOTSTRAP_VERSION:-5.3.9}"
BOOTSTRAP_ICONS_VERSION="${BOOTSTRAP_ICONS_VERSION:-1.13.2}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
CHARTJS_VERSION="${CHARTJS_VERSION:-4.6.1}"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="$REPO_ROOT/static/vendor"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vendor_static.XXXXXX")"
trap 'rm -rf "$WORK_DIR"' EXIT

# fetch <npm package> <version>: download the tarball and print the directory it was unpacked to.
fetch() {
    local package="$1" version="$2" tarball dest
    tarball="$(cd "$WORK_DIR" && npm pack "${package}@${version}" --silent | tail -n 1)"
    dest="$WORK_DIR/${package}-${version}"
    mkdir -p "$dest"
    tar -xzf "$WORK_DIR/$tarball" -C "$dest"
    # npm tarballs unpack into package/.
    local got
    got="$(node -p 'require(process.argv[1]).version' "$dest/package/package.json")"
    if [[ "$got" != "$version" ]]; then
        echo "error: asked for ${package}@${version}, the tarball says ${got}" >&2
        exit 1
    fi
    printf '%s\n' "$dest/package"
}

# place <source> <destination>: copy one file, creating the destination's directory.
place() {
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2"
}

# strip_source_maps <file>: drop `/*# sourceMappingURL=... */` and `//# sourceMappingURL=...`
# lines. The .map files are not vendored, and whitenoise's CompressedManifestStaticFilesStorage
# fails collectstatic on a reference to a missing file.
strip_source_maps() {
    sed -E -i \
        -e '/^[[:space:]]*\/\*[#@] sourceMappingURL=.*\*\/[[:space:]]*$/d' \
        -e '/^[[:space:]]*\/\/[#@] sourceMappingURL=.*$/d' \
        "$1"
}

echo "Downloading into $WORK_DIR"
bootstrap="$(fetch bootstrap "$BOOTSTRAP_VERSION")"
icons="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION")"
htmx="$(fetch htmx.org "$HTMX_VERSION")"
chartjs="$(fetch chart.js "$CHARTJS_VERSION")"

# Start from empty library directories so files dropped upstream do not linger.
rm -rf "$VENDOR_DIR/bootstrap" "$VENDOR_DIR/bootstrap-icons" "$VENDOR_DIR/htmx" "$VENDOR_DIR/chartjs"

# Bootstrap (MIT)
place "$bootstrap/dist/css/bootstrap.min.css" "$VENDOR_DIR/bootstrap/css/bootstrap.min.css"
place "$bootstrap/dist/js/bootstrap.bundle.min.js" "$VENDOR_DIR/bootstrap/js/bootstrap.bundle.min.js"
place "$bootstrap/LICENSE" "$VENDOR_DIR/bootstrap/LICENSE"

# Bootstrap Icons (MIT). The stylesheet loads its fonts from fonts/ next to itself.
place "$icons/font/bootstrap-icons.min.css" "$VENDOR_DIR/bootstrap-icons/bootstrap-icons.min.css"
place "$icons/font/fonts/bootstrap-icons.woff2" "$VENDOR_DIR/bootstrap-icons/fonts/bootstrap-icons.woff2"
place "$icons/font/fonts/bootstrap-icons.woff" "$VENDOR_DIR/bootstrap-icons/fonts/bootstrap-icons.woff"
place "$icons/LICENSE" "$VENDOR_DIR/bootstrap-icons/LICENSE"
for font in woff2 woff; do
    if ! grep -q "url(\"fonts/bootstrap-icons\.${font}?" "$VENDOR_DIR/bootstrap-icons/bootstrap-icons.min.css"; then
        echo "error: bootstrap-icons.min.css no longer loads fonts/bootstrap-icons.${font}; fix the layout" >&2
        exit 1
    fi
done

# htmx (Zero-Clause BSD)
place "$htmx/dist/htmx.min.js" "$VENDOR_DIR/htmx/htmx.min.js"
place "$htmx/LICENSE" "$VENDOR_DIR/htmx/LICENSE"

# Chart.js (MIT). The package ships its licence as LICENSE.md.
if [[ -f "$chartjs/dist/chart.umd.min.js" ]]; then
    place "$chartjs/dist/chart.umd.min.js" "$VENDOR_DIR/chartjs/chart.umd.min.js"
else
    place "$chartjs/dist/chart.umd.js" "$VENDOR_DIR/chartjs/chart.umd.min.js"
fi
if [[ -f "$chartjs/LICENSE.md" ]]; then
    place "$chartjs/LICENSE.md" "$VENDOR_DIR/chartjs/LICENSE"
else
    place "$chartjs/LICENSE" "$VENDOR_DIR/chartjs/LICENSE"
fi

# No vendored file may point at a source map.
while IFS= read -r -d '' file; do
    strip_source_maps "$file"
done < <(find "$VENDOR_DIR/bootstrap" "$VENDOR_DIR/bootstrap-icons" "$VENDOR_DIR/htmx" "$VENDOR_DIR/chartjs" \
    -type f \( -name '*.css' -o -name '*.js' \) -print0)
if grep -rl 'sourceMappingURL' "$VENDOR_DIR" --include='*.css' --include='*.js'; then
    echo "error: a sourceMappingURL reference is left in the files above" >&2
    exit 1
fi

echo
echo "Vendored: bootstrap@${BOOTSTRAP_VERSION} bootstrap-icons@${BOOTSTRAP_ICONS_VERSION}" \
    "htmx.org@${HTMX_VERSION} chart.js@${CHARTJS_VERSION}"
echo "SHA-256 of the vendored files (paste into static/vendor/README.md):"
(cd "$VENDOR_DIR" && find bootstrap bootstrap-icons htmx chartjs -type f ! -name LICENSE -print0 \
    | sort -z | xargs -0 sha256sum)
