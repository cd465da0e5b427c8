#!/bin/sh
# Prepares a Temporal cluster for Statementflow: the namespace, and the custom search
# attributes every task workflow carries (contract/search-attributes.ts), so Web UI
# filters like TaskName="parse_pdf_async" AND UserId="42" work from the first task.
#
# Idempotent: run it on every deploy (docker-compose.temporal.yml does, as temporal-setup)
# or by hand against any cluster:
#   TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=default sh deploy/temporal/setup.sh
# Needs the `temporal` CLI (the temporalio/admin-tools image has it).
set -eu

NS="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}" # 30 days of closed workflows in the Web UI
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"

tries=0
until temporal operator cluster health 2>/dev/null | grep -q SERVING; do
  tries=$((tries + 1))
  if [ "$tries" -gt 90 ]; then echo "Temporal at $TEMPORAL_ADDRESS is not serving; giving up" >&2; exit 1; fi
  echo "waiting for Temporal at $TEMPORAL_ADDRESS ..."
  sleep 2
done

if temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1; then
  echo "namespace $NS exists"
else
  temporal operator namespace create --namespace "$NS" --retention "$RETENTION"
fi

# A new namespace takes a few seconds to reach every frontend.
until existing=$(temporal operator search-attribute list --namespace "$NS" 2>/dev/null); do
  sleep 1
done

# name:type, as in CUSTOM_SEARCH_ATTRIBUTES (test/unit/compose.test.ts keeps them in step).
for pair in TaskName:Keyword UserId:Keyword ClientId:Keyword BankSource:Keyword; do
  name=${pair%%:*}
  type=${pair#*:}
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$NS" --name "$name" --type "$type"
  fi
done
echo "Temporal is ready for Statementflow (namespace $NS)"
