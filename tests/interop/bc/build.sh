#!/usr/bin/env bash
# build.sh --check     exit 0 if Bouncy Castle (bcprov, bcpkix, bcutil, bcmail), JavaMail,
#                      JavaBeans Activation, java and javac are installed; else print what
#                      is missing on stdout and exit 1
# build.sh OUTDIR      compile the peer (*.java, main class CachetPeer) into OUTDIR; print the class path to use
# BC_JAVA_DIR: where the jars are (default /usr/share/java, Debian's libbc*-java).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jdir=${BC_JAVA_DIR:-/usr/share/java}
jars=(bcprov bcpkix bcutil bcmail javax.mail javax.activation)

cp=""
missing=()
for j in "${jars[@]}"; do
    if [ -f "$jdir/$j.jar" ]; then
        cp="$cp:$jdir/$j.jar"
    else
        missing+=("$jdir/$j.jar")
    fi
done
for t in java javac; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done

if [ "${1:-}" = --check ]; then
    if [ ${#missing[@]} -gt 0 ]; then
        echo "${missing[*]}"
        exit 1
    fi
    exit 0
fi
out=${1:?usage: build.sh --check | build.sh OUTDIR}
if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing ${missing[*]}" >&2
    exit 1
fi
mkdir -p "$out"
# -Xlint:-path: javax.mail.jar's manifest names jakarta jars Debian does not ship.
javac -Xlint:all,-path -Werror -cp "${cp#:}" -d "$out" "$here"/*.java >&2
echo "$out$cp"
