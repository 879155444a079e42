# Sourced: install what is missing from Debian's packages (postgresql, plus any names in
# EXTRA_DEBIAN_PACKAGES), start a throwaway PostgreSQL on a free port, export DATABASE_URL,
# and remove it all on exit (after whatever the sourcing script registered in
# cleanup_steps later). PostgreSQL refuses to run as root, so as root it runs as the
# `postgres` user.
missing=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
for package in ${EXTRA_DEBIAN_PACKAGES:-}; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian's packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

pg_dir=$(mktemp -d /tmp/paycart-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_pg() {  # bounded too: a postmaster still there after 20 s is killed
  if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -t 20 stop >/dev/null 2>&1 \
    && [ -f "$pg_dir/data/postmaster.pid" ]; then
    echo "PostgreSQL did not stop within 20 s: killing it" >&2
    kill -KILL "$(head -n 1 "$pg_dir/data/postmaster.pid")" 2>/dev/null || true
  fi
  rm -rf "$pg_dir"
}
cleanup_steps=(stop_pg)
run_cleanup_steps() {  # newest first: what was started last stops first
  local i
  for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do "${cleanup_steps[$i]}"; done
}
trap run_cleanup_steps EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start -o \
  "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/paycart"
