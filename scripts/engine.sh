# Sourced by image.sh and deploy.sh: `engine` is podman or docker, whichever is installed;
# where neither is, Debian's podman (with runc and debootstrap) is installed. podman is
# pointed at the project's containers.conf (its default runtime cannot set rlimits on
# machines like the suite's) unless CONTAINERS_CONF already names one.
engine=""
for candidate in podman docker; do
  if command -v "$candidate" >/dev/null 2>&1; then engine=$candidate; break; fi
done
if [ -z "$engine" ]; then
  echo "Installing podman from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
  engine=podman
fi
if [ "$engine" = podman ]; then
  export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/deploy/podman/containers.conf}
fi
