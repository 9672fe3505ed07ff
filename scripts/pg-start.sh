#!/bin/sh
# pg-start.sh [DIR]      start a private PostgreSQL 15 cluster for the tests
# pg-start.sh stop DIR   stop it
#
# The cluster lives in DIR (default: a new mktemp -d), listens on 127.0.0.1 only,
# port $PGPORT (default 5433), with trust authentication, and has a superuser
# role 'cachet' (tests CREATE DATABASE) and a database 'cachet'. On success the
# only line on stdout is
#   export CACHET_TEST_PG=postgresql://cachet@127.0.0.1:PORT/cachet
# so `eval "$(scripts/pg-start.sh)"` sets it up. Run as root, the server runs as
# the 'postgres' user (or a 'cachet-pg' user created for it): PostgreSQL refuses
# to run as root, so DIR must then be reachable by that user.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
port=${PGPORT:-5433}

die() {
    echo "pg-start.sh: $*" >&2
    exit 1
}

if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    die "no PostgreSQL 15 in $PGBIN (apt-get install postgresql-15, or set PGBIN)"
fi

# as_owner CMD...: runs CMD as the user owning the cluster.
runas=
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then
        runas=postgres
    else
        id cachet-pg >/dev/null 2>&1 || useradd --system --no-create-home cachet-pg ||
            die "cannot create a user to run PostgreSQL as"
        runas=cachet-pg
    fi
fi
as_owner() {
    if [ -n "$runas" ]; then
        runuser -u "$runas" -- "$@"
    else
        "$@"
    fi
}

if [ "${1:-}" = stop ]; then
    [ $# -eq 2 ] || die "usage: pg-start.sh stop DIR"
    [ -f "$2/data/PG_VERSION" ] || die "$2 holds no cluster started by pg-start.sh"
    as_owner "$PGBIN/pg_ctl" -D "$2/data" -m fast -w stop >&2
    exit 0
fi

if [ $# -ge 1 ]; then
    dir=$1
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cachet-pg.XXXXXX")
fi
dir=$(cd "$dir" && pwd)
cd /
[ -e "$dir/data" ] && die "$dir/data already exists (stop and remove it first)"
if [ -n "$runas" ]; then
    chown "$runas" "$dir"
fi
chmod 700 "$dir"

as_owner "$PGBIN/initdb" -D "$dir/data" -U cachet --auth=trust --encoding=UTF8 \
    --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    die "initdb failed"
}
# The socket goes in DIR too: /var/run/postgresql may not be writable by us.
as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >&2 || {
    cat "$dir/server.log" >&2
    die "the server did not start (port $port in use? set PGPORT)"
}
as_owner "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U cachet -d postgres \
    -c "CREATE DATABASE cachet" >&2 || die "cannot create database cachet"

echo "pg-start.sh: cluster in $dir on 127.0.0.1:$port (stop: $0 stop $dir)" >&2
echo "export CACHET_TEST_PG=postgresql://cachet@127.0.0.1:$port/cachet"
