#!/bin/sh
# As the official image does at start: each /etc/nginx/templates/*.template, with the
# environment's variables filled in (nginx's own $variables are not in the environment, so
# they stay), becomes /etc/nginx/conf.d/ without its .template.
set -eu
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  envsubst "$(env | sed -e 's/=.*//' -e 's/^/$/' | tr '\n' ' ')" <"$template" \
    >"/etc/nginx/conf.d/$(basename "$template" .template)"
done
exec "$@"
