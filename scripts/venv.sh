# Sourced by run.sh and test.sh: make .venv and install the pinned packages when they changed
# since the last install. REQUIREMENTS names the file (default requirements-dev.txt, all of
# it); run.sh asks for requirements.txt alone (what serving needs), which a full install
# covers too.
VENV=.venv
PYTHON_BIN=${PYTHON:-python3}
REQUIREMENTS=${REQUIREMENTS:-requirements-dev.txt}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON_BIN" -m venv "$VENV"
fi
serving=$(sha256sum <requirements.txt | cut -d' ' -f1)
everything=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$REQUIREMENTS" = requirements.txt ]; then want=$serving stamp="$VENV/.serving.sha"
else want=$everything stamp="$VENV/.requirements.sha"; fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing $REQUIREMENTS into $VENV (first run: a minute or so)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$want" >"$stamp"
  # A full install holds everything serving needs.
  [ "$REQUIREMENTS" = requirements.txt ] || echo "$serving" >"$VENV/.serving.sha"
fi
